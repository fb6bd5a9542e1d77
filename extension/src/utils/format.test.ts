import { describe, expect, it } from 'vitest';
import { formatDate, formatMoney, formatMoneyCompact } from './format.ts';

// The formatters are made once and reused: the output must stay what a fresh Intl object gives, per currency and shape.
describe('format with reused Intl formatters', () => {
  it('money in each currency, with its own exponent, the same on every call', () => {
    for (let i = 0; i < 2; i++) {
      expect(formatMoney(12_345, 'USD', 'en-US')).toBe(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(123.45));
      expect(formatMoney(12_345, 'JPY', 'en-US')).toBe(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'JPY' }).format(12_345));
      expect(formatMoney(12_345, 'EUR', 'de-DE')).toBe(new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' }).format(123.45));
    }
  });

  it('compact money keeps one decimal from 1,000 up and none below', () => {
    const compact = (amount: number, digits: number) =>
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: digits }).format(amount);
    expect(formatMoneyCompact(123_456, 'USD', 'en-US')).toBe(compact(1234.56, 1));
    expect(formatMoneyCompact(45_678, 'USD', 'en-US')).toBe(compact(456.78, 0));
    expect(formatMoneyCompact(123_456, 'USD', 'en-US')).toBe(compact(1234.56, 1));
  });

  it('an unknown currency code falls back to plain text, every time', () => {
    expect(formatMoney(12_345, 'NOT-A-CODE')).toBe('123.45 NOT-A-CODE');
    expect(formatMoney(12_345, 'NOT-A-CODE')).toBe('123.45 NOT-A-CODE');
    expect(formatMoneyCompact(12_345, 'NOT-A-CODE')).toBe('123 NOT-A-CODE');
  });

  it('dates read as toLocaleDateString does', () => {
    const ms = Date.UTC(2025, 0, 5, 23, 30);
    const options = { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' } as const;
    expect(formatDate(ms)).toBe(new Date(ms).toLocaleDateString(undefined, options));
    expect(formatDate(ms, 'de-DE')).toBe(new Date(ms).toLocaleDateString('de-DE', options));
  });
});

import { createTranslator } from '@clvlens/core/i18n';
import { describe, expect, it } from 'vitest';
import { formatMoneyCompact } from './format.ts';

// The formatters are made once and reused: the output must stay what a fresh Intl object gives, per locale, currency
// and shape.
describe('formatMoneyCompact with reused Intl formatters', () => {
  const compact = (locale: string, currency: string, amount: number, digits: number) =>
    new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: digits }).format(amount);

  it('keeps one decimal from 1,000 up and none below, the same on every call, in each locale', () => {
    for (const locale of ['en', 'ko', 'ar'] as const) {
      const t = createTranslator(locale);
      for (let i = 0; i < 2; i++) {
        expect(formatMoneyCompact(t, 123_456, 'USD')).toBe(compact(t.locale, 'USD', 1234.56, 1));
        expect(formatMoneyCompact(t, 45_678, 'USD')).toBe(compact(t.locale, 'USD', 456.78, 0));
        // The currency's own exponent: JPY has none.
        expect(formatMoneyCompact(t, 45_678, 'JPY')).toBe(compact(t.locale, 'JPY', 45_678, 1));
      }
    }
  });

  it('an unknown currency code falls back to plain digits and the code, every time, never a thrown badge', () => {
    const t = createTranslator('en');
    expect(formatMoneyCompact(t, 12_345, 'NOT-A-CODE')).toBe('123.45 NOT-A-CODE');
    expect(formatMoneyCompact(t, 12_345, 'NOT-A-CODE')).toBe('123.45 NOT-A-CODE');
  });
});

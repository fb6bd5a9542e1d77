import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoreError, CurrencyMismatchError } from '../errors/core-error.ts';
import { addMoney, currencyExponent, formatMinorUnits, parseMinorUnits, sumMoney } from './money.ts';

describe('currencyExponent', () => {
  it('returns the ISO 4217 minor-unit digits', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
  });
  it("knows the withdrawn codes Shopify's CurrencyCode enum still lists, with the exponent they had", () => {
    expect(['BYR', 'EEK', 'HRK', 'MRO', 'VEF'].map(currencyExponent)).toEqual([0, 2, 2, 2, 2]);
  });
  it('throws invalid-currency for a well-formed code it does not know instead of guessing 2', () => {
    for (const code of ['ZZZ', 'XXX', 'XAU']) {
      expect(() => currencyExponent(code)).toThrow(expect.objectContaining({ name: 'CoreError', code: 'invalid-currency' }));
    }
  });
  it('throws invalid-currency for a malformed code', () => {
    expect(() => currencyExponent('usd')).toThrow(CoreError);
    try {
      currencyExponent('US');
    } catch (error) {
      expect((error as CoreError).code).toBe('invalid-currency');
    }
  });
});

describe('parseMinorUnits', () => {
  it('parses decimal strings exactly', () => {
    expect(parseMinorUnits('404.95', 'USD')).toEqual({ ok: true, value: 40495 });
    expect(parseMinorUnits('0.1', 'USD')).toEqual({ ok: true, value: 10 });
    expect(parseMinorUnits('1200', 'JPY')).toEqual({ ok: true, value: 1200 });
    expect(parseMinorUnits('1.234', 'KWD')).toEqual({ ok: true, value: 1234 });
    expect(parseMinorUnits('-3.5', 'EUR')).toEqual({ ok: true, value: -350 });
    expect(parseMinorUnits(' 10.500 ', 'USD')).toEqual({ ok: true, value: 1050 });
    expect(parseMinorUnits('.5', 'USD')).toEqual({ ok: true, value: 50 });
    expect(parseMinorUnits('-0.00', 'USD')).toEqual({ ok: true, value: 0 });
  });
  it('reads the plain form exports use (digits, exact decimals) as the general rules do, up to 15 digits', () => {
    expect(parseMinorUnits('007.50', 'USD')).toEqual({ ok: true, value: 750 });
    expect(parseMinorUnits('0.00', 'USD')).toEqual({ ok: true, value: 0 });
    expect(parseMinorUnits('9999999999999.99', 'USD')).toEqual({ ok: true, value: 999999999999999 });
    expect(parseMinorUnits('99999999999999.99', 'USD')).toEqual({ ok: false, reason: 'too-large' });
    expect(parseMinorUnits('000000000000001.00', 'USD')).toEqual({ ok: true, value: 100 });
    expect(parseMinorUnits('12', 'USD')).toEqual({ ok: true, value: 1200 });
    expect(parseMinorUnits('1.2.3', 'USD')).toEqual({ ok: false, reason: 'not-a-decimal' });
    expect(parseMinorUnits('1.a5', 'USD')).toEqual({ ok: false, reason: 'not-a-decimal' });
    expect(parseMinorUnits('12.', 'JPY')).toEqual({ ok: true, value: 12 });
    expect(parseMinorUnits('1x', 'JPY')).toEqual({ ok: false, reason: 'not-a-decimal' });
  });
  it('returns a reason instead of rounding or guessing', () => {
    expect(parseMinorUnits('1.005', 'USD')).toEqual({ ok: false, reason: 'too-many-decimals' });
    expect(parseMinorUnits('1.5', 'JPY')).toEqual({ ok: false, reason: 'too-many-decimals' });
    expect(parseMinorUnits('1,000.00', 'USD')).toEqual({ ok: false, reason: 'not-a-decimal' });
    expect(parseMinorUnits('1e3', 'USD')).toEqual({ ok: false, reason: 'not-a-decimal' });
    expect(parseMinorUnits('', 'USD')).toEqual({ ok: false, reason: 'empty' });
    expect(parseMinorUnits('.', 'USD')).toEqual({ ok: false, reason: 'not-a-decimal' });
    expect(parseMinorUnits('99999999999999999', 'USD')).toEqual({ ok: false, reason: 'too-large' });
  });
  it('round-trips with formatMinorUnits for any safe amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e14, max: 1e14 }), fc.constantFrom('USD', 'JPY', 'KWD', 'CLF'), (minor, cur) => {
        expect(parseMinorUnits(formatMinorUnits(minor, cur), cur)).toEqual({ ok: true, value: minor });
      }),
    );
  });
});

describe('formatMinorUnits', () => {
  it('places the decimal point by the currency exponent', () => {
    expect(formatMinorUnits(40495, 'USD')).toBe('404.95');
    expect(formatMinorUnits(5, 'USD')).toBe('0.05');
    expect(formatMinorUnits(-5, 'KWD')).toBe('-0.005');
    expect(formatMinorUnits(1200, 'JPY')).toBe('1200');
  });
});

describe('addMoney', () => {
  it('adds amounts of one currency and throws CurrencyMismatchError across currencies', () => {
    expect(addMoney({ amountMinor: 100, currency: 'USD' }, { amountMinor: 5, currency: 'USD' })).toEqual({
      amountMinor: 105,
      currency: 'USD',
    });
    expect(() => addMoney({ amountMinor: 1, currency: 'USD' }, { amountMinor: 1, currency: 'EUR' })).toThrow(CurrencyMismatchError);
    expect(() => sumMoney([{ amountMinor: 1, currency: 'EUR' }], 'USD')).toThrow(/cannot be combined/);
  });
});

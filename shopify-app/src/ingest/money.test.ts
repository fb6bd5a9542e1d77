import { describe, expect, it } from 'vitest';
import { currencyExponent, parseMoneyToMinor } from './money.ts';

describe('parseMoneyToMinor', () => {
  it('uses the currency exponent', () => {
    expect(parseMoneyToMinor('104.95', 'USD')).toBe(10495);
    expect(parseMoneyToMinor('104.9', 'EUR')).toBe(10490);
    expect(parseMoneyToMinor('1200', 'JPY')).toBe(1200);
    expect(parseMoneyToMinor('1200.00', 'JPY')).toBe(1200);
    expect(parseMoneyToMinor('1.234', 'KWD')).toBe(1234);
    expect(parseMoneyToMinor('0.10', 'USD')).toBe(10);
    expect(parseMoneyToMinor('-5.00', 'USD')).toBe(-500);
    expect(parseMoneyToMinor(12.5, 'USD')).toBe(1250);
  });

  it('is exact where floats are not', () => {
    expect(parseMoneyToMinor('0.29', 'USD')).toBe(29);
    expect(parseMoneyToMinor('1.005', 'KWD')).toBe(1005);
    expect(parseMoneyToMinor('90071992547409.91', 'USD')).toBe(9007199254740991);
  });

  it('rejects what it cannot represent exactly, naming the field', () => {
    expect(() => parseMoneyToMinor('1.5', 'JPY', 'total_price')).toThrow(/total_price: 1.5 has more than 0 decimals for JPY/);
    expect(() => parseMoneyToMinor('abc', 'USD')).toThrow(/not a decimal amount/);
    expect(() => parseMoneyToMinor('1e3', 'USD')).toThrow(/not a decimal amount/);
  });
});

describe('currencyExponent', () => {
  it('knows every ISO 4217 exponent, and refuses unknown or malformed codes instead of guessing 2', () => {
    expect([currencyExponent('USD'), currencyExponent('JPY'), currencyExponent('KWD'), currencyExponent('CLF'), currencyExponent('ISK')]).toEqual([
      2, 0, 3, 4, 0,
    ]);
    for (const code of ['ZZZ', 'ZZ,Z', 'usd', 'US', '', 'XXX']) expect(() => currencyExponent(code)).toThrow(/not an ISO 4217 code/);
    expect(() => parseMoneyToMinor('1.00', 'ZZZ', 'total_price')).toThrow(/ZZZ/);
  });
});

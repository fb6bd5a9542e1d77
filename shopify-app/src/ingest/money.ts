import { AppError } from '../errors.ts';

/** ISO 4217 currencies whose minor unit is not 2 digits; every other code has 2. */
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0,
  XAF: 0, XOF: 0, XPF: 0, BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** Number of minor-unit digits of an ISO 4217 currency (JPY 0, USD 2, KWD 3). */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

/**
 * Parses one of Shopify's decimal money strings (`"104.95"`, also a JSON number in old REST fields) into integer
 * minor units of `currency`, exactly (no floats). Extra zero decimals are accepted (`"1200.00"` JPY = 1200); a
 * non-zero digit beyond the currency's exponent is an error, because rounding would hide a wrong currency.
 */
export function parseMoneyToMinor(amount: string | number, currency: string, field = 'amount'): number {
  const text = typeof amount === 'number' ? String(amount) : amount.trim();
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (m === null) throw new AppError('bad-payload', `${field}: ${JSON.stringify(amount)} is not a decimal amount`);
  const exponent = currencyExponent(currency);
  const fraction = m[3] ?? '';
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new AppError('bad-payload', `${field}: ${text} has more than ${exponent} decimals for ${currency}`);
  }
  const digits = `${m[2]}${fraction.slice(0, exponent).padEnd(exponent, '0')}`;
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new AppError('bad-payload', `${field}: ${text} is too large`);
  return m[1] === '-' && value !== 0 ? -value : value;
}

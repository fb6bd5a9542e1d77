import { CoreError, currencyExponent as coreCurrencyExponent } from '@clvlens/core';
import { AppError } from '../errors.ts';

/**
 * Number of minor-unit digits of an ISO 4217 currency (JPY 0, USD 2, KWD 3, CLF 4), from core's one table. An unknown
 * or malformed code is a `bad-payload` error here, because at ingest it comes from a payload, not from our code.
 */
export function currencyExponent(currency: string): number {
  try {
    return coreCurrencyExponent(currency);
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    throw new AppError('bad-payload', `currency ${JSON.stringify(currency)} is not an ISO 4217 code CLV Lens knows (three upper-case letters, e.g. "USD")`, {
      cause: error,
    });
  }
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

import { CoreError, CoreErrorCode, CurrencyMismatchError } from '../errors/core-error.ts';
import type { Result } from '../result.ts';
import { CURRENCY_EXPONENTS } from './currencies.ts';

/** ISO 4217 alphabetic code, e.g. `USD`. Validated by {@link assertCurrencyCode}. */
export type CurrencyCode = string;

/** An amount of money: integer minor units (cents for USD, yen for JPY, fils for KWD) plus its currency. */
export interface Money {
  amountMinor: number;
  currency: CurrencyCode;
}

const CURRENCY_RE = /^[A-Z]{3}$/;

/** Throws `CoreError('invalid-currency')` unless `code` is three upper-case letters. */
export function assertCurrencyCode(code: string): asserts code is CurrencyCode {
  if (!CURRENCY_RE.test(code)) {
    throw new CoreError(CoreErrorCode.invalidCurrency, `Currency code ${JSON.stringify(code)} is not an ISO 4217 code (three upper-case letters, e.g. "USD").`);
  }
}

/**
 * Number of decimal digits of the currency's minor unit (ISO 4217): JPY 0, USD 2, KWD 3, CLF 4.
 * Throws `CoreError('invalid-currency')` for a malformed code and for a well-formed code missing from the ISO 4217
 * table (`ZZZ`, `XXX`): guessing 2 decimals would store amounts off by a factor of 10 or 100.
 * @example currencyExponent('KWD') // 3
 */
export function currencyExponent(currency: CurrencyCode): number {
  assertCurrencyCode(currency);
  const exponent = CURRENCY_EXPONENTS.get(currency);
  if (exponent === undefined) {
    throw new CoreError(
      CoreErrorCode.invalidCurrency,
      `Currency code ${JSON.stringify(currency)} is not an ISO 4217 code with a minor unit CLV Lens knows; check the shop's currency setting.`,
    );
  }
  return exponent;
}

/** Why a decimal amount string could not be converted to minor units. */
export const ParseMoneyReason = {
  empty: 'empty',
  notADecimal: 'not-a-decimal',
  tooManyDecimals: 'too-many-decimals',
  tooLarge: 'too-large',
} as const;
export type ParseMoneyReason = (typeof ParseMoneyReason)[keyof typeof ParseMoneyReason];

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * Converts a decimal amount string as Shopify sends it (`"404.95"`, `"-3.5"`, `"1200"`) to integer minor units of
 * `currency`, exactly, without floating point. Extra decimals are accepted only when they are zeros
 * (`"10.500"` in USD is 1050); otherwise the result is `too-many-decimals` rather than a silent rounding.
 * Surrounding spaces are ignored; thousands separators and exponents are rejected.
 * @example parseMinorUnits('404.95', 'USD') // { ok: true, value: 40495 }
 */
export function parseMinorUnits(text: string, currency: CurrencyCode): Result<number, ParseMoneyReason> {
  const exponent = currencyExponent(currency);
  const plain = plainMinorUnits(text, exponent);
  if (plain >= 0) return { ok: true, value: plain };
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: ParseMoneyReason.empty };
  const match = DECIMAL_RE.exec(trimmed);
  if (match === null) return { ok: false, reason: ParseMoneyReason.notADecimal };
  const sign = match[1] === '-' ? -1 : 1;
  const whole = match[2] ?? '';
  let fraction = match[3] ?? '';
  if (whole === '' && fraction === '') return { ok: false, reason: ParseMoneyReason.notADecimal };
  if (fraction.length > exponent) {
    if (!/^0*$/.test(fraction.slice(exponent))) return { ok: false, reason: ParseMoneyReason.tooManyDecimals };
    fraction = fraction.slice(0, exponent);
  }
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > 15) return { ok: false, reason: ParseMoneyReason.tooLarge };
  const value = Number(digits === '' ? '0' : digits);
  // `-0` would serialise as 0 but compare oddly in Object.is-based tests.
  return { ok: true, value: value === 0 ? 0 : sign * value };
}

/**
 * The form Shopify writes (`"404.95"`: digits, then exactly `exponent` decimals, no dot when 0; at most 15 digits)
 * read without a regular expression or slices, as a CSV export has millions of them; -1 for any other form, which
 * {@link parseMinorUnits} then reads in full.
 */
function plainMinorUnits(text: string, exponent: number): number {
  const length = text.length;
  const dot = exponent === 0 ? length : length - exponent - 1;
  if (dot < 1 || length - (exponent === 0 ? 0 : 1) > 15 || (exponent > 0 && text.charCodeAt(dot) !== 46)) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    if (i === dot) continue;
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Formats integer minor units as a plain decimal string with the currency's exponent (`40495, 'USD'` -> `"404.95"`).
 * No symbol or grouping: presentation is the caller's job.
 */
export function formatMinorUnits(amountMinor: number, currency: CurrencyCode): string {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `amountMinor must be a safe integer, got ${amountMinor}.`);
  }
  const exponent = currencyExponent(currency);
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  const body = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${body}` : body;
}

/** Adds two amounts; throws {@link CurrencyMismatchError} when the currencies differ. */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency, 'addMoney');
  return { amountMinor: a.amountMinor + b.amountMinor, currency: a.currency };
}

/** Sums amounts of one currency; throws {@link CurrencyMismatchError} on the first amount in another currency. */
export function sumMoney(amounts: readonly Money[], currency: CurrencyCode): Money {
  assertCurrencyCode(currency);
  let total = 0;
  for (const amount of amounts) {
    if (amount.currency !== currency) throw new CurrencyMismatchError(currency, amount.currency, 'sumMoney');
    total += amount.amountMinor;
  }
  return { amountMinor: total, currency };
}

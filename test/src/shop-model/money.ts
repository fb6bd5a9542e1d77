import type { CurrencyCode, DecimalString, MoneyBag } from './types.ts';

/** ISO 4217 currencies whose minor unit is not 2 digits (the rest use 2). */
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** Number of minor-unit digits of a currency (JPY 0, USD 2, KWD 3). */
export function currencyExponent(currency: CurrencyCode): number {
  return EXPONENTS[currency] ?? 2;
}

/** Formats integer minor units as Shopify's decimal string (`10495, 'USD'` -> `"104.95"`, `1200, 'JPY'` -> `"1200"`). */
export function minorToDecimal(amountMinor: number, currency: CurrencyCode): DecimalString {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
  const exp = currencyExponent(currency);
  if (exp === 0) return String(amountMinor);
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(amountMinor)).padStart(exp + 1, '0');
  return `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

/** Parses Shopify's decimal string into integer minor units (`"104.95", 'USD'` -> `10495`); throws on bad input. */
export function decimalToMinor(amount: DecimalString, currency: CurrencyCode): number {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  if (m === null) throw new RangeError(`not a decimal amount: ${JSON.stringify(amount)}`);
  const exp = currencyExponent(currency);
  const frac = (m[3] ?? '').padEnd(exp, '0');
  if (frac.length > exp && /[^0]/.test(frac.slice(exp))) {
    throw new RangeError(`${amount} has more than ${exp} decimals for ${currency}`);
  }
  const v = Number(m[2]) * 10 ** exp + (exp === 0 ? 0 : Number(frac.slice(0, exp)));
  return m[1] === '-' ? -v : v;
}

/** Builds a MoneyBag from minor units in the shop and presentment currencies. */
export function moneyBag(shopMinor: number, shopCurrency: CurrencyCode, presentmentMinor: number, presentmentCurrency: CurrencyCode): MoneyBag {
  return {
    shopMoney: { amount: minorToDecimal(shopMinor, shopCurrency), currencyCode: shopCurrency },
    presentmentMoney: { amount: minorToDecimal(presentmentMinor, presentmentCurrency), currencyCode: presentmentCurrency },
  };
}

import { currencyExponent, formatMinorUnits, parseMinorUnits } from '@clvlens/core';
import type { CurrencyCode, DecimalString, MoneyBag } from './types.ts';

/** Number of minor-unit digits of a currency (JPY 0, USD 2, KWD 3): core's one ISO 4217 table. */
export { currencyExponent };

/** Formats integer minor units as Shopify's decimal string (`10495, 'USD'` -> `"104.95"`, `1200, 'JPY'` -> `"1200"`). */
export function minorToDecimal(amountMinor: number, currency: CurrencyCode): DecimalString {
  return formatMinorUnits(amountMinor, currency);
}

/** Parses Shopify's decimal string into integer minor units (`"104.95", 'USD'` -> `10495`); throws on bad input. */
export function decimalToMinor(amount: DecimalString, currency: CurrencyCode): number {
  const parsed = parseMinorUnits(amount, currency);
  if (!parsed.ok) throw new RangeError(`${JSON.stringify(amount)} is not a ${currency} amount: ${parsed.reason}`);
  return parsed.value;
}

/** Builds a MoneyBag from minor units in the shop and presentment currencies. */
export function moneyBag(shopMinor: number, shopCurrency: CurrencyCode, presentmentMinor: number, presentmentCurrency: CurrencyCode): MoneyBag {
  return {
    shopMoney: { amount: minorToDecimal(shopMinor, shopCurrency), currencyCode: shopCurrency },
    presentmentMoney: { amount: minorToDecimal(presentmentMinor, presentmentCurrency), currencyCode: presentmentCurrency },
  };
}

/**
 * ISO 4217 currency codes (List One, the current funds codes included) with their minor-unit exponent, plus the
 * withdrawn codes Shopify's `CurrencyCode` enum still lists (BYR, EEK, HRK, LTL, LVL, MRO, SLL, STD, VEF, ...), with the exponent
 * they had. Codes without a minor unit in ISO 4217 (XAU, XDR, XXX, ...) are left out: no shop sells in them.
 * Source: ISO 4217 amendment list (SIX Group "list-one.xml"), checked against Shopify's Admin API `CurrencyCode` enum.
 */
const TABLE = `
0: BIF BYR CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF
3: BHD IQD JOD KWD LYD OMR TND
4: CLF UYW
2: AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF
   CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EEK EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HRK
   HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL LTL LVL MAD MDL MGA MKD MMK MNT MOP
   MRO MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG
   SEK SGD SHP SLE SLL SOS SRD SSP STD STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VEF
   VES WST XCD XCG YER ZAR ZMW ZWG ZWL
`;

/**
 * Code -> number of minor-unit digits. Kept as a table rather than Intl's CLDR digits, which disagree with ISO for some
 * currencies (IQD, for example) and with what Shopify sends. The one copy in the monorepo: the app, the CLI and the
 * test generator read it through {@link currencyExponent} in `money.ts`.
 */
export const CURRENCY_EXPONENTS: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  let exponent = 2;
  for (const token of TABLE.split(/\s+/)) {
    if (token === '') continue;
    if (token.endsWith(':')) exponent = Number(token.slice(0, -1));
    else map.set(token, exponent);
  }
  return map;
})();

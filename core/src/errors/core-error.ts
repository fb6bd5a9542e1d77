/**
 * Stable error codes of `@clvlens/core`. Listed in core/README.md; consumers switch on `code`, never on the message.
 */
export const CoreErrorCode = {
  /** Two amounts in different ISO 4217 currencies were about to be added. */
  currencyMismatch: 'currency-mismatch',
  /** A currency code is not three upper-case letters, or has no minor-unit exponent in the ISO 4217 table. */
  invalidCurrency: 'invalid-currency',
  /** The IANA time zone name is unknown to this runtime's Intl. */
  invalidTimeZone: 'invalid-time-zone',
  /** An order record breaks the OrderRecord contract (field named in the message). */
  invalidOrder: 'invalid-order',
  /** A survey response score is outside its scale. */
  invalidSurveyResponse: 'invalid-survey-response',
  /** A marketing-spend entry is malformed. */
  invalidSpend: 'invalid-spend',
  /** A function argument is out of range (a programming error in the caller). */
  invalidArgument: 'invalid-argument',
} as const;
export type CoreErrorCode = (typeof CoreErrorCode)[keyof typeof CoreErrorCode];

/** The one error class of `@clvlens/core`: thrown for bad arguments and broken contracts, never for expected data outcomes. */
export class CoreError extends Error {
  override name = 'CoreError';
  readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Thrown instead of adding amounts in two currencies: core never sums across currencies silently. */
export class CurrencyMismatchError extends CoreError {
  override name = 'CurrencyMismatchError';
  readonly expected: string;
  readonly actual: string;

  constructor(expected: string, actual: string, where: string) {
    super(
      CoreErrorCode.currencyMismatch,
      `${where}: amount in ${actual} cannot be combined with ${expected}. Convert to the shop currency (Shopify shopMoney) before calling core.`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

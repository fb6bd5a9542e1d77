/** Stable codes of {@link FakeShopifyError}. */
export const FAKE_SHOPIFY_ERROR_CODES = {
  unknownShop: 'UNKNOWN_SHOP',
  duplicateShop: 'DUPLICATE_SHOP',
  unknownOrder: 'UNKNOWN_ORDER',
  unknownCustomer: 'UNKNOWN_CUSTOMER',
  duplicateId: 'DUPLICATE_ID',
  badInput: 'BAD_INPUT',
  notStarted: 'NOT_STARTED',
} as const;
export type FakeShopifyErrorCode = (typeof FAKE_SHOPIFY_ERROR_CODES)[keyof typeof FAKE_SHOPIFY_ERROR_CODES];

/** Misuse of the fake Shopify's control API (unknown shop, duplicate id, malformed input). */
export class FakeShopifyError extends Error {
  override name = 'FakeShopifyError';
  readonly code: FakeShopifyErrorCode;
  constructor(code: FakeShopifyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

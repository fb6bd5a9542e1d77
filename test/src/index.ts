// Public entry of @clvlens/test.

// --- shop model (fake shopify)
export { SHOP_PLANS } from './shop-model/types.ts';
export type {
  CurrencyCode,
  Customer,
  CustomerState,
  DecimalString,
  DiscountApplication,
  FinancialStatus,
  FulfillmentStatus,
  LineItem,
  MailingAddress,
  MoneyBag,
  MoneyV2,
  Order,
  OrderCancelReason,
  PlanName,
  Refund,
  RefundLineItem,
  ShippingLine,
  Shop,
  ShopData,
  ShopPlan,
} from './shop-model/types.ts';
export { currencyExponent, decimalToMinor, minorToDecimal, moneyBag } from './shop-model/money.ts';

// --- fake shopify
export { createFakeShopify } from './fake-shopify/server.ts';
export type {
  AppWebhookSubscription,
  CreateFakeShopifyOptions,
  CreateShopInput,
  FakeShopify,
  FakeShopifyControl,
  FaultSpec,
  PrebuiltBulkFile,
  RefundInput,
} from './fake-shopify/server.ts';
export { fakeShopifyFetch, installFakeShopifyFetch } from './fake-shopify/fetch.ts';
export { loadFlowTriggers } from './fake-shopify/flow-triggers.ts';
export type { FlowTriggerDefinition, FlowTriggerEvent, FlowTriggerField } from './fake-shopify/flow-triggers.ts';
export { mintSessionToken, verifySessionToken } from './fake-shopify/session-token.ts';
export type { MintSessionTokenOptions, SessionTokenPayload } from './fake-shopify/session-token.ts';
export { webhookHmac, DEFAULT_WEBHOOK_RETRY } from './fake-shopify/webhooks.ts';
export type { WebhookChaos, WebhookDelivery, WebhookRetryPolicy } from './fake-shopify/webhooks.ts';
export { COMPLIANCE_TOPICS, WEBHOOK_TOPICS } from './fake-shopify/topics.ts';
export type { ComplianceTopic, WebhookTopic } from './fake-shopify/topics.ts';
export { FAKE_SHOPIFY_ERROR_CODES, FakeShopifyError } from './fake-shopify/errors.ts';
export type { FakeShopifyErrorCode } from './fake-shopify/errors.ts';
export { toGid, parseGid } from './fake-shopify/gid.ts';

// --- generator
export { generateShop, generateShopStream, shopHandle } from './generator/generate.ts';
export type { GeneratedShopStream, ShopSource } from './generator/generate.ts';
export { DEFAULT_BEHAVIOUR, DEFAULT_PROCESS } from './generator/options.ts';
export type { GenerateShopOptions, PurchaseProcessParams, ShopBehaviour } from './generator/options.ts';
export { exportFinancialStatus, refundedMinorOf, SHOPIFY_ORDERS_EXPORT_HEADER, writeShopifyOrdersExport } from './generator/shopify-export.ts';
export type { OrdersExportOptions, WriteSummary } from './generator/shopify-export.ts';
export { toOrderRecord, toOrderRecords, TRANSACTION_LOG_HEADER, writeTransactionLog } from './generator/truth.ts';
export { Random } from './generator/random.ts';
export type { WritableLike } from './generator/csv.ts';
export { startLiveShop } from './generator/live.ts';
export type { LiveAction, LiveShop, StartLiveShopOptions } from './generator/live.ts';

/**
 * The in-memory state of one fake Shopify shop: what the generator fills and what the fake Shopify serves.
 *
 * Shapes follow Shopify's GraphQL Admin API (`Order`, `Customer`, `LineItem`, `Refund`, `MoneyBag`) so the fake maps
 * them field by field; the REST-shaped webhook payloads are derived from the same records. Differences from the
 * GraphQL wire shape, on purpose:
 * - ids are the numeric `legacyResourceId` (a safe integer); the fake builds the GIDs (`gid://shopify/Order/<id>`);
 * - times are UTC epoch milliseconds (`...AtMs`, house style); the fake prints them as ISO 8601 `DateTime`;
 * - derived amounts (`totalRefundedSet`, `currentTotalPriceSet`, `displayFinancialStatus` after refunds) are computed
 *   by the fake from the refunds, so the truth has one source.
 *
 * Money is Shopify's: decimal strings with the currency's exponent (`"104.95"`, `"1200"` for JPY), shop currency in
 * `shopMoney`, the buyer's currency in `presentmentMoney`.
 */

/** A decimal amount as Shopify prints it (`"104.95"`); never a float. */
export type DecimalString = string;

/** ISO 4217 currency code (`"USD"`). */
export type CurrencyCode = string;

/** Shopify `MoneyV2`. */
export interface MoneyV2 {
  amount: DecimalString;
  currencyCode: CurrencyCode;
}

/** Shopify `MoneyBag`: one amount in the shop currency and in the presentment (buyer) currency. */
export interface MoneyBag {
  shopMoney: MoneyV2;
  presentmentMoney: MoneyV2;
}

/** Shopify plan names as the fake knows them; each sets the GraphQL leaky bucket. */
export type PlanName = 'Basic' | 'Shopify' | 'Advanced' | 'Plus' | 'Enterprise';

/** Cost-based GraphQL rate limit of a plan (Shopify rate-limits doc, `throttleStatus`). */
export interface ShopPlan {
  name: PlanName;
  /** `throttleStatus.maximumAvailable`, in cost points. */
  bucketSize: number;
  /** `throttleStatus.restoreRate`, in cost points per second. */
  restoreRatePerSecond: number;
}

/** Shopify plans with their published restore rates (Standard 100/s, Advanced 200/s, Plus 1000/s, Enterprise 2000/s). */
export const SHOP_PLANS = {
  Basic: { name: 'Basic', bucketSize: 2000, restoreRatePerSecond: 100 },
  Shopify: { name: 'Shopify', bucketSize: 2000, restoreRatePerSecond: 100 },
  Advanced: { name: 'Advanced', bucketSize: 4000, restoreRatePerSecond: 200 },
  Plus: { name: 'Plus', bucketSize: 20000, restoreRatePerSecond: 1000 },
  Enterprise: { name: 'Enterprise', bucketSize: 40000, restoreRatePerSecond: 2000 },
} as const satisfies Record<PlanName, ShopPlan>;

/** The shop itself (GraphQL `Shop`, REST shop resource). */
export interface Shop {
  /** Numeric shop id. */
  id: number;
  /** `<handle>.myshopify.com`, lower case: the routing key of the fake. */
  domain: string;
  name: string;
  email: string;
  /** Shop currency: every `shopMoney` is in it. */
  currencyCode: CurrencyCode;
  /** IANA time zone (`"America/New_York"`): calendar periods are computed in it. */
  ianaTimezone: string;
  plan: ShopPlan;
  createdAtMs: number;
}

/** A postal address (GraphQL `MailingAddress`), used by orders and customers and by the CSV export. */
export interface MailingAddress {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  provinceCode: string | null;
  zip: string | null;
  country: string | null;
  /** ISO 3166-1 alpha-2 (`countryCodeV2`). */
  countryCode: string | null;
  phone: string | null;
}

/** GraphQL `CustomerState`. */
export type CustomerState = 'DECLINED' | 'DISABLED' | 'ENABLED' | 'INVITED';

/** A customer (GraphQL `Customer`). Totals (`numberOfOrders`, `amountSpent`) are derived from the orders. */
export interface Customer {
  /** Numeric id (`legacyResourceId`), a safe integer. */
  id: number;
  /** `defaultEmailAddress.emailAddress`; null when the customer has only a phone. */
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  state: CustomerState;
  verifiedEmail: boolean;
  taxExempt: boolean;
  acceptsMarketing: boolean;
  note: string | null;
  tags: string[];
  defaultAddress: MailingAddress | null;
}

/** A line item (GraphQL `LineItem`). */
export interface LineItem {
  /** Numeric id, unique in the shop. */
  id: number;
  productId: number | null;
  variantId: number | null;
  /** Product title (`title`). */
  title: string;
  /** Variant title (`variantTitle`), e.g. `"M / Blue"`; null for single-variant products. */
  variantTitle: string | null;
  sku: string | null;
  vendor: string | null;
  quantity: number;
  /** Quantity after refunds/removals (`currentQuantity`); the generator keeps it consistent with refunds. */
  currentQuantity: number;
  /** Unit price before discounts (`originalUnitPriceSet`). */
  originalUnitPriceSet: MoneyBag;
  /** Discount allocated to this line, whole line (`totalDiscountSet`). */
  totalDiscountSet: MoneyBag;
  requiresShipping: boolean;
  taxable: boolean;
  /** Subscription selling plan name when the line was bought on a plan (`sellingPlan.name`), else null. */
  sellingPlanName: string | null;
}

/** One line of a refund (GraphQL `RefundLineItem`). */
export interface RefundLineItem {
  id: number;
  lineItemId: number;
  quantity: number;
  restockType: 'NO_RESTOCK' | 'CANCEL' | 'RETURN' | 'LEGACY_RESTOCK';
  subtotalSet: MoneyBag;
  totalTaxSet: MoneyBag;
}

/** A refund (GraphQL `Refund`). `totalRefundedSet` is the money returned to the buyer. */
export interface Refund {
  /** Numeric id, unique in the shop. */
  id: number;
  createdAtMs: number;
  /** When the refund transaction was processed; usually equal to `createdAtMs`. */
  processedAtMs: number;
  note: string | null;
  totalRefundedSet: MoneyBag;
  refundLineItems: RefundLineItem[];
  /** The payment gateway of the refund transaction (`"shopify_payments"`). */
  gateway: string;
}

/** GraphQL `OrderCancelReason`. */
export type OrderCancelReason = 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF';

/**
 * GraphQL `OrderDisplayFinancialStatus` as of placement/payment. The fake reports `PARTIALLY_REFUNDED` / `REFUNDED`
 * by itself once refunds exist, and `VOIDED` stays as given.
 */
export type FinancialStatus = 'PENDING' | 'AUTHORIZED' | 'PARTIALLY_PAID' | 'PAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED' | 'EXPIRED';

/** GraphQL `OrderDisplayFulfillmentStatus` (subset). */
export type FulfillmentStatus = 'UNFULFILLED' | 'PARTIALLY_FULFILLED' | 'FULFILLED' | 'RESTOCKED';

/** The shipping method of an order (GraphQL `ShippingLine`). */
export interface ShippingLine {
  title: string;
  code: string | null;
  originalPriceSet: MoneyBag;
}

/** A discount code applied to an order (`discountCodes`, and REST `discount_codes`). */
export interface DiscountApplication {
  code: string;
  /** Amount taken off the order. */
  amountSet: MoneyBag;
  type: 'percentage' | 'fixed_amount' | 'shipping';
}

/**
 * An order (GraphQL `Order`). Invariant the generator keeps: `totalPriceSet = subtotalPriceSet +
 * totalShippingPriceSet + totalTaxSet` where `subtotalPriceSet` is after discounts (Shopify's definition), in both
 * currencies; all `shopMoney` amounts are in `Shop.currencyCode` and `currencyCode` equals it.
 */
export interface Order {
  /** Numeric id (`legacyResourceId`), a safe integer, unique in the shop. */
  id: number;
  /** `"#1001"`: the shop's order name. */
  name: string;
  /** The number in the name (`1001`). */
  orderNumber: number;
  /** Buyer email; guests have one too (null only for orders without contact, e.g. some POS orders). */
  email: string | null;
  phone: string | null;
  /** Numeric customer id, or null for a guest checkout. */
  customerId: number | null;
  createdAtMs: number;
  /** When the order was placed/imported (`processedAt`); may precede `createdAtMs` for imported orders. */
  processedAtMs: number;
  /** Last change; the fake bumps it on every control-API change. */
  updatedAtMs: number;
  cancelledAtMs: number | null;
  cancelReason: OrderCancelReason | null;
  closedAtMs: number | null;
  /** A test order (Bogus gateway / test mode). */
  test: boolean;
  /** Shop currency (`currencyCode`). */
  currencyCode: CurrencyCode;
  /** Buyer currency (`presentmentCurrencyCode`). */
  presentmentCurrencyCode: CurrencyCode;
  /** Line items total after discounts (`subtotalPriceSet`). */
  subtotalPriceSet: MoneyBag;
  totalShippingPriceSet: MoneyBag;
  totalTaxSet: MoneyBag;
  /** Total discounts (`totalDiscountsSet`). */
  totalDiscountsSet: MoneyBag;
  /** What the buyer paid at checkout (`totalPriceSet`). */
  totalPriceSet: MoneyBag;
  lineItems: LineItem[];
  refunds: Refund[];
  shippingLine: ShippingLine | null;
  discountCodes: DiscountApplication[];
  /** Status at payment time; refunds move it to PARTIALLY_REFUNDED/REFUNDED (derived by the fake). */
  financialStatus: FinancialStatus;
  fulfillmentStatus: FulfillmentStatus;
  tags: string[];
  /** `sourceName`: `"web"`, `"pos"`, `"shopify_draft_order"`, `"subscription_contract"`, ... */
  sourceName: string;
  /**
   * True for a recurring subscription order. Shopify has no single flag: the fake exposes it as line items with a
   * `sellingPlan` and, for renewals, `sourceName: "subscription_contract"`. Kept explicit so the truth is exact.
   */
  subscription: boolean;
  /** Payment gateways used (`paymentGatewayNames`), e.g. `["shopify_payments"]`. */
  paymentGatewayNames: string[];
  note: string | null;
  billingAddress: MailingAddress | null;
  shippingAddress: MailingAddress | null;
}

/** Everything loaded into one shop of the fake at once (the generator's output). */
/**
 * A marketing activity as the Admin API shows it (`MarketingActivity`, scope `read_marketing_events`): what a marketing
 * app (ads, email) reported to Shopify, with its ad spend so far and the event's running dates.
 */
export interface MarketingActivity {
  /** Numeric id of the `gid://shopify/MarketingActivity/<id>`. */
  id: number;
  title: string;
  createdAtMs: number;
  updatedAtMs: number;
  /** `adSpend` (MoneyV2): spent so far; null when the app reported none. */
  adSpend: { amount: string; currencyCode: string } | null;
  /** `budget`: what the merchant planned, daily or for the whole activity. */
  budget: { budgetType: 'DAILY' | 'LIFETIME'; total: { amount: string; currencyCode: string } } | null;
  /** `marketingEvent.startedAt` / `endedAt`; null end while it runs. Null: no event (activity not started). */
  event: { id: number; startedAtMs: number; endedAtMs: number | null } | null;
}

export interface ShopData {
  shop: Shop;
  customers: Customer[];
  orders: Order[];
}

import type {
  Customer,
  MarketingActivity,
  MoneyBag,
  Order,
  OrderCancelReason,
  PlanName,
  Refund,
  RefundLineItem,
  Shop,
  ShopData,
  ShopPlan,
} from '../shop-model/types.ts';
import type { FlowTriggerEvent } from './flow-triggers.ts';
import type { MetafieldDefinitionRecord } from './metafields.ts';
import type { WebhookChaos, WebhookDelivery, WebhookRetryPolicy } from './webhooks.ts';

// The fake's public surface: its options, the control API and the handle createFakeShopify returns. Kept apart from
// the factories so each of them can name these types without importing server.ts.

/** An app-wide webhook subscription, as `[[webhooks.subscriptions]]` in `shopify.app.toml`. */
export interface AppWebhookSubscription {
  topics: readonly string[];
  /** Absolute URL the fake POSTs to (the app's `/webhooks` route on loopback). */
  uri: string;
}

/** Options of {@link createFakeShopify}. */
export interface CreateFakeShopifyOptions {
  /** The app's API key (client id). */
  appApiKey: string;
  /** The app's secret: signs webhooks, verifies session tokens. */
  appSecret: string;
  /** Scopes granted on install. Default: what CLV Lens asks for (read_orders, read_customers, read_all_orders, write_customers). */
  scopes?: readonly string[];
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (ephemeral: undici refuses some fixed "bad ports"). */
  port?: number;
  /** App-wide subscriptions (TOML). Can be changed later with `control.setAppWebhooks`. */
  appWebhooks?: readonly AppWebhookSubscription[];
  /** Where the compliance topics go (TOML `compliance_topics`). */
  complianceWebhooksUri?: string | null;
  /** API version of app-wide webhook payloads (`X-Shopify-API-Version`). Default 2026-07. */
  webhooksApiVersion?: string;
  /** Total time allowed per delivery attempt, ms. Default 5000 (Shopify's 5 s). */
  webhookTimeoutMs?: number;
  /** Retry policy; default 8 retries with 1 s, 2 s, 4 s ... (capped at 60 s) backoff. */
  webhookRetry?: WebhookRetryPolicy;
  /** Duplicates, reordering, drops. Default none. */
  webhookChaos?: WebhookChaos;
  /** Seed of the chaos RNG. Default 1. */
  seed?: number;
  /** Base clock, UTC epoch ms. Default Date.now; `control.advanceClock` adds to it. */
  now?: () => number;
  /** Directory for bulk result files; default a fresh temp dir removed by `stop()`. */
  bulkDir?: string;
  /** Numeric id of the app: its reserved metafield namespace `$app` is `app--<appId>`. Default 4242. */
  appId?: number;
  /**
   * How many times faster than the clock the leaky bucket refills (benchmarks only: a 66-minute sync at Shopify's
   * limits then runs in seconds; the bench reports the modeled time from the cost points). Default 1.
   */
  throttleTimeScale?: number;
  /**
   * Folder of the app's extensions, one sub-folder each with its `shopify.extension.toml`: its `flow_trigger`
   * extensions are the triggers `flowTriggerReceive` accepts. Default: this repository's `shopify-app/extensions/`.
   */
  extensionsDir?: string;
}

/** A fault to inject into the next matching request(s). */
export interface FaultSpec {
  /** Respond with this status instead of serving the request (429, 500, 502, 503, 504...). */
  status?: number;
  /** Seconds for `Retry-After` (429 and 503). Default 2 for 429. */
  retryAfterSeconds?: number;
  /** Wait this long before responding (slow response); alone it delays a normal response. */
  delayMs?: number;
  /** How many requests it applies to. Default 1. */
  times?: number;
  /** Which endpoint. Default 'graphql'. */
  route?: 'graphql' | 'oauth' | 'bulk-file' | 'any';
  /** Only requests for this shop domain. */
  shop?: string;
}

/** Input of `control.createShop`. */
export interface CreateShopInput {
  /** `<handle>.myshopify.com` or just the handle. */
  domain: string;
  name?: string;
  email?: string;
  currencyCode?: string;
  ianaTimezone?: string;
  plan?: PlanName | ShopPlan;
  id?: number;
  createdAtMs?: number;
  /** Whether the app is installed (tokens can be issued). Default true. */
  installed?: boolean;
}

/** Input of `control.refundOrder`. */
export interface RefundInput {
  /** Amount returned in the shop currency, minor units; the presentment amount follows the order's rate. */
  amountShopMinor?: number;
  /** Or the exact bag. */
  totalRefundedSet?: MoneyBag;
  refundLineItems?: Omit<RefundLineItem, 'id'>[];
  note?: string | null;
  createdAtMs?: number;
  gateway?: string;
}

/** A JSONL file standing in for a bulk query's result, with the counts Shopify reports for it. */
export interface PrebuiltBulkFile {
  path: string;
  /** Lines of the file (`objectCount`). */
  objectCount: number;
  /** Lines without `__parentId` (`rootObjectCount`). */
  rootObjectCount: number;
}

/** The in-process control API (also served over HTTP under `/_control/`). */
export interface FakeShopifyControl {
  createShop(input: CreateShopInput): Shop;
  /** Creates the shop if needed and replaces its customers and orders (no webhooks). */
  loadShop(data: ShopData, options?: { installed?: boolean }): void;
  shops(): Shop[];
  /** What the fake holds for a shop: shop, customers and orders (live objects; do not mutate). */
  truth(domain: string): ShopData;
  addCustomer(domain: string, customer: Customer): Customer;
  /** Adds a marketing activity (what a marketing app reports to Shopify; no webhook). */
  addMarketingActivity(domain: string, activity: MarketingActivity): MarketingActivity;
  updateCustomer(domain: string, id: number, patch: Partial<Omit<Customer, 'id'>>): Customer;
  deleteCustomer(domain: string, id: number): void;
  addOrder(domain: string, order: Order): Order;
  updateOrder(domain: string, id: number, patch: Partial<Omit<Order, 'id'>>): Order;
  cancelOrder(domain: string, id: number, options?: { reason?: OrderCancelReason; atMs?: number }): Order;
  /** Deletes an order (`orders/delete` with only the id). */
  deleteOrder(domain: string, id: number): void;
  refundOrder(domain: string, id: number, refund: RefundInput): Refund;
  /** Uninstalls the app: tokens revoked at once, `app/uninstalled` sent, shop subscriptions removed. */
  uninstall(domain: string): void;
  install(domain: string): void;
  requestCustomerData(domain: string, customerId: number): void;
  redactCustomer(domain: string, customerId: number): void;
  redactShop(domain: string): void;
  mintSessionToken(domain: string, options?: { userId?: string; lifetimeSeconds?: number }): string;
  /** A non-expiring offline token, as an app installed before expiring tokens holds. */
  issueOfflineToken(domain: string): string;
  /** A one-time code for the authorization code grant. */
  issueAuthorizationCode(domain: string, options?: { online?: boolean }): string;
  setAppWebhooks(subs: readonly AppWebhookSubscription[], complianceUri?: string | null): void;
  setWebhookChaos(chaos: WebhookChaos): void;
  deliveries(filter?: { shop?: string; topic?: string }): WebhookDelivery[];
  /** Resolves when no webhook delivery is pending or waiting for a retry. */
  webhooksIdle(): Promise<void>;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** The shop's leaky bucket now. */
  throttleStatus(domain: string): { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
  /** Sets the points left in the shop's bucket now (as if another client of the app had just spent the rest). */
  setThrottleAvailable(domain: string, points: number): void;
  /** Resolves when no bulk operation of the shop is running. */
  bulkIdle(domain: string): Promise<void>;
  /**
   * From now on the shop's bulk queries on `orders` complete with this prebuilt JSONL file as their result (served
   * like any result file) instead of an export of the shop's orders held in the fake; null goes back to exporting.
   * For benches whose shop is too large to hold in memory (10,000,000 orders): the protocol (start, status polls,
   * counts, url, download) stays the real one, the file must be what the query would have produced.
   */
  useBulkOrdersFile(domain: string, file: PrebuiltBulkFile | null): void;
  /** The customer's metafields with their definitions' names (what the admin's customer page shows), in definition order. */
  customerMetafields(domain: string, customerId: number): CustomerMetafieldView[];
  /** The shop's metafield definitions. */
  metafieldDefinitions(domain: string): MetafieldDefinitionRecord[];
  /** Throttled answers and cost points spent per shop since start (what a benchmark reports). */
  graphqlUsage(domain: string): { requests: number; throttled: number; actualCostPoints: number };
  /** The Flow trigger calls Shopify accepted (`flowTriggerReceive`), oldest first. */
  flowTriggerEvents(filter?: { shop?: string; handle?: string }): FlowTriggerEvent[];
  advanceClock(ms: number): void;
  nowMs(): number;
}

/** A metafield as the admin's customer page lists it. */
export interface CustomerMetafieldView {
  namespace: string;
  key: string;
  /** The definition's name, or null for an unstructured metafield. */
  name: string | null;
  type: string;
  value: string;
  updatedAtMs: number;
}

export interface FakeShopify {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  control: FakeShopifyControl;
  /** The app credentials the fake was started with. */
  app: { apiKey: string; apiSecret: string; scopes: readonly string[] };
  stop(): Promise<void>;
}

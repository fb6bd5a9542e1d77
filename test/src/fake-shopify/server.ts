import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { GraphQLError, buildSchema, execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
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
import { SHOP_PLANS } from '../shop-model/types.ts';
import { decimalToMinor, minorToDecimal } from '../shop-model/money.ts';
import { runBulkQuery, validateBulkQuery } from './bulk.ts';
import { createClock, isoDateTime, type FakeClock } from './clock.ts';
import { actualQueryCost, requestedQueryCost } from './cost.ts';
import { FakeShopifyError } from './errors.ts';
import { toGid } from './gid.ts';
import { OAuthServer, oauthQueryHmac } from './oauth.ts';
import { attachResolvers, type GqlContext, type GqlEnv } from './resolvers.ts';
import { customerDeletePayload, customerPayload, orderPayload, refundPayload, shopPayload, trimPayload } from './rest-payloads.ts';
import { Random } from '../generator/random.ts';
import { FULL_SDL } from './schema-sdl.ts';
import { FlowTriggerReceiver, loadFlowTriggers, type FlowTriggerEvent } from './flow-triggers.ts';
import { mintSessionToken } from './session-token.ts';
import { ShopStore, type BulkOperationRecord, type WebhookSubscriptionRecord } from './shop-store.ts';
import type { MetafieldDefinitionRecord } from './metafields.ts';
import { webhookFilterMatches } from './webhook-filter.ts';
import { COMPLIANCE_TOPICS, WEBHOOK_TOPICS, type AnyTopic } from './topics.ts';
import { DEFAULT_WEBHOOK_RETRY, WebhookDispatcher, type WebhookChaos, type WebhookDelivery, type WebhookRetryPolicy } from './webhooks.ts';

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

const DEFAULT_SCOPES = ['read_orders', 'read_customers', 'read_all_orders', 'write_customers'] as const;
const MAX_QUERY_COST = 1000;
const API_VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;
const INVALID_TOKEN_BODY = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };

function normalizeDomain(domain: string): string {
  const d = domain.trim().toLowerCase();
  return d.endsWith('.myshopify.com') ? d : `${d}.myshopify.com`;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'X-Request-Id': randomUUID(),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Shopify's version ordering: `unstable` is the newest. */
function versionAtLeast(v: string, min: string): boolean {
  return v === 'unstable' || v >= min;
}

/**
 * Starts a fake Shopify on loopback: token endpoint, GraphQL Admin API subset, bulk operations, webhooks, a
 * control API. Route a request to a shop with the `X-Forwarded-Host: <shop>` header (what {@link fakeShopifyFetch}
 * adds), a `/_shop/<shop>` path prefix, or a `Host: <shop>` header.
 */
export async function createFakeShopify(options: CreateFakeShopifyOptions): Promise<FakeShopify> {
  const clock: FakeClock = createClock(options.now);
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  const webhooksApiVersion = options.webhooksApiVersion ?? '2026-07';
  const ownDir = options.bulkDir === undefined;
  const bulkDir = options.bulkDir ?? (await mkdtemp(join(tmpdir(), 'clvlens-fake-shopify-')));
  const stores = new Map<string, ShopStore>();
  const faults: (FaultSpec & { left: number })[] = [];
  const bulkFiles = new Map<string, string>();
  const bulkTokens = new Map<BulkOperationRecord, string>();
  const runningBulk = new Map<string, Set<Promise<void>>>();
  let appSubs: WebhookSubscriptionRecord[] = [];
  let complianceUri: string | null = options.complianceWebhooksUri ?? null;
  let nextSubId = 1;
  let nextBulkId = 1;
  let nextShopId = 1;
  let chaos: WebhookChaos = { ...(options.webhookChaos ?? {}) };
  let baseUrl = '';

  const flow = new FlowTriggerReceiver(loadFlowTriggers(options.extensionsDir));
  const schema: GraphQLSchema = buildSchema(FULL_SDL);
  const validDocuments = new Map<string, DocumentNode>();
  attachResolvers(schema);

  const oauth = new OAuthServer({
    apiKey: options.appApiKey,
    apiSecret: options.appSecret,
    scopes,
    nowMs: clock.nowMs,
    isInstalled: (shop) => stores.get(shop)?.installed ?? false,
  });

  const dispatcher = new WebhookDispatcher({
    appSecret: options.appSecret,
    clock,
    rng: new Random(options.seed ?? 1),
    timeoutMs: options.webhookTimeoutMs ?? 5000,
    retry: options.webhookRetry ?? DEFAULT_WEBHOOK_RETRY,
    get chaos() {
      return chaos;
    },
    onExhausted: (d) => {
      // Shopify deletes Admin-API subscriptions after the retries fail; app-wide (TOML) ones stay.
      const store = stores.get(d.shop);
      if (store === undefined) return;
      const i = store.subscriptions.findIndex((s) => s.id === d.subscriptionId);
      if (i >= 0) store.subscriptions.splice(i, 1);
    },
  });

  function setAppWebhooks(subs: readonly AppWebhookSubscription[], compliance?: string | null): void {
    const now = clock.nowMs();
    appSubs = [];
    for (const s of subs) {
      for (const topic of s.topics) {
        if (!(WEBHOOK_TOPICS as readonly string[]).includes(topic)) {
          throw new FakeShopifyError('BAD_INPUT', `unknown webhook topic ${topic}; known: ${WEBHOOK_TOPICS.join(', ')}`);
        }
        appSubs.push({
          id: nextSubId++,
          topic,
          uri: s.uri,
          format: 'JSON',
          includeFields: [],
          filter: null,
          apiVersion: webhooksApiVersion,
          createdAtMs: now,
          updatedAtMs: now,
          source: 'app',
        });
      }
    }
    if (compliance !== undefined) complianceUri = compliance;
  }
  setAppWebhooks(options.appWebhooks ?? []);

  function store(domain: string): ShopStore {
    const s = stores.get(normalizeDomain(domain));
    if (s === undefined) throw new FakeShopifyError('UNKNOWN_SHOP', `no shop ${domain} in the fake; create it with control.createShop`);
    return s;
  }

  /** Sends one merchant action's webhooks (one Event-Id across topics and subscriptions). */
  function emit(s: ShopStore, events: { topic: AnyTopic; payload: Record<string, unknown> }[]): void {
    const eventId = randomUUID();
    for (const { topic, payload } of events) {
      if ((COMPLIANCE_TOPICS as readonly string[]).includes(topic)) {
        if (complianceUri !== null) {
          dispatcher.send({ shop: s.shop.domain, topic, uri: complianceUri, apiVersion: webhooksApiVersion, payload, eventId, subscriptionId: 0 });
        }
        continue;
      }
      if (!s.installed && topic !== 'app/uninstalled') continue;
      for (const sub of [...appSubs, ...s.subscriptions]) {
        if (sub.topic !== topic || !webhookFilterMatches(sub.filter, payload)) continue;
        dispatcher.send({
          shop: s.shop.domain,
          topic,
          uri: sub.uri,
          apiVersion: sub.apiVersion,
          payload: trimPayload(payload, sub.includeFields),
          eventId,
          subscriptionId: sub.source === 'shop' ? sub.id : 0,
        });
      }
    }
  }

  const orderEvent = (s: ShopStore, o: Order, topic: AnyTopic) => ({
    topic,
    payload: orderPayload(o, o.customerId === null ? null : (s.customers.get(o.customerId) ?? null), s.shop),
  });

  const throttleTimeScale = options.throttleTimeScale ?? 1;
  const usage = new Map<string, { requests: number; throttled: number; actualCostPoints: number }>();
  const usageOf = (s: ShopStore) => {
    let u = usage.get(s.shop.domain);
    if (u === undefined) usage.set(s.shop.domain, (u = { requests: 0, throttled: 0, actualCostPoints: 0 }));
    return u;
  };

  function refreshBucket(s: ShopStore): void {
    const now = clock.nowMs();
    const restored = ((now - s.bucketAtMs) / 1000) * s.shop.plan.restoreRatePerSecond * throttleTimeScale;
    s.bucketAvailable = Math.min(s.shop.plan.bucketSize, s.bucketAvailable + restored);
    s.bucketAtMs = now;
  }

  function throttleStatus(s: ShopStore) {
    refreshBucket(s);
    return {
      maximumAvailable: s.shop.plan.bucketSize,
      currentlyAvailable: Math.floor(s.bucketAvailable),
      restoreRate: s.shop.plan.restoreRatePerSecond,
    };
  }

  function bulkResultUrl(_s: ShopStore, op: BulkOperationRecord): string | null {
    if (op.status !== 'COMPLETED' || op.filePath === null) return null;
    let token = bulkTokens.get(op);
    if (token === undefined) {
      token = randomBytes(12).toString('hex');
      bulkTokens.set(op, token);
      bulkFiles.set(token, op.filePath);
    }
    return `${baseUrl}/_bulk/${token}.jsonl`;
  }

  const env: GqlEnv = {
    nowMs: clock.nowMs,
    appId: options.appId ?? 4242,
    bulkResultUrl,
    startBulkQuery(s, query, ctx) {
      const limit = versionAtLeast(ctx.apiVersion, '2026-01') ? 5 : 1;
      const running = s.bulkOperations.filter((b) => b.type === 'QUERY' && (b.status === 'CREATED' || b.status === 'RUNNING'));
      if (running.length >= limit) {
        const which = running[running.length - 1] as BulkOperationRecord;
        return {
          op: null,
          userErrors: [
            {
              field: null,
              code: 'OPERATION_IN_PROGRESS',
              message: `A bulk query operation for this app and shop is already in progress: ${toGid('BulkOperation', which.id)}.`,
            },
          ],
        };
      }
      const v = validateBulkQuery(schema, query);
      if (!v.ok) return { op: null, userErrors: [{ field: ['query'], code: 'INVALID', message: v.message }] };
      const op: BulkOperationRecord = {
        id: nextBulkId++,
        status: 'CREATED',
        errorCode: null,
        createdAtMs: clock.nowMs(),
        completedAtMs: null,
        objectCount: 0,
        rootObjectCount: 0,
        fileSize: null,
        filePath: null,
        query,
        type: 'QUERY',
        cancelRequested: false,
      };
      s.bulkOperations.push(op);
      const filePath = join(bulkDir, `bulk-${s.shop.id}-${op.id}.jsonl`);
      const run = (async () => {
        await sleep(0);
        try {
          await runBulkQuery({ schema, filePath, yieldToEventLoop: () => new Promise((r) => setImmediate(r)) }, s, op, v.value, { ...ctx, search: [] });
        } catch (e) {
          op.status = 'FAILED';
          op.errorCode = 'INTERNAL_SERVER_ERROR';
          process.emitWarning(`fake-shopify bulk operation ${op.id} failed: ${(e as Error).stack ?? String(e)}`);
        }
        op.completedAtMs = clock.nowMs();
        emit(s, [
          {
            topic: 'bulk_operations/finish',
            payload: {
              admin_graphql_api_id: toGid('BulkOperation', op.id),
              completed_at: isoDateTime(op.completedAtMs),
              created_at: isoDateTime(op.createdAtMs),
              error_code: op.errorCode?.toLowerCase() ?? null,
              status: op.status.toLowerCase(),
              type: 'query',
            },
          },
        ]);
      })();
      let set = runningBulk.get(s.shop.domain);
      if (set === undefined) runningBulk.set(s.shop.domain, (set = new Set()));
      set.add(run);
      void run.finally(() => set.delete(run));
      return { op, userErrors: [] };
    },
    cancelBulkOperation(s, id) {
      const op = s.bulkOperations.find((b) => b.id === id);
      if (op === undefined) return { op: null, userErrors: [{ field: ['id'], code: null, message: 'Bulk operation does not exist' }] };
      if (op.status !== 'CREATED' && op.status !== 'RUNNING') {
        return { op, userErrors: [{ field: null, code: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
      }
      op.cancelRequested = true;
      op.status = 'CANCELING';
      return { op, userErrors: [] };
    },
    createSubscription(s, topic, input, apiVersion) {
      if (!/^https?:\/\//.test(input.uri)) {
        return { sub: null, userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address is invalid' }] };
      }
      if ((COMPLIANCE_TOPICS as readonly string[]).includes(topic)) {
        return { sub: null, userErrors: [{ field: ['topic'], message: 'Compliance topics can only be configured in the app configuration.' }] };
      }
      if (s.subscriptions.some((x) => x.topic === topic && x.uri === input.uri)) {
        return { sub: null, userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address for this topic has already been taken' }] };
      }
      const now = clock.nowMs();
      const sub: WebhookSubscriptionRecord = {
        id: nextSubId++,
        topic,
        uri: input.uri,
        format: 'JSON',
        includeFields: input.includeFields,
        filter: input.filter,
        apiVersion,
        createdAtMs: now,
        updatedAtMs: now,
        source: 'shop',
      };
      s.subscriptions.push(sub);
      return { sub, userErrors: [] };
    },
    deleteSubscription(s, id) {
      const i = s.subscriptions.findIndex((x) => x.id === id);
      if (i < 0) return false;
      s.subscriptions.splice(i, 1);
      return true;
    },
    receiveFlowTrigger(s, args) {
      return flow.receive(s.shop.domain, args, clock.nowMs());
    },
  };

  async function applyFaults(route: 'graphql' | 'oauth' | 'bulk-file', shop: string | null, res: ServerResponse): Promise<boolean> {
    const i = faults.findIndex((f) => ((f.route ?? 'graphql') === route || f.route === 'any' ? f.shop === undefined || f.shop === shop : false));
    if (i < 0) return false;
    const f = faults[i] as FaultSpec & { left: number };
    f.left--;
    if (f.left <= 0) faults.splice(i, 1);
    if (f.delayMs !== undefined) await sleep(f.delayMs);
    if (f.status === undefined) return false;
    const headers: Record<string, string> = {};
    let body: unknown;
    if (f.status === 429) {
      headers['Retry-After'] = String(f.retryAfterSeconds ?? 2);
      body = { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' };
    } else if (f.status === 503) {
      if (f.retryAfterSeconds !== undefined) headers['Retry-After'] = String(f.retryAfterSeconds);
      body = { errors: 'Service Unavailable' };
    } else if (f.status >= 500) {
      body = { errors: 'Internal Server Error' };
    } else {
      body = { errors: `Fault injected: HTTP ${f.status}` };
    }
    send(res, f.status, body, headers);
    return true;
  }

  function shopOf(req: IncomingMessage, path: string): { shop: string | null; path: string } {
    const m = /^\/_shop\/([^/]+)(\/.*)$/.exec(path);
    if (m !== null) return { shop: normalizeDomain(decodeURIComponent(m[1] as string)), path: m[2] as string };
    const fwd = req.headers['x-forwarded-host'];
    const host = (Array.isArray(fwd) ? fwd[0] : fwd) ?? req.headers.host ?? '';
    const h = host.toLowerCase().replace(/:\d+$/, '');
    return { shop: h.endsWith('.myshopify.com') ? h : null, path };
  }

  async function handleGraphql(req: IncomingMessage, res: ServerResponse, shop: string, version: string): Promise<void> {
    const s = stores.get(shop);
    if (s === undefined) return send(res, 404, { errors: 'Not Found' });
    if (!API_VERSION.test(version)) return send(res, 404, { errors: 'Not Found' });
    const vh = { 'X-Shopify-API-Version': version };
    const tokHeader = req.headers['x-shopify-access-token'];
    const tok = oauth.authenticate(typeof tokHeader === 'string' ? tokHeader : null, shop);
    if (tok === null) return send(res, 401, INVALID_TOKEN_BODY, vh);
    const raw = await readBody(req);
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return send(res, 400, { errors: { query: 'Required parameter missing or invalid' } }, vh);
    }
    if (typeof body.query !== 'string' || body.query.trim() === '') {
      return send(res, 400, { errors: { query: 'Required parameter missing or invalid' } }, vh);
    }
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    const operationName = typeof body.operationName === 'string' ? body.operationName : null;
    let doc = validDocuments.get(body.query);
    if (doc === undefined) {
      try {
        doc = parse(body.query);
      } catch (e) {
        const ge = e as GraphQLError;
        return send(res, 200, { errors: [{ message: ge.message, locations: ge.locations ?? [] }] }, vh);
      }
      const vErrors = validate(schema, doc);
      if (vErrors.length > 0) return send(res, 200, { errors: vErrors.map((e) => e.toJSON()) }, vh);
      // An app sends the same few documents over and over (a sync: tens of thousands of times); parse them once.
      if (validDocuments.size >= 500) validDocuments.clear();
      validDocuments.set(body.query, doc);
    }
    const requested = requestedQueryCost(schema, doc, operationName, variables);
    if (requested > MAX_QUERY_COST) {
      return send(
        res,
        200,
        {
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
              extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_QUERY_COST, documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
        },
        vh,
      );
    }
    refreshBucket(s);
    usageOf(s).requests++;
    if (requested > s.bucketAvailable) {
      usageOf(s).throttled++;
      return send(
        res,
        200,
        {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
          extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttleStatus(s) } },
        },
        vh,
      );
    }
    s.bucketAvailable -= requested;
    const ctx: GqlContext = { env, store: s, scopes: tok.scopes, apiVersion: version, search: [], bulk: null };
    const result = await execute({ schema, document: doc, variableValues: variables, operationName, contextValue: ctx });
    const actual = actualQueryCost(schema, doc, operationName, variables, result.data as Record<string, unknown> | null | undefined);
    // The requested cost is reserved up front; the difference to the actual cost is refunded.
    s.bucketAvailable = Math.min(s.shop.plan.bucketSize, s.bucketAvailable + Math.max(0, requested - actual));
    usageOf(s).actualCostPoints += actual;
    const extensions: Record<string, unknown> = {
      cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus(s) },
    };
    if (ctx.search.length > 0) extensions['search'] = ctx.search;
    const out: Record<string, unknown> = {};
    if (result.errors !== undefined && result.errors.length > 0) out['errors'] = result.errors.map((e) => e.toJSON());
    out['data'] = result.data ?? null;
    out['extensions'] = extensions;
    send(res, 200, out, vh);
  }

  function handleAuthorize(res: ServerResponse, shop: string, url: URL): void {
    const s = stores.get(shop);
    if (s === undefined) return send(res, 404, { errors: 'Not Found' });
    if (url.searchParams.get('client_id') !== options.appApiKey) return send(res, 400, { errors: 'Invalid client_id' });
    const redirect = url.searchParams.get('redirect_uri');
    if (redirect === null) return send(res, 400, { errors: 'Missing redirect_uri' });
    s.installed = true;
    const online = url.searchParams.getAll('grant_options[]').includes('per-user');
    const params: Record<string, string> = {
      code: oauth.issueAuthorizationCode(shop, online),
      host: Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, '')}`)
        .toString('base64')
        .replace(/=+$/, ''),
      shop,
      state: url.searchParams.get('state') ?? '',
      timestamp: String(Math.floor(clock.nowMs() / 1000)),
    };
    params['hmac'] = oauthQueryHmac(params, options.appSecret);
    const target = new URL(redirect);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    res.writeHead(302, { Location: target.toString() });
    res.end();
  }

  const control = makeControl();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.local');
    if (url.pathname.startsWith('/_control/')) return handleControl(req, res, url, control);
    const bulkMatch = /^\/_bulk\/([0-9a-f]+)\.jsonl$/.exec(url.pathname);
    if (bulkMatch !== null && req.method === 'GET') {
      if (await applyFaults('bulk-file', null, res)) return;
      const file = bulkFiles.get(bulkMatch[1] as string);
      if (file === undefined) return send(res, 404, { errors: 'Not Found' });
      res.writeHead(200, { 'Content-Type': 'application/jsonl' });
      createReadStream(file).pipe(res);
      return;
    }
    const { shop, path } = shopOf(req, url.pathname);
    if (shop === null) {
      return send(res, 404, { errors: 'Unknown shop: send X-Forwarded-Host: <shop>.myshopify.com or use /_shop/<shop>/...' });
    }
    if (path === '/admin/oauth/access_token' && req.method === 'POST') {
      if (await applyFaults('oauth', shop, res)) return;
      const raw = await readBody(req);
      let body: Record<string, unknown>;
      try {
        const ct = req.headers['content-type'] ?? '';
        body = ct.includes('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(raw)) : (JSON.parse(raw) as Record<string, unknown>);
      } catch {
        return send(res, 400, { error: 'invalid_request', error_description: 'The request body is not valid JSON.' });
      }
      if (!stores.has(shop)) return send(res, 404, { errors: 'Not Found' });
      const r = oauth.handle(shop, body);
      return send(res, r.status, r.body);
    }
    if (path === '/admin/oauth/authorize' && req.method === 'GET') return handleAuthorize(res, shop, url);
    const gm = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path);
    if (gm !== null && req.method === 'POST') {
      if (await applyFaults('graphql', shop, res)) return;
      return handleGraphql(req, res, shop, gm[1] as string);
    }
    send(res, 404, { errors: 'Not Found' });
  }

  function makeControl(): FakeShopifyControl {
    const touchOrder = (s: ShopStore, o: Order): void => {
      s.putOrder(o);
    };
    return {
      createShop(input) {
        const domain = normalizeDomain(input.domain);
        if (stores.has(domain)) throw new FakeShopifyError('DUPLICATE_SHOP', `shop ${domain} already exists`);
        const plan = typeof input.plan === 'object' ? input.plan : SHOP_PLANS[input.plan ?? 'Shopify'];
        const handle = domain.replace(/\.myshopify\.com$/, '');
        const shop: Shop = {
          id: input.id ?? nextShopId++,
          domain,
          name: input.name ?? handle,
          email: input.email ?? `owner@${handle}.example`,
          currencyCode: input.currencyCode ?? 'USD',
          ianaTimezone: input.ianaTimezone ?? 'UTC',
          plan: { ...plan },
          createdAtMs: input.createdAtMs ?? clock.nowMs(),
        };
        const s = new ShopStore(shop, clock.nowMs());
        s.installed = input.installed ?? true;
        stores.set(domain, s);
        return shop;
      },
      loadShop(data, opts) {
        const domain = normalizeDomain(data.shop.domain);
        const prev = stores.get(domain);
        const s = new ShopStore({ ...data.shop, domain }, clock.nowMs());
        s.installed = opts?.installed ?? prev?.installed ?? true;
        if (prev !== undefined) {
          s.subscriptions.push(...prev.subscriptions);
          // The app's metafield definitions belong to the shop, not to its data; values stay with surviving customers.
          s.metafieldDefinitions.push(...prev.metafieldDefinitions);
          s.nextMetafieldId = prev.nextMetafieldId;
        }
        for (const c of data.customers) s.putCustomer(c);
        for (const [owner, values] of prev?.metafields ?? []) if (s.customers.has(Number(owner.split('/')[1]))) s.metafields.set(owner, values);
        for (const o of data.orders) {
          if (s.orders.has(o.id)) throw new FakeShopifyError('DUPLICATE_ID', `order id ${o.id} appears twice in ${domain}`);
          s.putOrder(o);
        }
        nextShopId = Math.max(nextShopId, data.shop.id + 1);
        stores.set(domain, s);
      },
      shops: () => [...stores.values()].map((s) => s.shop),
      truth(domain) {
        const s = store(domain);
        return { shop: s.shop, customers: [...s.customerIndex('ID')], orders: [...s.orderIndex('ID')] };
      },
      addMarketingActivity(domain, activity) {
        const s = store(domain);
        if (s.marketingActivities.some((a) => a.id === activity.id)) {
          throw new FakeShopifyError('DUPLICATE_ID', `marketing activity ${activity.id} exists in ${domain}`);
        }
        s.marketingActivities.push(activity);
        s.marketingActivities.sort((a, b) => a.id - b.id);
        return activity;
      },
      addCustomer(domain, customer) {
        const s = store(domain);
        if (s.customers.has(customer.id)) throw new FakeShopifyError('DUPLICATE_ID', `customer ${customer.id} exists in ${domain}`);
        s.putCustomer(customer);
        emit(s, [{ topic: 'customers/create', payload: customerPayload(customer, s.shop) }]);
        return customer;
      },
      updateCustomer(domain, id, patch) {
        const s = store(domain);
        const c = s.customers.get(id);
        if (c === undefined) throw new FakeShopifyError('UNKNOWN_CUSTOMER', `no customer ${id} in ${domain}`);
        const next: Customer = { ...c, ...patch, id, updatedAtMs: patch.updatedAtMs ?? Math.max(clock.nowMs(), c.updatedAtMs + 1) };
        s.putCustomer(next);
        emit(s, [{ topic: 'customers/update', payload: customerPayload(next, s.shop) }]);
        return next;
      },
      deleteCustomer(domain, id) {
        const s = store(domain);
        const c = s.deleteCustomer(id);
        emit(s, [{ topic: 'customers/delete', payload: customerDeletePayload(c) }]);
      },
      addOrder(domain, order) {
        const s = store(domain);
        if (s.orders.has(order.id)) throw new FakeShopifyError('DUPLICATE_ID', `order ${order.id} exists in ${domain}`);
        if (order.customerId !== null && !s.customers.has(order.customerId)) {
          throw new FakeShopifyError('UNKNOWN_CUSTOMER', `order ${order.id} names customer ${order.customerId}, unknown in ${domain}`);
        }
        touchOrder(s, order);
        const events = [orderEvent(s, order, 'orders/create')];
        if (order.financialStatus === 'PAID') events.push(orderEvent(s, order, 'orders/paid'));
        emit(s, events);
        return order;
      },
      updateOrder(domain, id, patch) {
        const s = store(domain);
        const o = s.getOrder(id);
        const next: Order = { ...o, ...patch, id, updatedAtMs: patch.updatedAtMs ?? Math.max(clock.nowMs(), o.updatedAtMs + 1) };
        touchOrder(s, next);
        emit(s, [orderEvent(s, next, 'orders/updated')]);
        return next;
      },
      cancelOrder(domain, id, opts) {
        const s = store(domain);
        const o = s.getOrder(id);
        const at = opts?.atMs ?? Math.max(clock.nowMs(), o.updatedAtMs + 1);
        const next: Order = {
          ...o,
          cancelledAtMs: at,
          cancelReason: opts?.reason ?? 'CUSTOMER',
          closedAtMs: at,
          updatedAtMs: at,
          financialStatus: o.financialStatus === 'AUTHORIZED' || o.financialStatus === 'PENDING' ? 'VOIDED' : o.financialStatus,
        };
        touchOrder(s, next);
        emit(s, [orderEvent(s, next, 'orders/cancelled'), orderEvent(s, next, 'orders/updated')]);
        return next;
      },
      deleteOrder(domain, id) {
        const s = store(domain);
        const o = s.deleteOrder(id);
        emit(s, [{ topic: 'orders/delete', payload: { id: o.id } }]);
      },
      refundOrder(domain, id, input) {
        const s = store(domain);
        const o = s.getOrder(id);
        const at = input.createdAtMs ?? Math.max(clock.nowMs(), o.updatedAtMs + 1);
        let bag: MoneyBag;
        if (input.totalRefundedSet !== undefined) {
          bag = input.totalRefundedSet;
        } else if (input.amountShopMinor !== undefined) {
          const shopTotal = decimalToMinor(o.totalPriceSet.shopMoney.amount, o.currencyCode);
          const presTotal = decimalToMinor(o.totalPriceSet.presentmentMoney.amount, o.presentmentCurrencyCode);
          const pres = shopTotal === 0 ? 0 : Math.round((input.amountShopMinor * presTotal) / shopTotal);
          bag = {
            shopMoney: { amount: minorToDecimal(input.amountShopMinor, o.currencyCode), currencyCode: o.currencyCode },
            presentmentMoney: { amount: minorToDecimal(pres, o.presentmentCurrencyCode), currencyCode: o.presentmentCurrencyCode },
          };
        } else {
          throw new FakeShopifyError('BAD_INPUT', 'refundOrder needs amountShopMinor or totalRefundedSet');
        }
        const refund: Refund = {
          id: s.nextRefundId(),
          createdAtMs: at,
          processedAtMs: at,
          note: input.note ?? null,
          totalRefundedSet: bag,
          refundLineItems: (input.refundLineItems ?? []).map((r) => ({ ...r, id: s.nextLineItemId() })),
          gateway: input.gateway ?? o.paymentGatewayNames[0] ?? 'manual',
        };
        const lineItems = o.lineItems.map((li) => {
          const q = refund.refundLineItems.filter((r) => r.lineItemId === li.id).reduce((n, r) => n + r.quantity, 0);
          return q === 0 ? li : { ...li, currentQuantity: Math.max(0, li.currentQuantity - q) };
        });
        const next: Order = { ...o, refunds: [...o.refunds, refund], lineItems, updatedAtMs: at };
        touchOrder(s, next);
        emit(s, [{ topic: 'refunds/create', payload: refundPayload(refund, next, s.shop) }, orderEvent(s, next, 'orders/updated')]);
        return refund;
      },
      uninstall(domain) {
        const s = store(domain);
        emit(s, [{ topic: 'app/uninstalled', payload: shopPayload(s.shop) }]);
        s.installed = false;
        s.subscriptions.length = 0;
        oauth.revokeShop(s.shop.domain);
      },
      install(domain) {
        store(domain).installed = true;
      },
      requestCustomerData(domain, customerId) {
        const s = store(domain);
        const c = s.customers.get(customerId);
        emit(s, [
          {
            topic: 'customers/data_request',
            payload: {
              shop_id: s.shop.id,
              shop_domain: s.shop.domain,
              orders_requested: s.ordersOf(customerId).map((o) => o.id),
              customer: { id: customerId, email: c?.email ?? null, phone: c?.phone ?? null },
              data_request: { id: Math.floor(clock.nowMs() / 1000) },
            },
          },
        ]);
      },
      redactCustomer(domain, customerId) {
        const s = store(domain);
        const c = s.customers.get(customerId);
        emit(s, [
          {
            topic: 'customers/redact',
            payload: {
              shop_id: s.shop.id,
              shop_domain: s.shop.domain,
              customer: { id: customerId, email: c?.email ?? null, phone: c?.phone ?? null },
              orders_to_redact: s.ordersOf(customerId).map((o) => o.id),
            },
          },
        ]);
      },
      redactShop(domain) {
        const s = store(domain);
        emit(s, [{ topic: 'shop/redact', payload: { shop_id: s.shop.id, shop_domain: s.shop.domain } }]);
      },
      mintSessionToken(domain, opts) {
        const s = store(domain);
        return mintSessionToken({
          shop: s.shop.domain,
          apiKey: options.appApiKey,
          apiSecret: options.appSecret,
          nowMs: clock.nowMs(),
          ...(opts?.userId !== undefined ? { userId: opts.userId } : {}),
          ...(opts?.lifetimeSeconds !== undefined ? { lifetimeSeconds: opts.lifetimeSeconds } : {}),
        });
      },
      issueOfflineToken: (domain) => oauth.issueOfflineToken(store(domain).shop.domain),
      issueAuthorizationCode: (domain, opts) => oauth.issueAuthorizationCode(store(domain).shop.domain, opts?.online ?? false),
      setAppWebhooks,
      setWebhookChaos(c) {
        chaos = { ...c };
      },
      deliveries(filter) {
        return dispatcher.deliveries.filter(
          (d) => (filter?.shop === undefined || d.shop === normalizeDomain(filter.shop)) && (filter?.topic === undefined || d.topic === filter.topic),
        );
      },
      webhooksIdle: () => dispatcher.idle(),
      injectFault(f) {
        if (f.status === undefined && f.delayMs === undefined) throw new FakeShopifyError('BAD_INPUT', 'a fault needs status or delayMs');
        faults.push({ ...f, ...(f.shop !== undefined ? { shop: normalizeDomain(f.shop) } : {}), left: f.times ?? 1 });
      },
      clearFaults() {
        faults.length = 0;
      },
      throttleStatus: (domain) => throttleStatus(store(domain)),
      setThrottleAvailable(domain, points) {
        const s = store(domain);
        if (!Number.isFinite(points) || points < 0) throw new FakeShopifyError('BAD_INPUT', `points must be a finite number >= 0, got ${points}`);
        s.bucketAvailable = Math.min(points, s.shop.plan.bucketSize);
        s.bucketAtMs = clock.nowMs();
      },
      async bulkIdle(domain) {
        const set = runningBulk.get(normalizeDomain(domain));
        while (set !== undefined && set.size > 0) await Promise.all([...set]);
      },
      customerMetafields(domain, customerId) {
        const s = store(domain);
        // The admin lists a resource's metafields in the order of their definitions, unstructured ones after.
        const defOf = (m: { namespace: string; key: string }) =>
          s.metafieldDefinitions.find((d) => d.ownerType === 'CUSTOMER' && d.namespace === m.namespace && d.key === m.key);
        const values = [...(s.metafields.get(`CUSTOMER/${customerId}`)?.values() ?? [])].sort(
          (a, b) => (defOf(a)?.id ?? Infinity) - (defOf(b)?.id ?? Infinity) || a.id - b.id,
        );
        return values.map((m) => ({
          namespace: m.namespace,
          key: m.key,
          name: defOf(m)?.name ?? null,
          type: m.type,
          value: m.value,
          updatedAtMs: m.updatedAtMs,
        }));
      },
      metafieldDefinitions: (domain) => [...store(domain).metafieldDefinitions],
      graphqlUsage: (domain) => ({ ...usageOf(store(domain)) }),
      flowTriggerEvents: (filter) => flow.events(filter ? { ...filter, ...(filter.shop ? { shop: normalizeDomain(filter.shop) } : {}) } : {}),
      advanceClock: (ms) => clock.advance(ms),
      nowMs: () => clock.nowMs(),
    };
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof FakeShopifyError) {
        if (!res.headersSent)
          send(res, e.code === 'UNKNOWN_SHOP' || e.code === 'UNKNOWN_ORDER' || e.code === 'UNKNOWN_CUSTOMER' ? 404 : 400, { code: e.code, message: e.message });
        return;
      }
      process.emitWarning(`fake-shopify: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) send(res, 500, { errors: 'Internal Server Error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    port,
    control,
    app: { apiKey: options.appApiKey, apiSecret: options.appSecret, scopes },
    async stop() {
      dispatcher.stop();
      for (const s of stores.values()) for (const op of s.bulkOperations) op.cancelRequested = true;
      await Promise.all([...runningBulk.values()].flatMap((set) => [...set]));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownDir) await rm(bulkDir, { recursive: true, force: true });
    },
  };
}

/** `/_control/...` over HTTP: the same operations as {@link FakeShopifyControl}, JSON in and out. */
async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, c: FakeShopifyControl): Promise<void> {
  const raw = req.method === 'GET' ? '' : await readBody(req);
  let body: Record<string, unknown> = {};
  if (raw.trim() !== '') {
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return send(res, 400, { code: 'BAD_INPUT', message: `${req.method} ${url.pathname}: body is not valid JSON` });
    }
  }
  const parts = url.pathname
    .split('/')
    .filter((p) => p !== '')
    .slice(1)
    .map(decodeURIComponent);
  const m = `${req.method} /${parts.map((p, i) => ((parts[0] === 'shops' && i === 1) || ((parts[2] === 'orders' || parts[2] === 'customers') && i === 3) ? ':' : p)).join('/')}`;
  const shop = parts[1] ?? '';
  const id = Number(parts[3]);
  const ok = (v: unknown = { ok: true }): void => send(res, 200, v);
  switch (m) {
    case 'GET /health':
      return ok({ ok: true });
    case 'GET /shops':
      return ok(c.shops());
    case 'POST /shops':
      return ok(c.createShop(body as unknown as CreateShopInput));
    case 'PUT /shops/:/data':
      c.loadShop({ ...(body as unknown as ShopData) }, {});
      return ok();
    case 'GET /shops/:/truth':
      return ok(c.truth(shop));
    case 'POST /shops/:/customers':
      return ok(c.addCustomer(shop, body as unknown as Customer));
    case 'POST /shops/:/marketing-activities':
      return ok(c.addMarketingActivity(shop, body as unknown as MarketingActivity));
    case 'PATCH /shops/:/customers/:':
      return ok(c.updateCustomer(shop, id, body));
    case 'DELETE /shops/:/customers/:':
      c.deleteCustomer(shop, id);
      return ok();
    case 'POST /shops/:/orders':
      return ok(c.addOrder(shop, body as unknown as Order));
    case 'PATCH /shops/:/orders/:':
      return ok(c.updateOrder(shop, id, body));
    case 'DELETE /shops/:/orders/:':
      c.deleteOrder(shop, id);
      return ok();
    case 'POST /shops/:/orders/:/cancel':
      return ok(c.cancelOrder(shop, id, body as { reason?: OrderCancelReason; atMs?: number }));
    case 'POST /shops/:/orders/:/refunds':
      return ok(c.refundOrder(shop, id, body as RefundInput));
    case 'POST /shops/:/uninstall':
      c.uninstall(shop);
      return ok();
    case 'POST /shops/:/install':
      c.install(shop);
      return ok();
    case 'POST /shops/:/compliance/customers-data-request':
      c.requestCustomerData(shop, Number(body['customerId']));
      return ok();
    case 'POST /shops/:/compliance/customers-redact':
      c.redactCustomer(shop, Number(body['customerId']));
      return ok();
    case 'POST /shops/:/compliance/shop-redact':
      c.redactShop(shop);
      return ok();
    case 'POST /shops/:/session-token':
      return ok({ token: c.mintSessionToken(shop, body as { userId?: string; lifetimeSeconds?: number }) });
    case 'POST /shops/:/offline-token':
      return ok({ accessToken: c.issueOfflineToken(shop) });
    case 'POST /shops/:/authorization-code':
      return ok({ code: c.issueAuthorizationCode(shop, body as { online?: boolean }) });
    case 'GET /shops/:/customers/:/metafields':
      return ok(c.customerMetafields(shop, id));
    case 'GET /shops/:/metafield-definitions':
      return ok(c.metafieldDefinitions(shop));
    case 'GET /shops/:/throttle-status':
      return ok(c.throttleStatus(shop));
    case 'PUT /app-webhooks':
      c.setAppWebhooks((body['subscriptions'] ?? []) as AppWebhookSubscription[], (body['complianceUri'] ?? null) as string | null);
      return ok();
    case 'PUT /webhook-chaos':
      c.setWebhookChaos(body as WebhookChaos);
      return ok();
    case 'GET /webhooks/deliveries': {
      const shopQ = url.searchParams.get('shop');
      const topicQ = url.searchParams.get('topic');
      return ok(c.deliveries({ ...(shopQ !== null ? { shop: shopQ } : {}), ...(topicQ !== null ? { topic: topicQ } : {}) }));
    }
    case 'POST /webhooks/idle':
      await c.webhooksIdle();
      return ok();
    case 'POST /faults':
      c.injectFault(body as FaultSpec);
      return ok();
    case 'DELETE /faults':
      c.clearFaults();
      return ok();
    case 'GET /flow-events': {
      const shopQ = url.searchParams.get('shop');
      return ok(c.flowTriggerEvents(shopQ !== null ? { shop: shopQ } : {}));
    }
    case 'POST /clock/advance':
      c.advanceClock(Number(body['ms']));
      return ok({ nowMs: c.nowMs() });
    default:
      return send(res, 404, { code: 'NOT_FOUND', message: `no control route ${req.method} ${url.pathname}` });
  }
}

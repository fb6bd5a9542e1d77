import { createTestDatabase, silentLogger, startAppServer, type AppServer, type Database, createShopifyApi, type Logger } from '@clvlens/shopify-app';
import { summarizeCustomers, type OrderRecord, type ShopSummaryV1 } from '@clvlens/core';
import { createFakeShopify, type FakeShopify } from '../fake-shopify/server.ts';
import { fakeShopifyFetch, installFakeShopifyFetch } from '../fake-shopify/fetch.ts';
import { COMPLIANCE_TOPICS, WEBHOOK_TOPICS } from '../fake-shopify/topics.ts';
import { decimalToMinor } from '../shop-model/money.ts';
import type { ShopData } from '../shop-model/types.ts';

export const API_KEY = 'clvlens-test-key';
export const API_SECRET = 'clvlens-test-secret';
export const ENCRYPTION_KEY = 'b'.repeat(64);

/** The fake Shopify plus the real app on a test database, wired together as in production. */
export interface Harness {
  fake: FakeShopify;
  /** The app process now (a new one after {@link restartApp}). */
  server: AppServer;
  database: Database;
  stop(): Promise<void>;
  /** Stops the app as a SIGTERM does and starts a new one on the same database and fake (a rolling deploy). */
  restartApp(): Promise<void>;
  /** Opens the embedded app as the Shopify admin would (first load with `id_token`): installs via token exchange. */
  openApp(shop: string): Promise<Response>;
  /** Calls `/app/api/*` with a fresh session token. */
  appApi(shop: string, path: string, init?: RequestInit): Promise<Response>;
  /** Pairs an extension token through the dashboard code. */
  pair(shop: string): Promise<string>;
  api(token: string, path: string): Promise<Response>;
  waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs?: number): Promise<T>;
}

export async function startHarness(
  options: {
    fakeOptions?: Partial<Parameters<typeof createFakeShopify>[0]>;
    workers?: boolean;
    extensionOrigins?: readonly string[];
    /** The app's logger (default: silent). */
    log?: Logger;
  } = {},
): Promise<Harness> {
  const fake = await createFakeShopify({ appApiKey: API_KEY, appSecret: API_SECRET, ...options.fakeOptions });
  const restore = await installFakeShopifyFetch(fake);
  const database = await createTestDatabase();
  const shopify = createShopifyApi({ apiKey: API_KEY, apiSecretKey: API_SECRET, appUrl: 'https://clvlens.example.com' });
  const startServer = () =>
    startAppServer({
      apiKey: API_KEY,
      apiSecretKey: API_SECRET,
      appUrl: 'https://clvlens.example.com',
      encryptionKey: ENCRYPTION_KEY,
      database,
      shopify,
      port: 0,
      log: options.log ?? silentLogger,
      ...(options.extensionOrigins ? { extensionOrigins: options.extensionOrigins } : {}),
      // Shop-wide figures 1 s after a recompute rather than the production 30 s (recompute.test.ts checks that
      // default): the tests that wait for a summary to count a new order would otherwise wait half a minute each.
      appOptions: { fetch: fakeShopifyFetch(fake), backfill: { pollMs: 100 }, workers: options.workers ?? true, shopMetricsDelaySeconds: 1 },
    });
  const pointWebhooksAt = (server: AppServer) =>
    fake.control.setAppWebhooks(
      [{ topics: WEBHOOK_TOPICS.filter((t) => !(COMPLIANCE_TOPICS as readonly string[]).includes(t)), uri: `${server.url}/webhooks` }],
      `${server.url}/webhooks/compliance`,
    );
  const first = await startServer();
  pointWebhooksAt(first);
  const harness: Harness = {
    fake,
    server: first,
    database,
    async restartApp() {
      await harness.server.stop();
      harness.server = await startServer();
      pointWebhooksAt(harness.server);
    },
    async stop() {
      await harness.server.stop();
      await fake.stop();
      await database.close();
      restore();
    },
    openApp(shop) {
      const token = fake.control.mintSessionToken(shop);
      return fetch(`${harness.server.url}/app?embedded=1&shop=${shop}&id_token=${encodeURIComponent(token)}`);
    },
    appApi(shop, path, init = {}) {
      const token = fake.control.mintSessionToken(shop);
      return fetch(`${harness.server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
    },
    async pair(shop) {
      const codeRes = await harness.appApi(shop, '/app/api/pairing-code', { method: 'POST' });
      const { code } = (await codeRes.json()) as { code: string };
      const res = await fetch(`${harness.server.url}/api/v1/pair`, {
        method: 'POST',
        body: JSON.stringify({ code }),
        headers: { 'content-type': 'application/json' },
      });
      return ((await res.json()) as { token: string }).token;
    },
    api(token, path) {
      return fetch(`${harness.server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    },
    async waitFor(what, probe, timeoutMs = 60_000) {
      const start = Date.now();
      for (;;) {
        const value = await probe();
        if (value !== null && value !== undefined && value !== false) return value;
        if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  return harness;
}

/** The fake's truth as core OrderRecords (guest identity = lower-cased email, as core's customerKeyOf). */
export function truthRecords(data: ShopData): OrderRecord[] {
  const currency = data.shop.currencyCode;
  return data.orders.map((o) => ({
    orderId: String(o.id),
    customerId: o.customerId === null ? null : String(o.customerId),
    email: o.customerId === null ? (o.email?.trim().toLowerCase() ?? null) : null,
    placedAtMs: o.processedAtMs,
    currency,
    totalMinor: decimalToMinor(o.totalPriceSet.shopMoney.amount, currency),
    refundedMinor: o.refunds.reduce((sum, r) => sum + decimalToMinor(r.totalRefundedSet.shopMoney.amount, currency), 0),
    cancelled: o.cancelledAtMs !== null,
    test: o.test,
    subscription: o.subscription,
  }));
}

/** Ids of the customers with a counted order (not test, not cancelled, something paid net): whom the feed serves. */
export function countedCustomerIds(records: readonly OrderRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const r of records) if (r.customerId !== null && !r.test && !r.cancelled && r.totalMinor - r.refundedMinor > 0) ids.add(r.customerId);
  return ids;
}

/** A customer's order count and historic CLV (net spent, minor units). */
export interface CustomerTotals {
  customerId: string;
  orderCount: number;
  historicClvMinor: number;
}

/**
 * What the app serves for every customer of `shop` beside core's summary of `truth` (as of the shop's stored
 * metrics), both in the truth's customer order: equal when the stored insights are right. `served` is null for a
 * customer without a live insight; `extra` counts live insights of customers the truth does not have.
 */
export async function servedBesideTruth(
  db: Database['db'],
  shop: ShopData['shop'],
  truth: readonly OrderRecord[],
): Promise<{ truth: CustomerTotals[]; served: (CustomerTotals | null)[]; extra: number }> {
  const metrics = await db.selectFrom('shop_metrics').select('as_of').where('shop_id', '=', shop.domain).executeTakeFirstOrThrow();
  const expected = summarizeCustomers(truth, { asOfMs: metrics.as_of.getTime(), timeZone: shop.ianaTimezone, currency: shop.currencyCode })
    .filter((x) => /^\d+$/.test(x.customerKey))
    .map((x) => ({ customerId: x.customerKey, orderCount: x.orderCount, historicClvMinor: x.netSpentMinor }));
  const insights = await db
    .selectFrom('customer_insights')
    .select(['customer_id', 'payload'])
    .where('shop_id', '=', shop.domain)
    .where('deleted', '=', false)
    .execute();
  const served = new Map(
    insights.map((i) => {
      const payload = JSON.parse(i.payload!) as { orderCount: number; historicClvMinor: number };
      const customerId = String(i.customer_id);
      return [customerId, { customerId, orderCount: payload.orderCount, historicClvMinor: payload.historicClvMinor }];
    }),
  );
  return {
    truth: expected,
    served: expected.map((x) => served.get(x.customerId) ?? null),
    extra: served.size - expected.filter((x) => served.has(x.customerId)).length,
  };
}

/** Waits until the shop is live and its summary computed. */
export async function waitForLive(h: Harness, shop: string, timeoutMs = 90_000): Promise<ShopSummaryV1> {
  return h.waitFor(
    `${shop} to be live and computed`,
    async () => {
      // Freshness first, the summary after: read the other way round, a summary served just before the first
      // recompute (no metrics yet, asOfMs = now) passed once the metrics landed a moment later.
      const sync = await h.database.db.selectFrom('sync_state').select('last_sync_at').where('shop_id', '=', shop).executeTakeFirst();
      const metrics = await h.database.db.selectFrom('shop_metrics').select('computed_at').where('shop_id', '=', shop).executeTakeFirst();
      const fresh = sync?.last_sync_at && metrics && metrics.computed_at.getTime() >= sync.last_sync_at.getTime();
      if (!fresh) return null;
      const res = await h.appApi(shop, '/app/api/summary');
      if (res.status !== 200) return null;
      const summary = (await res.json()) as ShopSummaryV1;
      return summary.sync.state === 'live' ? summary : null;
    },
    timeoutMs,
  );
}

/**
 * The merchant uninstalls the app, Shopify erases the shop's data at the app 48 hours later (`shop/redact`), and the
 * merchant installs the app again: returns once the new install is live. `whileAway` runs between the uninstall and
 * the erasure (what the shop does while no webhook reaches the app).
 */
export async function reinstallAfterErasure(h: Harness, shop: string, whileAway: () => void = () => undefined): Promise<void> {
  h.fake.control.uninstall(shop);
  await h.waitFor(
    'the uninstall handled',
    async () => (await h.database.db.selectFrom('shops').select('status').where('shop_id', '=', shop).executeTakeFirst())?.status === 'uninstalled',
    10_000,
  );
  whileAway();
  h.fake.control.redactShop(shop);
  await h.waitFor(
    'the shop erased',
    async () => (await h.database.db.selectFrom('shops').select('shop_id').where('shop_id', '=', shop).executeTakeFirst()) === undefined,
    10_000,
  );
  h.fake.control.install(shop);
  const opened = await h.openApp(shop);
  if (opened.status !== 200) throw new Error(`opening the app after the new install of ${shop}: HTTP ${opened.status}`);
  await waitForLive(h, shop);
}

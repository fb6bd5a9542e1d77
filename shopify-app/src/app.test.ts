import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerInsightV1, CustomersFeedV1, ShopSummaryV1 } from '@clvlens/core';
import { createApp, type App } from './app.ts';
import type { Database } from './db/connect.ts';
import { createTestDatabase } from './db/test-database.ts';
import { silentLogger } from './log.ts';
import { createShopifyApi } from './shopify/config.ts';
import { markBackfilled } from './testing/fixtures.ts';
import { orderPayload, signedWebhook } from './testing/webhook-request.ts';

const SECRET = 'test-secret';
const KEY = 'a'.repeat(64);
const A = 'shop-a.myshopify.com';
const B = 'shop-b.myshopify.com';
const EXT = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const shopify = createShopifyApi({ apiKey: 'test-key', apiSecretKey: SECRET, appUrl: 'https://app.example.com' });

describe('createApp', () => {
  let database: Database;
  let app: App;
  let tokenA = '';
  let tokenB = '';
  let cursor = '';
  const clock = { now: () => Date.parse('2026-11-20T12:00:00Z') };
  const get = (path: string, token: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const pair = async (shop: string): Promise<string> => {
    const { code } = await app.createPairingCode(shop);
    const res = await app.request('/api/v1/pair', { method: 'POST', body: JSON.stringify({ code }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; shopDomain: string; storeHandle: string };
    expect(body.shopDomain).toBe(shop);
    expect(body.storeHandle).toBe(shop.replace('.myshopify.com', ''));
    return body.token;
  };
  const webhook = async (shop: string, topic: string, payload: unknown) => {
    const res = await app.fetch(
      signedWebhook(SECRET, shop, topic, payload, topic.startsWith('customers/redact') || topic === 'shop/redact' ? { path: '/webhooks/compliance' } : {}),
    );
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApp({ database, shopify, encryptionKey: KEY, clock, log: silentLogger, workers: false, extensionOrigins: [EXT] });
    for (const shop of [A, B]) {
      await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'America/New_York' }).execute();
      // Their order history is the webhooks below (a backfill found none).
      await markBackfilled(database.db, shop);
    }
    const orders = [
      { id: 1001, customerId: 7, total: '100.00', createdAt: '2026-05-01T15:00:00Z' },
      { id: 1002, customerId: 7, total: '50.00', createdAt: '2026-08-01T15:00:00Z' },
      { id: 1003, customerId: 8, total: '20.00', createdAt: '2026-10-01T15:00:00Z' },
      { id: 1004, customerId: null, email: 'guest@example.com', total: '30.00', createdAt: '2026-10-02T15:00:00Z' },
      { id: 1005, customerId: 9, total: '10.00', createdAt: '2026-10-03T15:00:00Z', test: true },
    ];
    for (const o of orders) await webhook(A, 'orders/create', orderPayload(o));
    await webhook(B, 'orders/create', orderPayload({ id: 5001, customerId: 70, total: '5.00', createdAt: '2026-10-01T00:00:00Z' }));
    await app.compute.recomputeShop(A);
    await app.compute.recomputeShop(B);
    tokenA = await pair(A);
    tokenB = await pair(B);
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
  });

  it('answers a person at the root, /pair and /app outside the admin with a page and a link, in their language (issue 12)', async () => {
    const root = await app.request('/', { headers: { 'accept-language': 'ko-KR,ko;q=0.9,en;q=0.8' } });
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/^text\/html/);
    const rootHtml = await root.text();
    expect(rootHtml).toContain('<html lang="ko" dir="ltr">');
    expect(rootHtml).toContain('href="https://admin.shopify.com/"');
    const outside = await (await app.request('/app?locale=ar')).text();
    expect(outside).toContain('<html lang="ar" dir="rtl">');
    expect(outside).toContain('href="https://admin.shopify.com/"');
    expect(await (await app.request('/pair?code=AB12-CD34')).text()).toContain('paste it into the extension’s options');
    // The dashboard's bundle (with the catalog in it) is served as JavaScript; nothing else under the assets path.
    const bundle = await app.request('/app/assets/dashboard.js');
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await app.request('/app/assets/i18n/i18n.test.ts')).status).toBe(404);
  });

  it('refuses a pairing code twice and an unknown one, with stable codes', async () => {
    const { code } = await app.createPairingCode(A);
    const first = await app.request('/api/v1/pair', { method: 'POST', body: JSON.stringify({ code: code.toLowerCase() }) });
    expect(first.status).toBe(200);
    const second = await app.request('/api/v1/pair', { method: 'POST', body: JSON.stringify({ code }) });
    expect(second.status).toBe(400);
    expect(await second.json()).toEqual({ error: { code: 'pairing-code-invalid', message: expect.any(String) } });
    const bad = await app.request('/api/v1/pair', { method: 'POST', body: 'not json' });
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad-request');
  });

  it('stores extension tokens hashed', async () => {
    const rows = await database.db.selectFrom('extension_tokens').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash)).not.toContain(tokenA);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('answers 401 without a token', async () => {
    const res = await app.request('/api/v1/shop/summary');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('serves a customer insight computed by core', async () => {
    const res = await get('/api/v1/customers/7', tokenA);
    expect(res.status).toBe(200);
    const insight = (await res.json()) as CustomerInsightV1;
    expect(insight).toMatchObject({
      customerId: '7',
      currency: 'USD',
      orderCount: 2,
      isRepeat: true,
      historicClvMinor: 15000,
      averageOrderValueMinor: 7500,
      firstOrderAtMs: Date.parse('2026-05-01T15:00:00Z'),
      lastOrderAtMs: Date.parse('2026-08-01T15:00:00Z'),
      confidence: 'low',
      orderHistory: [
        { placedAtMs: Date.parse('2026-05-01T15:00:00Z'), amountMinor: 10000 },
        { placedAtMs: Date.parse('2026-08-01T15:00:00Z'), amountMinor: 5000 },
      ],
      updatedAtMs: clock.now(),
    });
    // The chance of no order in the next 90 days (the cadence rule here: too few repeat customers for a backtest).
    expect(insight).toMatchObject({ churnHorizonDays: 90, newCustomer: false });
    expect(insight.churnProbability).toBeGreaterThanOrEqual(1 - insight.pAlive);
    expect(insight).not.toHaveProperty('churnReasons');
    expect(insight.daysSinceLastOrder).toBe(111);
  });

  it('marks a one-order customer within the shop typical gap as new, and serves the horizon in the summary', async () => {
    const insight = (await (await get('/api/v1/customers/8', tokenA)).json()) as CustomerInsightV1;
    expect(insight).toMatchObject({ orderCount: 1, churnHorizonDays: 90, newCustomer: true });
    const summary = (await (await get('/api/v1/shop/summary', tokenA)).json()) as ShopSummaryV1;
    expect(summary).toMatchObject({ churnHorizonDays: 90, churnBacktest: null });
  });

  it('finds the customer of an order, and 404s guests, unknown and test-only customers', async () => {
    expect(((await (await get('/api/v1/orders/1002/customer', tokenA)).json()) as CustomerInsightV1).customerId).toBe('7');
    const guest = await get('/api/v1/orders/1004/customer', tokenA);
    expect(guest.status).toBe(404);
    expect(((await guest.json()) as { error: { code: string } }).error.code).toBe('guest-order');
    expect((await get('/api/v1/customers/9', tokenA)).status).toBe(404);
    expect((await get('/api/v1/customers/abc', tokenA)).status).toBe(400);
  });

  it("never shows one shop another shop's data", async () => {
    expect((await get('/api/v1/customers/7', tokenB)).status).toBe(404);
    expect((await get('/api/v1/orders/1001/customer', tokenB)).status).toBe(404);
    const feed = (await (await get('/api/v1/customers', tokenB)).json()) as CustomersFeedV1;
    expect(feed.customers.map((c) => c.customerId)).toEqual(['70']);
    const summary = (await (await get('/api/v1/shop/summary', tokenB)).json()) as ShopSummaryV1;
    expect(summary.shopDomain).toBe(B);
    expect(summary.customers).toBe(1);
  });

  it('serves the shop summary with the sync status', async () => {
    const summary = (await (await get('/api/v1/shop/summary', tokenA)).json()) as ShopSummaryV1;
    expect(summary).toMatchObject({ shopDomain: A, currency: 'USD', customers: 3, sync: { state: 'live' } });
    // The shop's own zone, as Shopify gave it at install: the extension shows the card's dates in it.
    expect(summary.timeZone).toBe('America/New_York');
    expect(summary.repeatPurchaseRate.value).toBeCloseTo(1 / 3, 10);
    // Both customers are low risk on this tiny shop (and 8 is new): nobody to win back yet.
    expect(summary.topAtRisk).toEqual([]);
  });

  it('pages the delta feed in change order and then returns only what changed', async () => {
    const page1 = (await (await get('/api/v1/customers?limit=1', tokenA)).json()) as CustomersFeedV1;
    expect(page1.customers).toHaveLength(1);
    expect(page1.hasMore).toBe(true);
    const page2 = (await (await get(`/api/v1/customers?since=${page1.nextCursor}&limit=10`, tokenA)).json()) as CustomersFeedV1;
    expect(page2.hasMore).toBe(false);
    expect([...page1.customers, ...page2.customers].map((c) => c.customerId).sort()).toEqual(['7', '8']);
    cursor = page2.nextCursor;
    expect(((await (await get(`/api/v1/customers?since=${cursor}`, tokenA)).json()) as CustomersFeedV1).customers).toEqual([]);

    await webhook(A, 'orders/create', orderPayload({ id: 1006, customerId: 8, total: '40.00', createdAt: '2026-11-19T15:00:00Z' }));
    await app.compute.recomputeShop(A);
    const delta = (await (await get(`/api/v1/customers?since=${cursor}`, tokenA)).json()) as CustomersFeedV1;
    expect(delta.customers.map((c) => c.customerId)).toContain('8');
    expect(delta.customers.find((c) => c.customerId === '8')).toMatchObject({ orderCount: 2, historicClvMinor: 6000 });
    cursor = delta.nextCursor;
    expect((await get('/api/v1/customers?since=xyz', tokenA)).status).toBe(400);
    expect((await get('/api/v1/customers?limit=0', tokenA)).status).toBe(400);
  });

  it('reports a redacted customer as deleted in the feed and no longer serves it', async () => {
    await webhook(A, 'customers/redact', { shop_domain: A, customer: { id: 7 }, orders_to_redact: [1001, 1002] });
    await app.compute.recomputeShop(A);
    const delta = (await (await get(`/api/v1/customers?since=${cursor}`, tokenA)).json()) as CustomersFeedV1;
    expect(delta.deletedCustomerIds).toEqual(['7']);
    expect((await get('/api/v1/customers/7', tokenA)).status).toBe(404);
    const summary = (await (await get('/api/v1/shop/summary', tokenA)).json()) as ShopSummaryV1;
    expect(summary.customers).toBe(3);
  });

  it('allows CORS only for the extension origin', async () => {
    const pre = await app.request('/api/v1/customers', { method: 'OPTIONS', headers: { origin: EXT, 'access-control-request-method': 'GET' } });
    expect(pre.headers.get('access-control-allow-origin')).toBe(EXT);
    const ok = await get('/api/v1/shop/summary', tokenA, { origin: EXT });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(EXT);
    const evil = await get('/api/v1/shop/summary', tokenA, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('revokes a token on unpair and all tokens on app/uninstalled', async () => {
    const extra = await pair(B);
    expect((await app.request('/api/v1/unpair', { method: 'POST', headers: { authorization: `Bearer ${extra}` } })).status).toBe(204);
    expect((await get('/api/v1/shop/summary', extra)).status).toBe(401);
    expect((await get('/api/v1/shop/summary', tokenB)).status).toBe(200);
    await webhook(B, 'app/uninstalled', { id: 1, domain: B, myshopify_domain: null });
    expect((await get('/api/v1/shop/summary', tokenB)).status).toBe(401);
    expect((await get('/api/v1/shop/summary', tokenA)).status).toBe(200);
  });

  it('queues a full run for a shop whose local day moved on while the app was down', async () => {
    // A's "as of" is the end of 2026-11-20 in New York; a day later, a starting app asks for its recompute.
    const earlier = await app.jobs.boss.findJobs('recompute', { limit: 100 });
    if (earlier.length > 0)
      await app.jobs.boss.deleteJob(
        'recompute',
        earlier.map((j) => j.id),
      );
    await database.db.deleteFrom('recompute_queue').execute();
    const later = await createApp({ database, shopify, encryptionKey: KEY, clock: { now: () => clock.now() + 86_400_000 }, log: silentLogger, workers: false });
    try {
      const queued = (await later.jobs.boss.findJobs<{ shop: string }>('recompute', { limit: 100 })).filter((j) => j.state === 'created');
      expect(queued.map((j) => j.data.shop)).toContain(A);
      expect(await later.compute.recomputeShop(A)).toMatchObject({ mode: 'full', reason: 'new-day' });
    } finally {
      await later.stop();
    }
  });

  describe('64-bit Shopify ids (issue 19)', () => {
    const C = 'shop-c.myshopify.com';
    let tokenC = '';
    const stored = async (orderId: string) =>
      (
        await sql<{ order_id: string; customer_id: string | null }>`SELECT order_id::text AS order_id, customer_id::text AS customer_id
        FROM orders WHERE shop_id = ${C} AND order_id = ${orderId}::bigint`.execute(database.db)
      ).rows;
    beforeAll(async () => {
      await database.db.insertInto('shops').values({ shop_id: C, currency: 'USD', iana_timezone: 'UTC' }).execute();
      await markBackfilled(database.db, C);
      tokenC = await pair(C);
    });

    it('accepts any id up to 2^63 - 1 in the API path and answers 400 naming the rule otherwise', async () => {
      expect((await get('/api/v1/customers/9223372036854775807', tokenC)).status).toBe(404);
      expect((await get('/api/v1/orders/9223372036854775807/customer', tokenC)).status).toBe(404);
      for (const bad of ['9223372036854775808', '18446744073709551615', '123456789012345678901', '0', '-5', '1e3', '12abc']) {
        const res = await get(`/api/v1/customers/${bad}`, tokenC);
        expect([bad, res.status]).toEqual([bad, 400]);
        expect(((await res.json()) as { error: { code: string; message: string } }).error).toEqual({
          code: 'bad-request',
          message: `customer id must be a numeric Shopify id (decimal digits, 1 to 9223372036854775807), got ${JSON.stringify(bad)}`,
        });
      }
      expect((await get('/api/v1/orders/9223372036854775808/customer', tokenC)).status).toBe(400);
    });

    it('keeps any 64-bit id exact from the webhook body to the database, the API and the feed (property)', async () => {
      // An order id drawn twice moves that order to the new customer: the feed ends with each order's last customer.
      const customerOf = new Map<string, string>();
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), async (orderId, customerId) => {
          n++;
          await webhook(
            C,
            'orders/create',
            orderPayload({
              id: orderId,
              customerId,
              total: '12.00',
              createdAt: '2026-11-01T10:00:00Z',
              updatedAt: `2026-11-01T10:00:${String(n % 60).padStart(2, '0')}Z`,
            }),
          );
          expect(await stored(String(orderId))).toEqual([{ order_id: String(orderId), customer_id: String(customerId) }]);
          await app.compute.recomputeShop(C);
          const insight = await get(`/api/v1/customers/${customerId}`, tokenC);
          expect(insight.status).toBe(200);
          expect(((await insight.json()) as CustomerInsightV1).customerId).toBe(String(customerId));
          const byOrder = (await (await get(`/api/v1/orders/${orderId}/customer`, tokenC)).json()) as CustomerInsightV1;
          expect(byOrder.customerId).toBe(String(customerId));
          customerOf.set(String(orderId), String(customerId));
        }),
        { numRuns: 25 },
      );
      const feed = (await (await get('/api/v1/customers?limit=5000', tokenC)).json()) as CustomersFeedV1;
      const fed = feed.customers.map((c) => c.customerId);
      for (const id of new Set(customerOf.values())) expect(fed).toContain(id);
    });

    it('tells apart two ids a double cannot (820982911946154508 and ...509): customers/redact unlinks only its own', async () => {
      // Both pairs are one and the same double: rounded ids would merge the two customers and redact both.
      expect(820982911946154508 === 820982911946154509).toBe(true);
      for (const [order, customer] of [
        [820982911946154508n, 115310627314723954n],
        [820982911946154509n, 115310627314723955n],
      ] as const) {
        await webhook(C, 'orders/create', orderPayload({ id: order, customerId: customer, total: '20.00', createdAt: '2026-11-02T10:00:00Z' }));
      }
      await app.compute.recomputeShop(C);
      expect((await get('/api/v1/customers/115310627314723955', tokenC)).status).toBe(200);
      await webhook(
        C,
        'customers/redact',
        `{"shop_id":954889,"shop_domain":"${C}","customer":{"id":115310627314723954},"orders_to_redact":[820982911946154508]}`,
      );
      await app.compute.recomputeShop(C);
      expect(await stored('820982911946154508')).toEqual([{ order_id: '820982911946154508', customer_id: null }]);
      expect(await stored('820982911946154509')).toEqual([{ order_id: '820982911946154509', customer_id: '115310627314723955' }]);
      expect((await get('/api/v1/customers/115310627314723954', tokenC)).status).toBe(404);
      expect(((await (await get('/api/v1/customers/115310627314723955', tokenC)).json()) as CustomerInsightV1).orderCount).toBe(1);
    });
  });
});

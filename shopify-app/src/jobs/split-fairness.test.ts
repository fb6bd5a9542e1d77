import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerInsightV1 } from '@clvlens/core';
import { createApp, type App } from '../app.ts';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { upsertOrders } from '../ingest/store.ts';
import { silentLogger } from '../log.ts';
import { createShopifyApi } from '../shopify/config.ts';
import { markBackfilled, storedOrder } from '../testing/fixtures.ts';
import { orderPayload, signedWebhook } from '../testing/webhook-request.ts';

const SECRET = 'test-secret';
const LARGE = 'large.myshopify.com';
const SMALL = 'small.myshopify.com';
const DAY = 86_400_000;
const BUCKETS = 60;

/** `customers` customers with 1-6 orders each over two years before now (fixed seed), ids from `firstId`. */
function orders(customers: number, firstId: number, firstOrderId: number) {
  let seed = 99;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const now = Date.now();
  const list = [];
  let orderId = firstOrderId;
  for (let c = 0; c < customers; c++) {
    let at = now - 700 * DAY + Math.floor(next() * 300) * DAY;
    for (let k = 1 + Math.floor(next() * 6); k > 0 && at < now - DAY; k--) {
      list.push(storedOrder({ orderId: String(orderId++), customerId: String(firstId + c), placedAtMs: at, totalMinor: 1000 + Math.floor(next() * 9000) }));
      at += Math.floor(15 + next() * 120) * DAY;
    }
  }
  return list;
}

describe('split full runs and fair scheduling', () => {
  let database: Database;
  let app: App;

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const shop of [LARGE, SMALL]) {
      await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
      await markBackfilled(database.db, shop);
    }
    await upsertOrders(database.db, LARGE, orders(400, 1, 1));
    await upsertOrders(database.db, SMALL, orders(30, 1, 1));
    // As after the backfills' first runs: nothing queued, so the app starts idle and the test asks for each run.
    await database.db.deleteFrom('recompute_queue').execute();
    app = await createApp({
      database,
      shopify: createShopifyApi({ apiKey: 'test-key', apiSecretKey: SECRET, appUrl: 'https://app.example.com' }),
      encryptionKey: 'a'.repeat(64),
      log: silentLogger,
      pollingIntervalSeconds: 0.5,
      splitFullRun: { minOrders: 500, buckets: BUCKETS },
    });
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
  });

  it("shows a small shop's webhook in the API within 5 s while a large shop's bucket jobs run", { timeout: 180_000 }, async () => {
    expect(await app.compute.recomputeShop(SMALL)).toMatchObject({ mode: 'full' });
    const { code } = await app.createPairingCode(SMALL);
    const paired = await app.request('/api/v1/pair', { method: 'POST', body: JSON.stringify({ code }), headers: { 'content-type': 'application/json' } });
    const { token } = (await paired.json()) as { token: string };
    const insight = async () =>
      (await (await app.request('/api/v1/customers/5', { headers: { authorization: `Bearer ${token}` } })).json()) as CustomerInsightV1;
    const before = (await insight()).orderCount;

    // The large shop's full run is split: its fit step runs as a job, then its bucket jobs.
    expect(await app.compute.recomputeShop(LARGE, { full: true })).toMatchObject({ mode: 'split' });
    const run = async () => database.db.selectFrom('split_full_runs').select('done').where('shop_id', '=', LARGE).executeTakeFirst();
    const waitStarted = Date.now();
    while (!(await run())) {
      expect(Date.now() - waitStarted).toBeLessThan(120_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const sent = Date.now();
    const response = await app.fetch(
      signedWebhook(SECRET, SMALL, 'orders/create', orderPayload({ id: 777_777, customerId: 5, total: '42.00', createdAt: new Date().toISOString() })),
    );
    expect(response.status).toBe(200);
    const bucketsDoneAtWebhook = (await run())?.done.length ?? BUCKETS;
    while ((await insight()).orderCount === before) {
      expect(Date.now() - sent).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await insight()).orderCount).toBe(before + 1);
    // The large shop's buckets were still running when the small shop's change went through.
    expect(bucketsDoneAtWebhook).toBeLessThan(BUCKETS);

    // And the large shop's run completes: every customer scored, the run's row gone, the models stored.
    while (await run()) await new Promise((resolve) => setTimeout(resolve, 100));
    const live = await database.db.selectFrom('customer_insights').select('customer_id').where('shop_id', '=', LARGE).where('deleted', '=', false).execute();
    expect(live).toHaveLength(400);
    const metrics = await database.db.selectFrom('shop_metrics').select('models').where('shop_id', '=', LARGE).executeTakeFirstOrThrow();
    expect(JSON.parse(metrics.models!)).toMatchObject({ churn: { customerCount: 400 } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../app.ts';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { silentLogger } from '../log.ts';
import { createShopifyApi } from '../shopify/config.ts';
import { orderPayload, signedWebhook } from '../testing/webhook-request.ts';

const SECRET = 'test-secret';
const SHOP = 'follow-ups.myshopify.com';
const shopify = createShopifyApi({ apiKey: 'test-key', apiSecretKey: SECRET, appUrl: 'https://app.example.com' });

describe("a webhook's recompute follow-up", () => {
  let database: Database;
  let app: App;
  beforeAll(async () => {
    database = await createTestDatabase();
    // A recompute send for the shop holds the next one for a minute (on PostgreSQL the interval is a second).
    app = await createApp({ database, shopify, encryptionKey: 'a'.repeat(64), log: silentLogger, workers: false, recomputeIntervalMs: 60_000 });
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await app.stop();
    await database.close();
  });

  it("does not hold up the webhook's answer while the shop's recompute request waits out its interval", async () => {
    const order = await app.fetch(
      signedWebhook(SECRET, SHOP, 'orders/create', orderPayload({ id: 31, customerId: 41, total: '20.00', createdAt: '2026-10-01T00:00:00Z' })),
    );
    expect(order.status).toBe(200);
    // The order's recompute send started; a refund of the order now asks for another, which must wait the minute.
    const refund = { id: 51, order_id: 31, created_at: '2026-10-02T00:00:00Z', transactions: [{ kind: 'refund', status: 'success', amount: '5.00' }] };
    const started = performance.now();
    const answer = await app.fetch(signedWebhook(SECRET, SHOP, 'refunds/create', refund));
    expect(answer.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(5000);
    // Stored and queued before the answer: the recompute that follows the interval (or the app's next start) covers it.
    expect(await database.db.selectFrom('order_refunds').select('amount_minor').where('shop_id', '=', SHOP).execute()).toEqual([{ amount_minor: 500 }]);
    expect(await database.db.selectFrom('recompute_queue').select('customer_id').where('shop_id', '=', SHOP).execute()).toEqual([{ customer_id: 41 }]);
  }, 20_000);
});

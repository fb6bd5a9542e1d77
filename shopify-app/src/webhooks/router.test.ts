import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../db/test-database.ts';
import type { Database } from '../db/connect.ts';
import { silentLogger } from '../log.ts';
import { createShopifyApi } from '../shopify/config.ts';
import { orderPayload, signedWebhook } from '../testing/webhook-request.ts';
import { loadOrderRecords } from '../compute/load.ts';
import { createOrderSink, type OrderSink } from '../ingest/order-sink.ts';
import { createActiveShops } from './active-shops.ts';
import { processWebhook } from './router.ts';

const SECRET = 'test-secret';
const shopify = createShopifyApi({ apiKey: 'test-key', apiSecretKey: SECRET, appUrl: 'https://app.example.com' });
const A = 'shop-a.myshopify.com';
const B = 'shop-b.myshopify.com';

describe('processWebhook', () => {
  let database: Database;
  let sink: OrderSink;
  /** Shops whose recompute job the order sink requested. */
  const requested: string[] = [];
  const clock = { now: () => Date.parse('2026-11-20T12:00:00Z') };
  const deliver = async (request: Request) => {
    const raw = await request.clone().text();
    return processWebhook({ db: database.db, shopify, clock, log: silentLogger, sink, shopState: createActiveShops(database.db, clock, 0) }, request, raw);
  };
  beforeAll(async () => {
    database = await createTestDatabase();
    sink = createOrderSink({ db: database.db, clock, log: silentLogger, sendRecompute: async (shop) => void requested.push(shop) });
    for (const shop of [A, B]) await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });

  it('rejects a bad HMAC with 401 and stores nothing', async () => {
    const result = await deliver(
      signedWebhook(SECRET, A, 'orders/create', orderPayload({ id: 1, customerId: 7, total: '10.00', createdAt: '2026-01-01T00:00:00Z' }), { badHmac: true }),
    );
    expect(result.outcome.status).toBe(401);
    expect(await database.db.selectFrom('orders').selectAll().execute()).toEqual([]);
    expect(await database.db.selectFrom('webhook_deliveries').selectAll().execute()).toEqual([]);
  });

  it('stores an order with money in minor units and queues its customer', async () => {
    const result = await deliver(
      signedWebhook(SECRET, A, 'orders/create', orderPayload({ id: 1001, customerId: 7, total: '104.95', createdAt: '2026-01-05T10:00:00Z' }), {
        webhookId: 'w1',
      }),
    );
    expect(result.outcome).toEqual({ status: 200, result: 'processed' });
    // The order topic's handler handed the order to the sink, which requests the recompute itself (coalesced).
    expect(result.followUps).toEqual([]);
    await sink.settled();
    expect(requested).toEqual([A]);
    const order = await database.db.selectFrom('orders').selectAll().where('shop_id', '=', A).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ order_id: 1001, customer_id: 7, total_minor: 10495, currency: 'USD', cancelled: false });
    const queued = await database.db.selectFrom('recompute_queue').select(['shop_id', 'customer_id']).execute();
    expect(queued).toEqual([{ shop_id: A, customer_id: 7 }]);
  });

  it('skips a repeated delivery by webhook id', async () => {
    const again = await deliver(
      signedWebhook(
        SECRET,
        A,
        'orders/create',
        orderPayload({ id: 1001, customerId: 7, total: '999.00', createdAt: '2026-01-05T10:00:00Z', updatedAt: '2026-02-01T00:00:00Z' }),
        { webhookId: 'w1' },
      ),
    );
    expect(again.outcome).toEqual({ status: 200, result: 'duplicate' });
    const order = await database.db.selectFrom('orders').select('total_minor').where('order_id', '=', 1001).executeTakeFirstOrThrow();
    expect(order.total_minor).toBe(10495);
  });

  it('applies a newer version and ignores an older one that arrives late', async () => {
    const newer = orderPayload({
      id: 1001,
      customerId: 7,
      total: '104.95',
      createdAt: '2026-01-05T10:00:00Z',
      updatedAt: '2026-01-07T00:00:00Z',
      cancelledAt: '2026-01-07T00:00:00Z',
    });
    const older = orderPayload({ id: 1001, customerId: 7, total: '50.00', createdAt: '2026-01-05T10:00:00Z', updatedAt: '2026-01-06T00:00:00Z' });
    await deliver(signedWebhook(SECRET, A, 'orders/cancelled', newer));
    await deliver(signedWebhook(SECRET, A, 'orders/updated', older));
    const order = await database.db.selectFrom('orders').selectAll().where('order_id', '=', 1001).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ total_minor: 10495, cancelled: true });
    expect(order.updated_at.toISOString()).toBe('2026-01-07T00:00:00.000Z');
  });

  it('keeps a refund that arrives before its order and counts it once', async () => {
    const refund = { id: 555, order_id: 2002, created_at: '2026-03-02T00:00:00Z', transactions: [{ kind: 'refund', status: 'success', amount: '5.00' }] };
    await deliver(signedWebhook(SECRET, A, 'refunds/create', refund));
    await deliver(signedWebhook(SECRET, A, 'refunds/create', refund));
    await deliver(
      signedWebhook(
        SECRET,
        A,
        'orders/create',
        orderPayload({
          id: 2002,
          customerId: 8,
          total: '20.00',
          createdAt: '2026-03-01T00:00:00Z',
          refunds: [{ id: 555, amount: '5.00', createdAt: '2026-03-02T00:00:00Z' }],
        }),
      ),
    );
    const records = await loadOrderRecords(database.db, A);
    const order = records.find((r) => r.orderId === '2002');
    expect(order).toMatchObject({ totalMinor: 2000, refundedMinor: 500, customerId: '8' });
    expect(order?.refunds).toEqual([{ refundedAtMs: Date.parse('2026-03-02T00:00:00Z'), amountMinor: 500 }]);
  });

  it('keeps guest orders without their email', async () => {
    await deliver(
      signedWebhook(
        SECRET,
        A,
        'orders/create',
        orderPayload({ id: 3003, customerId: null, email: 'Guest@Example.com', total: '7.50', createdAt: '2026-03-01T00:00:00Z' }),
      ),
    );
    const rows = await database.db.selectFrom('orders').selectAll().where('order_id', '=', 3003).execute();
    expect(JSON.stringify(rows)).not.toMatch(/example\.com/i);
    expect(rows[0]?.guest_key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('isolates shops: the same order id in another shop is another row', async () => {
    await deliver(signedWebhook(SECRET, B, 'orders/create', orderPayload({ id: 1001, customerId: 7, total: '1.00', createdAt: '2026-01-05T10:00:00Z' })));
    const a = await loadOrderRecords(database.db, A);
    const b = await loadOrderRecords(database.db, B);
    expect(b).toHaveLength(1);
    expect(b[0]).toMatchObject({ orderId: '1001', totalMinor: 100 });
    expect(a.find((r) => r.orderId === '1001')?.totalMinor).toBe(10495);
  });

  it('answers 400 naming the field for a malformed order', async () => {
    const bad = {
      ...orderPayload({ id: 4004, customerId: 1, total: '1.00', createdAt: '2026-01-01T00:00:00Z' }),
      total_price_set: undefined,
      total_price: 'abc',
    };
    const result = await deliver(signedWebhook(SECRET, A, 'orders/create', bad));
    expect(result.outcome.status).toBe(400);
    expect(result.outcome.status === 400 && result.outcome.reason).toMatch(/order 4004 total_price/);
    expect(await database.db.selectFrom('orders').selectAll().where('order_id', '=', 4004).execute()).toEqual([]);
  });

  it('customers/redact unlinks the orders and removes personal data; shop/redact erases the shop', async () => {
    await deliver(signedWebhook(SECRET, A, 'customers/update', { id: 8, email: 'c8@example.com', updated_at: '2026-03-03T00:00:00Z' }));
    expect(await database.db.selectFrom('customer_personal').selectAll().where('customer_id', '=', 8).execute()).toHaveLength(1);
    await deliver(
      signedWebhook(
        SECRET,
        A,
        'customers/redact',
        { shop_domain: A, customer: { id: 8, email: 'c8@example.com' }, orders_to_redact: [2002] },
        { path: '/webhooks/compliance' },
      ),
    );
    expect(await database.db.selectFrom('customer_personal').selectAll().where('shop_id', '=', A).where('customer_id', '=', 8).execute()).toEqual([]);
    const order = await database.db.selectFrom('orders').selectAll().where('shop_id', '=', A).where('order_id', '=', 2002).executeTakeFirstOrThrow();
    expect(order.customer_id).toBeNull();
    expect(order.guest_key).toMatch(/^redacted:/);

    await deliver(signedWebhook(SECRET, A, 'shop/redact', { shop_domain: A }, { path: '/webhooks/compliance' }));
    for (const table of ['orders', 'order_refunds', 'customers', 'customer_personal', 'recompute_queue', 'shops'] as const) {
      expect(await database.db.selectFrom(table).selectAll().where('shop_id', '=', A).execute()).toEqual([]);
    }
    expect(await loadOrderRecords(database.db, B)).toHaveLength(1);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { silentLogger } from '../log.ts';
import type { StoredOrder } from './order.ts';
import { createOrderSink, type OrderDelivery } from './order-sink.ts';
import { someSessionWaitsForALock } from '../testing/lock-waits.ts';

const SHOP = 'batch.myshopify.com';
const order = (id: number, updatedAtMs: number, totalMinor: number): StoredOrder => ({
  orderId: String(id),
  customerId: '1',
  guestKey: null,
  placedAtMs: 1_700_000_000_000,
  updatedAtMs,
  currency: 'USD',
  totalMinor,
  refundedMinor: 0,
  cancelled: false,
  test: false,
  subscription: false,
  refunds: [],
});

describe('createOrderSink', () => {
  let database: Database;
  const committed: string[][] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  /** The sink's webhook path, answering true when the delivery's webhook id was new. */
  const sinkOf = (sendRecompute: (shop: string) => Promise<void>, retryMs?: number) => {
    const sink = createOrderSink({
      db: database.db,
      clock: { now: () => 1_800_000_000_000 },
      log: silentLogger,
      sendRecompute,
      ...(retryMs !== undefined ? { retryMs } : {}),
    });
    return {
      submit: async (delivery: OrderDelivery) => (await sink.submitWebhookOrder(delivery, 'USD')) === 'processed',
      settled: () => sink.settled(),
    };
  };

  it('stores concurrent deliveries together, skips repeated webhook ids and keeps the newest version of an order', async () => {
    const batcher = sinkOf(async (shop) => {
      committed.push([shop]);
    });
    const results = await Promise.all([
      batcher.submit({ shop: SHOP, webhookId: 'a', topic: 'orders/create', order: order(1, 1000, 100) }),
      batcher.submit({ shop: SHOP, webhookId: 'b', topic: 'orders/updated', order: order(1, 3000, 300) }),
      batcher.submit({ shop: SHOP, webhookId: 'c', topic: 'orders/updated', order: order(1, 2000, 200) }),
      batcher.submit({ shop: SHOP, webhookId: 'a', topic: 'orders/create', order: order(1, 1000, 100) }),
      batcher.submit({ shop: SHOP, webhookId: 'd', topic: 'orders/create', order: order(2, 1000, 50) }),
    ]);
    expect(results).toEqual([true, true, true, false, true]);
    const rows = await database.db.selectFrom('orders').select(['order_id', 'total_minor']).orderBy('order_id').execute();
    expect(rows).toEqual([
      { order_id: 1, total_minor: 300 },
      { order_id: 2, total_minor: 50 },
    ]);
    expect(committed).toEqual([[SHOP]]);
    const late = await batcher.submit({ shop: SHOP, webhookId: 'e', topic: 'orders/updated', order: order(1, 2500, 250) });
    expect(late).toBe(true);
    expect((await database.db.selectFrom('orders').select('total_minor').where('order_id', '=', 1).executeTakeFirstOrThrow()).total_minor).toBe(300);
  });

  it('requests the recompute without delaying the reply, coalesced per shop, and retries a failed request', async () => {
    const calls: string[][] = [];
    let release: () => void = () => {};
    let fail = true;
    const batcher = sinkOf(async (shop) => {
      calls.push([shop]);
      if (fail) {
        fail = false;
        throw new Error('queue down');
      }
      await new Promise<void>((resolve) => (release = resolve));
    }, 5);
    // Four batches one after the other: every reply comes while the first request is failing or still held.
    for (let k = 0; k < 4; k++) {
      expect(await batcher.submit({ shop: SHOP, webhookId: `coalesce-${k}`, topic: 'orders/create', order: order(100 + k, 1000, 10) })).toBe(true);
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The failed first request was retried (call 2) and is held; batches 2-4 only marked the shop meanwhile.
    expect(calls).toEqual([[SHOP], [SHOP]]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // One more request covers everything committed while the held one was in flight.
    expect(calls).toEqual([[SHOP], [SHOP], [SHOP]]);
    release();
    await batcher.settled();
    expect(calls.length).toBe(3);
  });

  it('queues the old and the new customer of an order that moved, per shop, and takes refunds through the transaction', async () => {
    const other = 'batch-other.myshopify.com';
    await database.db.deleteFrom('recompute_queue').execute();
    const batcher = sinkOf(async () => {});
    const moved = { ...order(500, 1000, 70), customerId: '41' };
    await Promise.all([
      batcher.submit({ shop: SHOP, webhookId: 'm1', topic: 'orders/create', order: moved }),
      batcher.submit({ shop: other, webhookId: 'm1', topic: 'orders/create', order: { ...moved, customerId: '43' } }),
    ]);
    await database.db.deleteFrom('recompute_queue').execute();
    expect(await batcher.submit({ shop: SHOP, webhookId: 'm2', topic: 'orders/updated', order: { ...moved, customerId: '42', updatedAtMs: 2000 } })).toBe(true);
    const queued = await database.db.selectFrom('recompute_queue').select(['shop_id', 'customer_id']).orderBy('customer_id').execute();
    expect(queued).toEqual([
      { shop_id: SHOP, customer_id: 41 },
      { shop_id: SHOP, customer_id: 42 },
    ]);
    const withRefund = { ...moved, updatedAtMs: 3000, refundedMinor: 20, refunds: [{ refundId: '9001', refundedAtMs: 1_700_000_500_000, amountMinor: 20 }] };
    expect(await batcher.submit({ shop: SHOP, webhookId: 'm3', topic: 'orders/updated', order: { ...withRefund, customerId: '42' } })).toBe(true);
    const refunds = await database.db.selectFrom('order_refunds').select(['refund_id', 'amount_minor']).where('shop_id', '=', SHOP).execute();
    expect(refunds).toEqual([{ refund_id: 9001, amount_minor: 20 }]);
  });
});

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];

describe.runIf(serverUrl)('createOrderSink on PostgreSQL', () => {
  const LOCK_SHOP = 'batch-deadlock.myshopify.com';
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('stores a batch again when PostgreSQL picks it as a deadlock victim, instead of failing its deliveries', async () => {
    const warnings: Record<string, unknown>[] = [];
    const sink = createOrderSink({
      db: database.db,
      clock: { now: () => 1_800_000_000_000 },
      log: { ...silentLogger, warn: (message, context) => warnings.push({ message, ...context }) },
      sendRecompute: async () => {},
    });
    const customerOrder = (orderId: number, customerId: string): StoredOrder => ({ ...order(orderId, 1000, 10), customerId });
    await sql`INSERT INTO recompute_queue (shop_id, customer_id) VALUES (${LOCK_SHOP}, 1), (${LOCK_SHOP}, 2)`.execute(database.db);
    // Another writer holds customer 2's entry, with a long deadlock timeout so that the batch is the one PostgreSQL
    // fails: the batch takes customer 1, waits for 2, and then the other writer asks for 1.
    const other = await database.db.startTransaction().execute();
    await sql`SET LOCAL deadlock_timeout = '30s'`.execute(other);
    await sql`SELECT 1 FROM recompute_queue WHERE shop_id = ${LOCK_SHOP} AND customer_id = 2 FOR UPDATE`.execute(other);
    const stored = Promise.all([
      sink.submitWebhookOrder({ shop: LOCK_SHOP, webhookId: 'd1', topic: 'orders/create', order: customerOrder(801, '1') }, 'USD'),
      sink.submitWebhookOrder({ shop: LOCK_SHOP, webhookId: 'd2', topic: 'orders/create', order: customerOrder(802, '2') }, 'USD'),
    ]);
    stored.catch(() => undefined); // awaited below; a failure before then is not unhandled
    await someSessionWaitsForALock(database.db); // the batch, for customer 2
    await sql`SELECT 1 FROM recompute_queue WHERE shop_id = ${LOCK_SHOP} AND customer_id = 1 FOR UPDATE`.execute(other);
    await other.commit().execute();
    expect(await stored).toEqual(['processed', 'processed']);
    expect(warnings).toEqual([{ message: 'webhook batch stored again', code: '40P01', tries: 1, deliveries: 2 }]);
    const orders = await database.db.selectFrom('orders').select(['order_id', 'customer_id']).where('shop_id', '=', LOCK_SHOP).orderBy('order_id').execute();
    expect(orders).toEqual([
      { order_id: 801, customer_id: 1 },
      { order_id: 802, customer_id: 2 },
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { StoredOrder } from './order.ts';
import { createBulkOrderWriter, deleteOrder, dequeueEntries, purgeDeletedOrders, queueRecompute, upsertOrders } from './store.ts';
import { storedOrder } from '../testing/fixtures.ts';
import { someSessionWaitsForALock } from '../testing/lock-waits.ts';

const SHOP = 'store.myshopify.com';
const order = (customerId: number, updatedAtMs: number, totalMinor: number): StoredOrder =>
  storedOrder({ orderId: '77', customerId: String(customerId), placedAtMs: 1_700_000_000_000, updatedAtMs, totalMinor });

describe('upsertOrders', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });
  const queued = async (): Promise<number[]> =>
    (await database.db.selectFrom('recompute_queue').select('customer_id').where('shop_id', '=', SHOP).orderBy('customer_id').execute()).map((r) =>
      Number(r.customer_id),
    );

  it('queues the old and the new customer of a changed order, and nothing for a stale or replayed version', async () => {
    expect(await upsertOrders(database.db, SHOP, [order(1, 1_700_000_100_000, 500)])).toBe(1);
    expect(await queued()).toEqual([1]);
    await database.db.deleteFrom('recompute_queue').execute();
    expect(await upsertOrders(database.db, SHOP, [order(1, 1_700_000_100_000, 500)])).toBe(0);
    expect(await upsertOrders(database.db, SHOP, [order(2, 1_700_000_050_000, 900)])).toBe(0);
    expect(await queued()).toEqual([]);
    expect(await upsertOrders(database.db, SHOP, [order(2, 1_700_000_200_000, 900)])).toBe(1);
    expect(await queued()).toEqual([1, 2]);
    const row = await database.db.selectFrom('orders').select(['customer_id', 'total_minor']).where('order_id', '=', 77).executeTakeFirstOrThrow();
    expect(row).toEqual({ customer_id: 2, total_minor: 900 });
  });
});

// On PostgreSQL (CLVLENS_TEST_DATABASE_URL) this is the COPY path; on PGlite the row inserts. Both must store the same.
describe('createBulkOrderWriter', () => {
  const BULK_SHOP = 'bulk-writer.myshopify.com';
  let database: Database;
  const writer = () => createBulkOrderWriter(database.db, BULK_SHOP, database.kind === 'postgres' ? database.pool : null);
  const store = (orders: StoredOrder[]) => writer().transaction((_trx, write) => write(orders));
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  const stored = async (orderId: string) =>
    database.db
      .selectFrom('orders')
      .select(['customer_id', 'guest_key', 'currency', 'total_minor', 'refunded_minor', 'subscription', 'cancelled', 'test', 'placed_at', 'updated_at'])
      .where('shop_id', '=', BULK_SHOP)
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow();

  it('round-trips untrusted text with tabs, newlines, backslashes and a literal \\N in guest keys and currencies', async () => {
    const keys = ['a\tb', 'line\nbreak', 'back\\slash', '\\N', 'cr\rlf\r\n', 'end\\', '\\\\t', 'ünïcödé ✓ مرحبا', ''];
    const orders = keys.map((guestKey, i) =>
      storedOrder({ orderId: String(9000 + i), placedAtMs: 1_700_000_000_123 + i, guestKey, currency: i === 0 ? 'U\tS\\D' : 'USD' }),
    );
    await store(orders);
    for (const [i, key] of keys.entries()) {
      const row = await stored(String(9000 + i));
      expect(row.guest_key).toBe(key);
      expect(row.currency).toBe(i === 0 ? 'U\tS\\D' : 'USD');
      // Times survive to the millisecond.
      expect(new Date(row.placed_at).getTime()).toBe(1_700_000_000_123 + i);
    }
  });

  it('keeps the newer version a webhook stored first, replaces an older one, and keeps a stored subscription flag', async () => {
    const webhook = storedOrder({
      orderId: '500',
      customerId: '1',
      placedAtMs: 1_700_000_000_000,
      updatedAtMs: 1_700_000_200_000,
      totalMinor: 700,
      subscription: true,
    });
    expect(await upsertOrders(database.db, BULK_SHOP, [webhook])).toBe(1);
    await store([{ ...webhook, updatedAtMs: 1_700_000_100_000, totalMinor: 100, subscription: false }]);
    expect(await stored('500')).toMatchObject({ total_minor: 700, subscription: true });
    await store([{ ...webhook, updatedAtMs: 1_700_000_300_000, totalMinor: 900, customerId: '2', subscription: false }]);
    expect(await stored('500')).toMatchObject({ total_minor: 900, customer_id: 2, subscription: true });
  });

  it('leaves out an order deleted in Shopify and its refunds; the end of a backfill removes what its COPY wrote anyway', async () => {
    const deleted = storedOrder({
      orderId: '800',
      customerId: '8',
      placedAtMs: 1_700_000_000_000,
      refunds: [{ refundId: '81', refundedAtMs: 1_700_000_100_000, amountMinor: 10 }],
    });
    await store([deleted, storedOrder({ orderId: '801', customerId: '8', placedAtMs: 1_700_000_000_000 })]);
    expect(await deleteOrder(database.db, BULK_SHOP, '800', 1_700_000_900_000)).toEqual(['8']);
    const rowsOf800 = async () => [
      ...(await database.db.selectFrom('orders').select('order_id').where('shop_id', '=', BULK_SHOP).where('order_id', '=', '800').execute()),
      ...(await database.db.selectFrom('order_refunds').select('refund_id').where('shop_id', '=', BULK_SHOP).where('order_id', '=', '800').execute()),
    ];
    expect(await rowsOf800()).toEqual([]);
    // A later version through the webhooks' upsert, with a new refund: neither is stored.
    const later = {
      ...deleted,
      updatedAtMs: 1_700_000_950_000,
      refunds: [...deleted.refunds, { refundId: '82', refundedAtMs: 1_700_000_950_000, amountMinor: 5 }],
    };
    expect(await upsertOrders(database.db, BULK_SHOP, [later])).toBe(0);
    expect(await rowsOf800()).toEqual([]);
    // An export read before the deletion: the backfill's writes do not look (row inserts on PGlite, COPY on
    // PostgreSQL); the backfill's end removes it with its refunds.
    await store([later]);
    await purgeDeletedOrders(database.db, BULK_SHOP);
    expect(await rowsOf800()).toEqual([]);
    expect(await database.db.selectFrom('orders').select('order_id').where('shop_id', '=', BULK_SHOP).where('order_id', '=', '801').execute()).toHaveLength(1);
  });

  it('stores refunds once, with their times and amounts, and a null customer as null', async () => {
    const order = storedOrder({
      orderId: '600',
      placedAtMs: 1_700_000_000_000,
      refundedMinor: 250,
      refunds: [
        { refundId: '61', refundedAtMs: 1_700_000_500_007, amountMinor: 200 },
        { refundId: '62', refundedAtMs: 1_700_000_600_000, amountMinor: 50 },
      ],
    });
    await store([order]);
    await store([order]);
    const refunds = await database.db
      .selectFrom('order_refunds')
      .select(['refund_id', 'order_id', 'refunded_at', 'amount_minor'])
      .where('shop_id', '=', BULK_SHOP)
      .orderBy('refund_id')
      .execute();
    expect(refunds.map((r) => [Number(r.refund_id), Number(r.order_id), new Date(r.refunded_at).getTime(), r.amount_minor])).toEqual([
      [61, 600, 1_700_000_500_007, 200],
      [62, 600, 1_700_000_600_000, 50],
    ]);
    expect(await stored('600')).toMatchObject({ customer_id: null, refunded_minor: 250 });
  });

  it('rolls the whole transaction back when its work fails, and stores again afterwards', async () => {
    const order = storedOrder({ orderId: '700', placedAtMs: 1_700_000_000_000 });
    await expect(
      writer().transaction(async (trx, write) => {
        await write([order]);
        await trx.updateTable('orders').set({ total_minor: 1 }).where('order_id', '=', '700').execute();
        throw new Error('crash after the COPY');
      }),
    ).rejects.toThrow('crash after the COPY');
    expect(await database.db.selectFrom('orders').select('order_id').where('order_id', '=', '700').execute()).toEqual([]);
    await store([order]);
    expect(await stored('700')).toMatchObject({ total_minor: 1000 });
  });
});

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];

// Two writers of one shop's queue at once: a webhook batch queuing customers and a recompute removing the entries it
// computed. Each takes row locks customer by customer; taken in different orders, they wait for each other and
// PostgreSQL fails one (deadlock_detected, which answered a whole webhook batch 500 under load).
describe.runIf(serverUrl)('recompute queue writers (PostgreSQL)', () => {
  const QUEUE_SHOP = 'queue-locks.myshopify.com';
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: QUEUE_SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });
  const entries = async () =>
    (
      await database.db.selectFrom('recompute_queue').select(['customer_id', 'queued_seq']).where('shop_id', '=', QUEUE_SHOP).orderBy('customer_id').execute()
    ).map((r) => [String(r.customer_id), Number(r.queued_seq)] as const);
  it('a dequeue and a batch queuing the same customers in the other order both finish, and the requeued entries stay', async () => {
    // Stored in the heap as 2 then 1, and named to the dequeue as 2 then 1: the order it would meet them in.
    await queueRecompute(database.db, QUEUE_SHOP, ['2']);
    await queueRecompute(database.db, QUEUE_SHOP, ['1']);
    const before = new Map(await entries());
    const batch = await database.db.startTransaction().execute();
    await queueRecompute(batch, QUEUE_SHOP, ['1']);
    const run = await database.db.startTransaction().execute();
    const dequeued = dequeueEntries(run, QUEUE_SHOP, { customerIds: ['2', '1'], queuedSeqs: [before.get('2')!, before.get('1')!] }).then(
      () => run.commit().execute(),
      async (error: unknown) => {
        await run.rollback().execute();
        throw error;
      },
    );
    dequeued.catch(() => undefined); // awaited below; a failure before then is not unhandled
    await someSessionWaitsForALock(database.db);
    // The batch goes on to customer 2 while the dequeue waits for customer 1: it must not hold customer 2 already.
    await queueRecompute(batch, QUEUE_SHOP, ['2']);
    await batch.commit().execute();
    await dequeued;
    const after = await entries();
    expect(after.map(([id]) => id)).toEqual(['1', '2']);
    for (const [id, seq] of after) expect(seq).toBeGreaterThan(before.get(id)!);
  });
});

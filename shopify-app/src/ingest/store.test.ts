import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { StoredOrder } from './order.ts';
import { upsertOrders } from './store.ts';
import { storedOrder } from '../testing/fixtures.ts';

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

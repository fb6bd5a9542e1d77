import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { StoredOrder } from '../ingest/order.ts';
import { createOrderBatcher } from './order-batcher.ts';

const SHOP = 'batch.myshopify.com';
const order = (id: number, updatedAtMs: number, totalMinor: number): StoredOrder => ({
  orderId: id, customerId: 1, guestKey: null, placedAtMs: 1_700_000_000_000, updatedAtMs, currency: 'USD',
  totalMinor, refundedMinor: 0, cancelled: false, test: false, subscription: false, refunds: [],
});

describe('createOrderBatcher', () => {
  let database: Database;
  const committed: string[][] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('stores concurrent deliveries together, skips repeated webhook ids and keeps the newest version of an order', async () => {
    const batcher = createOrderBatcher(database.db, { now: () => 1_800_000_000_000 }, async (shops) => {
      committed.push(shops);
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
    expect(rows).toEqual([{ order_id: 1, total_minor: 300 }, { order_id: 2, total_minor: 50 }]);
    expect(committed).toEqual([[SHOP]]);
    const late = await batcher.submit({ shop: SHOP, webhookId: 'e', topic: 'orders/updated', order: order(1, 2500, 250) });
    expect(late).toBe(true);
    expect((await database.db.selectFrom('orders').select('total_minor').where('order_id', '=', 1).executeTakeFirstOrThrow()).total_minor).toBe(300);
  });
});

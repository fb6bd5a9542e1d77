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

  it('requests the recompute without delaying the reply, coalesced per shop, and retries a failed request', async () => {
    const calls: string[][] = [];
    let release: () => void = () => {};
    let fail = true;
    const batcher = createOrderBatcher(
      database.db,
      { now: () => 1_800_000_000_000 },
      async (shops) => {
        calls.push(shops);
        if (fail) {
          fail = false;
          throw new Error('queue down');
        }
        await new Promise<void>((resolve) => (release = resolve));
      },
      { retryMs: 5 },
    );
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
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';
import { orderPayload } from '../testing/webhook-request.ts';
import { purgeDeletedOrders } from '../ingest/store.ts';

const SHOP = 'deleting-shop.myshopify.com';
const nowMs = Date.parse('2026-11-20T12:00:00Z');

describe('orders/delete, over HTTP', () => {
  let t: TestHttpServer;
  const send = async (topic: string, payload: unknown): Promise<unknown> => {
    const res = await t.webhook(SHOP, topic, payload);
    expect(res.status, topic).toBe(200);
    return res.json();
  };
  const storedOrders = async () =>
    (await t.database.db.selectFrom('orders').select('order_id').where('shop_id', '=', SHOP).orderBy('order_id').execute()).map((r) => String(r.order_id));
  const queued = async () =>
    (await t.database.db.selectFrom('recompute_queue').select('customer_id').where('shop_id', '=', SHOP).execute()).map((r) => String(r.customer_id));

  beforeAll(async () => {
    t = await startTestHttpServer({ clock: { now: () => nowMs } });
    await t.installShop(SHOP);
    await send('orders/create', orderPayload({ id: 60, customerId: 6, total: '40.00', createdAt: '2026-10-01T00:00:00Z' }));
    await send(
      'orders/create',
      orderPayload({
        id: 61,
        customerId: 6,
        total: '25.00',
        createdAt: '2026-10-05T00:00:00Z',
        updatedAt: '2026-10-06T00:00:00Z',
        refunds: [{ id: 610, amount: '5.00', createdAt: '2026-10-06T00:00:00Z' }],
      }),
    );
    await send('orders/create', orderPayload({ id: 62, customerId: 7, total: '10.00', createdAt: '2026-10-07T00:00:00Z' }));
    await t.database.db.deleteFrom('recompute_queue').where('shop_id', '=', SHOP).execute();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('removes the order and its refunds, and recomputes its customer', async () => {
    expect(await storedOrders()).toEqual(['60', '61', '62']);
    expect(await send('orders/delete', { id: 61 })).toEqual({ ok: true, result: 'processed' });
    expect(await storedOrders()).toEqual(['60', '62']);
    expect(await t.database.db.selectFrom('order_refunds').select('refund_id').where('shop_id', '=', SHOP).execute()).toEqual([]);
    expect(await queued()).toEqual(['6']);
  });

  it('a version of the order arriving after the deletion is removed again by the next reconciliation', async () => {
    // A retried orders/updated from before the deletion, with a refund: the path with refunds (one transaction per
    // batch) leaves it out at once.
    const withRefund = orderPayload({
      id: 61,
      customerId: 6,
      total: '25.00',
      createdAt: '2026-10-05T00:00:00Z',
      updatedAt: '2026-10-08T00:00:00Z',
      refunds: [{ id: 611, amount: '5.00', createdAt: '2026-10-08T00:00:00Z' }],
    });
    expect(await send('orders/updated', withRefund)).toEqual({ ok: true, result: 'processed' });
    expect(await storedOrders()).toEqual(['60', '62']);
    // Without a refund it goes through the one-statement batch, which does not look (ingest/store.ts): stored until
    // the reconciliation (every 5 minutes) removes it again and recomputes its customer.
    const late = orderPayload({ id: 61, customerId: 6, total: '25.00', createdAt: '2026-10-05T00:00:00Z', updatedAt: '2026-10-07T00:00:00Z' });
    expect(await send('orders/updated', late)).toEqual({ ok: true, result: 'processed' });
    expect(await storedOrders()).toEqual(['60', '61', '62']);
    await t.database.db.deleteFrom('recompute_queue').where('shop_id', '=', SHOP).execute();
    expect(await purgeDeletedOrders(t.database.db, SHOP)).toBe(1);
    expect(await storedOrders()).toEqual(['60', '62']);
    expect(await queued()).toEqual(['6']);
    expect(await t.database.db.selectFrom('order_refunds').select('refund_id').where('shop_id', '=', SHOP).execute()).toEqual([]);
    // Other orders still store as before.
    await send('orders/updated', orderPayload({ id: 62, customerId: 7, total: '12.00', createdAt: '2026-10-07T00:00:00Z', updatedAt: '2026-10-09T00:00:00Z' }));
    expect((await t.database.db.selectFrom('orders').select('total_minor').where('order_id', '=', '62').executeTakeFirst())?.total_minor).toBe(1200);
  });

  it('remembers an order deleted before the app stored it, and takes a repeated deletion as done', async () => {
    expect(await send('orders/delete', { id: 63 })).toEqual({ ok: true, result: 'processed' });
    expect(await send('orders/create', orderPayload({ id: 63, customerId: 7, total: '8.00', createdAt: '2026-10-02T00:00:00Z' }))).toEqual({
      ok: true,
      result: 'processed',
    });
    await purgeDeletedOrders(t.database.db, SHOP);
    expect(await storedOrders()).toEqual(['60', '62']);
    expect(await send('orders/delete', { id: 61 })).toEqual({ ok: true, result: 'processed' });
    expect(
      (await t.database.db.selectFrom('deleted_orders').select('order_id').where('shop_id', '=', SHOP).orderBy('order_id').execute()).map((r) =>
        String(r.order_id),
      ),
    ).toEqual(['61', '63']);
  });

  it('answers 400 naming the field for a body without an order id', async () => {
    const res = await t.webhook(SHOP, 'orders/delete', { id: 'not-an-id' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('order.id');
  });
});

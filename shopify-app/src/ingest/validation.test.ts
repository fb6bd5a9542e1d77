import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';

const SHOP = 'validate-shop.myshopify.com';
const clock = { now: () => Date.parse('2026-11-20T12:00:00Z') };

describe('ingest validation over HTTP', () => {
  let t: TestHttpServer;
  const order = (id: number, extra: Partial<Parameters<typeof orderPayload>[0]> = {}) =>
    orderPayload({ id, customerId: (id % 5) + 1, total: '20.00', createdAt: '2026-06-01T00:00:00Z', ...extra });
  const stored = async (): Promise<number[]> =>
    (await t.database.db.selectFrom('orders').select('order_id').where('shop_id', '=', SHOP).orderBy('order_id').execute()).map((r) => Number(r.order_id));
  const quarantine = async (): Promise<{ kind: string; id: string; reason: string }[]> => {
    const res = await t.dashboard(SHOP, '/app/api/quarantine');
    expect(res.status).toBe(200);
    return (await res.json()) as { kind: string; id: string; reason: string }[];
  };

  beforeAll(async () => {
    t = await startTestHttpServer({ clock });
    await t.installShop(SHOP, 'USD');
    for (const id of [1, 2, 3]) expect((await t.webhook(SHOP, 'orders/create', order(id))).status).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('quarantines an order in a second currency with its reason for the merchant, and stores nothing of it', async () => {
    const res = await t.webhook(SHOP, 'orders/create', order(10, { currency: 'EUR' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, result: 'quarantined' });
    expect(await stored()).toEqual([1, 2, 3]);
    expect(await quarantine()).toContainEqual({ kind: 'order', id: '10', reason: "order 10 is in EUR, the shop's currency is USD", seenAtMs: clock.now() });
  });

  it('quarantines negative refunds, from refunds/create and inside an order', async () => {
    const refund = { id: 77, order_id: 1, created_at: '2026-06-02T00:00:00Z', transactions: [{ id: 770, kind: 'refund', status: 'success', amount: '-5.00' }] };
    expect((await t.webhook(SHOP, 'refunds/create', refund)).status).toBe(200);
    const withNegative = order(11, { refunds: [{ id: 78, amount: '-3.00', createdAt: '2026-06-02T00:00:00Z' }] });
    expect(await (await t.webhook(SHOP, 'orders/updated', withNegative)).json()).toEqual({ ok: true, result: 'quarantined' });
    const q = await quarantine();
    expect(q.map((r) => `${r.kind}:${r.id}`)).toEqual(expect.arrayContaining(['refund:77', 'order:11']));
    expect(await t.database.db.selectFrom('order_refunds').select('refund_id').where('shop_id', '=', SHOP).execute()).toEqual([]);
  });

  it('answers 400 for malformed and unknown currency codes and does not guess their decimals', async () => {
    for (const currency of ['ZZ,Z', 'ZZZ', 'usd', '']) {
      const res = await t.webhook(SHOP, 'orders/create', order(20, { currency }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad-request');
    }
    expect(await stored()).toEqual([1, 2, 3]);
  });

  it('keeps the shop computing when a bad order is already stored: the recompute skips and reports it', async () => {
    // As an older app version (or a path without the check) would have left them.
    await t.database.db
      .insertInto('orders')
      .values([
        {
          shop_id: SHOP,
          order_id: 30,
          customer_id: 1,
          guest_key: null,
          placed_at: '2026-06-03T00:00:00Z',
          updated_at: '2026-06-03T00:00:00Z',
          currency: 'EUR',
          total_minor: 100,
        },
        {
          shop_id: SHOP,
          order_id: 31,
          customer_id: 2,
          guest_key: null,
          placed_at: '2026-06-03T00:00:00Z',
          updated_at: '2026-06-03T00:00:00Z',
          currency: 'USD',
          total_minor: 100,
        },
      ])
      .execute();
    await t.database.db
      .insertInto('order_refunds')
      .values({ shop_id: SHOP, refund_id: 90, order_id: 31, refunded_at: '2026-06-04T00:00:00Z', amount_minor: -50 })
      .execute();
    const result = await t.server.app.compute.recomputeShop(SHOP, { full: true });
    expect(result.mode).toBe('full');
    const q = await quarantine();
    expect(q.find((r) => r.id === '30')?.reason).toMatch(/EUR/);
    expect(q.find((r) => r.id === '31')?.reason).toMatch(/refund/);
    const summary = await t.dashboard(SHOP, '/app/api/summary');
    expect(summary.status).toBe(200);
    expect(((await summary.json()) as { customers: number }).customers).toBe(3);
  });
});

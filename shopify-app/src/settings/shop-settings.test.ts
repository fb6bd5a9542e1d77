import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopSettingsV1, ShopSummaryV1 } from '@clvlens/core';
import { markBackfilled } from '../testing/fixtures.ts';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';
import { SHOP_TABLES } from '../webhooks/shop-redact.ts';

const SHOP = 'horizon-shop.myshopify.com';
const OTHER = 'other-shop.myshopify.com';
const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;

/**
 * 600 customers over two years: each buys every `gap` days (7 to 120, by customer) until they stop, some after one
 * order; enough repeat customers for the backtested churn model at every horizon.
 */
function orders(
  shop: string,
): { shop_id: string; order_id: number; customer_id: number; guest_key: null; placed_at: Date; updated_at: Date; currency: string; total_minor: number }[] {
  const rows = [];
  let orderId = 1;
  for (let c = 1; c <= 600; c++) {
    const gap = 7 + ((c * 37) % 114);
    const first = NOW - (730 - ((c * 53) % 700)) * DAY;
    const count = c % 3 === 0 ? 1 : 1 + ((c * 17) % 9);
    for (let k = 0; k < count; k++) {
      const at = first + k * gap * DAY + ((c * k * 7919) % 5) * DAY;
      if (at > NOW - DAY) break;
      rows.push({
        shop_id: shop,
        order_id: orderId++,
        customer_id: c,
        guest_key: null,
        placed_at: new Date(at),
        updated_at: new Date(at),
        currency: 'USD',
        total_minor: 2_000 + ((c * 131 + k * 17) % 9_000),
      });
    }
  }
  return rows;
}

describe('the churn horizon is a shop setting (dashboard GET/PUT /app/api/settings)', () => {
  let t: TestHttpServer;
  const settings = async (shop = SHOP): Promise<ShopSettingsV1> => (await (await t.dashboard(shop, '/app/api/settings')).json()) as ShopSettingsV1;
  const put = (body: string, shop = SHOP): Promise<Response> =>
    t.dashboard(shop, '/app/api/settings', { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
  const summary = async (shop = SHOP): Promise<ShopSummaryV1> => (await (await t.dashboard(shop, '/app/api/summary')).json()) as ShopSummaryV1;
  const insightHorizons = async (shop = SHOP): Promise<Set<number>> => {
    const rows = await t.database.db.selectFrom('customer_insights').select('payload').where('shop_id', '=', shop).where('deleted', '=', false).execute();
    return new Set(rows.map((r) => (JSON.parse(r.payload!) as { churnHorizonDays: number }).churnHorizonDays));
  };

  beforeAll(async () => {
    t = await startTestHttpServer({ clock: { now: () => NOW } });
    for (const shop of [SHOP, OTHER]) {
      await t.installShop(shop, 'USD');
      await markBackfilled(t.database.db, shop);
      await t.database.db.insertInto('orders').values(orders(shop)).execute();
      expect((await t.server.app.compute.recomputeShop(shop)).mode).toBe('full');
    }
  }, 120_000);
  afterAll(async () => {
    await t.stop();
  });

  it("starts on the app's default, 90 days, in the settings, the summary and every customer's insight", async () => {
    expect(await settings()).toEqual({ churnHorizonDays: 90, churnHorizonChoices: [30, 60, 90, 180], churnHorizonIsDefault: true });
    const s = await summary();
    expect(s.churnHorizonDays).toBe(90);
    expect(s.churnBacktest?.horizonDays).toBe(90);
    expect(await insightHorizons()).toEqual(new Set([90]));
  });

  it('refuses what is not a horizon with a 400 naming the field, and stores nothing', async () => {
    for (const [body, field] of [
      ['{"churnHorizonDays":45}', 'churnHorizonDays'],
      ['{"churnHorizonDays":"90"}', 'churnHorizonDays'],
      ['{"churnHorizon":30}', 'churnHorizon'],
      ['[30]', 'JSON object'],
      ['not json', 'JSON'],
    ] as const) {
      const res = await put(body);
      expect(res.status, body).toBe(400);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('bad-request');
      expect(error.message).toContain(field);
    }
    expect((await settings()).churnHorizonIsDefault).toBe(true);
  });

  it('a new horizon refits the shop: the summary, its backtest and every insight then speak of 30 days; other shops keep theirs', async () => {
    const res = await put('{"churnHorizonDays":30}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ churnHorizonDays: 30, churnHorizonChoices: [30, 60, 90, 180], churnHorizonIsDefault: false });
    // The stored models answer "90 days", so the next recompute (the job the PUT queued) is a full one.
    const run = await t.server.app.compute.recomputeShop(SHOP);
    expect(run).toMatchObject({ mode: 'full', reason: 'no-models' });
    const s = await summary();
    expect(s.churnHorizonDays).toBe(30);
    expect(s.churnBacktest?.horizonDays).toBe(30);
    expect(await insightHorizons()).toEqual(new Set([30]));
    expect((await t.server.app.compute.recomputeShop(OTHER)).mode).toBe('incremental');
    expect((await summary(OTHER)).churnHorizonDays).toBe(90);
    expect(await insightHorizons(OTHER)).toEqual(new Set([90]));
    // Saving the same value again changes nothing and needs no refit.
    expect((await put('{"churnHorizonDays":30}')).status).toBe(200);
    expect((await t.server.app.compute.recomputeShop(SHOP)).mode).toBe('incremental');
  }, 120_000);

  it('queues the refit as a job when the horizon changes', async () => {
    const queued = async (): Promise<number> => {
      const { rows } = await t.database.pool.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'recompute' AND data->>'shop' = $1`, [SHOP]);
      return (rows[0] as { n: number }).n;
    };
    // No worker runs in this test: clear what the earlier change queued (one queued recompute per shop at a time).
    await t.database.pool.query(`DELETE FROM pgboss.job WHERE name = 'recompute'`);
    expect((await put('{"churnHorizonDays":180}')).status).toBe(200);
    expect(await queued()).toBe(1);
    await t.database.pool.query(`DELETE FROM pgboss.job WHERE name = 'recompute'`);
    expect((await put('{"churnHorizonDays":180}')).status).toBe(200);
    expect(await queued()).toBe(0);
  });

  it('is erased with the rest of the shop by shop/redact; every table holding shop data is in the redact list', async () => {
    expect((await put('{"churnHorizonDays":60}', OTHER)).status).toBe(200);
    expect((await t.webhook(OTHER, 'shop/redact', { shop_id: 2, shop_domain: OTHER })).status).toBe(200);
    expect(await t.database.db.selectFrom('shop_settings').selectAll().where('shop_id', '=', OTHER).execute()).toEqual([]);
    const { rows } = await t.database.pool.query(
      `SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'shop_id' ORDER BY table_name`,
    );
    // Delivery ids are kept on purpose (dedupe of a redelivered redact); they hold no shop data.
    const tables = (rows as { table_name: string }[]).map((r) => r.table_name).filter((name) => name !== 'webhook_deliveries');
    expect([...SHOP_TABLES].sort()).toEqual(tables);
  });
});

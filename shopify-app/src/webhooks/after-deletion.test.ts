import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';

const SHOP = 'gone-shop.myshopify.com';
let nowMs = Date.parse('2026-11-20T12:00:00Z');
const clock = { now: () => nowMs };

/** Rows of the shop in every table but `webhook_deliveries` (ids and topics only, kept for dedupe), as text. */
async function shopRows(t: TestHttpServer): Promise<string[]> {
  const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_name = 'shop_id' AND table_name <> 'webhook_deliveries'`.execute(t.database.db);
  const rows: string[] = [];
  for (const { table_name } of tables.rows) {
    const found = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.table(table_name)} t WHERE shop_id = ${SHOP}`.execute(t.database.db);
    rows.push(...found.rows.map((r) => `${table_name}: ${r.row}`));
  }
  return rows;
}

describe('webhooks after app/uninstalled and shop/redact, over HTTP', () => {
  let t: TestHttpServer;
  const send = async (topic: string, payload: unknown): Promise<unknown> => {
    const res = await t.webhook(SHOP, topic, payload);
    expect(res.status).toBe(200);
    return res.json();
  };
  beforeAll(async () => {
    t = await startTestHttpServer({ clock });
    await t.installShop(SHOP);
    await send('customers/update', { id: 5, email: 'five@example.com', updated_at: '2026-10-01T00:00:00Z' });
    await send('orders/create', orderPayload({ id: 50, customerId: 5, total: '9.00', createdAt: '2026-10-01T00:00:00Z' }));
  });
  afterAll(async () => {
    await t.stop();
  });

  it('drops data webhooks for an uninstalled shop but still honours a customers/redact', async () => {
    await send('app/uninstalled', { id: 1, domain: SHOP, myshopify_domain: null });
    expect(await send('orders/create', orderPayload({ id: 51, customerId: 6, total: '9.00', createdAt: '2026-11-01T00:00:00Z' }))).toEqual({
      ok: true,
      result: 'ignored-shop',
    });
    expect(await send('customers/update', { id: 6, email: 'six@example.com', updated_at: '2026-11-01T00:00:00Z' })).toEqual({
      ok: true,
      result: 'ignored-shop',
    });
    expect((await shopRows(t)).join('\n')).not.toContain('six@example.com');
    // By key, not by a text match: the shop's encrypted keys are random text that can hold "51".
    const late = await sql<{ n: number }>`SELECT (SELECT count(*) FROM orders WHERE shop_id = ${SHOP} AND order_id = 51)
      + (SELECT count(*) FROM customers WHERE shop_id = ${SHOP} AND customer_id = 6)
      + (SELECT count(*) FROM customer_personal WHERE shop_id = ${SHOP} AND customer_id = 6) AS n`.execute(t.database.db);
    expect(Number(late.rows[0]!.n)).toBe(0);
    expect(await send('customers/redact', { shop_domain: SHOP, customer: { id: 5 }, orders_to_redact: [50] })).toEqual({ ok: true, result: 'processed' });
    expect((await shopRows(t)).join('\n')).not.toContain('five@example.com');
  });

  it('stores nothing for a shop after shop/redact, however late a delivery comes', async () => {
    await send('shop/redact', { shop_id: 1, shop_domain: SHOP });
    expect(await shopRows(t)).toEqual([]);
    for (const [topic, payload] of [
      ['customers/update', { id: 7, email: 'late@example.com', updated_at: '2026-11-21T00:00:00Z' }],
      ['customers/create', { id: 8, email: 'late2@example.com', created_at: '2026-11-21T00:00:00Z' }],
      ['orders/updated', orderPayload({ id: 52, customerId: 7, total: '1.00', createdAt: '2026-11-21T00:00:00Z' })],
      ['refunds/create', { id: 9, order_id: 50, created_at: '2026-11-21T00:00:00Z', transactions: [] }],
      ['customers/delete', { id: 7 }],
      ['customers/redact', { shop_domain: SHOP, customer: { id: 7, email: 'late@example.com' }, orders_to_redact: [] }],
      ['customers/data_request', { shop_domain: SHOP, customer: { id: 7 }, data_request: { id: 1 } }],
    ] as const) {
      expect(await send(topic, payload), topic).toEqual({ ok: true, result: 'ignored-shop' });
    }
    expect(await shopRows(t)).toEqual([]);
  });

  it('prunes webhook delivery ids once they are past the dedupe window', async () => {
    const before = await t.database.db.selectFrom('webhook_deliveries').select('webhook_id').where('shop_id', '=', SHOP).execute();
    expect(before.length).toBeGreaterThan(0);
    nowMs += 6 * 86_400_000;
    expect((await t.server.app.prune()).webhookDeliveries).toBe(0);
    nowMs += 2 * 86_400_000;
    expect((await t.server.app.prune()).webhookDeliveries).toBe(before.length);
    expect(await t.database.db.selectFrom('webhook_deliveries').select('webhook_id').where('shop_id', '=', SHOP).execute()).toEqual([]);
  });
});

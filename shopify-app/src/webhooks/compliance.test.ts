import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestKeyOf } from '../ingest/order.ts';
import type { TierChange } from '../actions/tier-changes/detect.ts';
import { recordTierChanges } from '../actions/tier-changes/record.ts';
import { markBackfilled } from '../testing/fixtures.ts';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';

const SHOP = 'gdpr-shop.myshopify.com';
const clock = { now: () => Date.parse('2026-11-20T12:00:00Z') };
const tierChange = (customerId: string): TierChange => ({
  customerId,
  oldTier: 'low',
  newTier: 'high',
  worsened: true,
  churnProbability: 0.8,
  churnHorizonDays: 90,
  predictedClvMinor: 1000,
  previousPredictedClvMinor: 5000,
  currency: 'USD',
  reasons: [],
  changedAtMs: clock.now(),
});

/** Every row of every table of the shop as text, to look for personal data anywhere. */
async function shopText(t: TestHttpServer): Promise<string> {
  const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_name = 'shop_id'`.execute(t.database.db);
  let text = '';
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.table(table_name)} t WHERE shop_id = ${SHOP}`.execute(t.database.db);
    text += rows.rows
      .map((r) => r.row)
      .join('\n')
      .toLowerCase();
  }
  return text;
}

describe('compliance webhooks over HTTP', () => {
  let t: TestHttpServer;
  const customer = async (id: number, email: string): Promise<void> => {
    const res = await t.webhook(SHOP, 'customers/update', { id, email, updated_at: '2026-10-01T00:00:00Z' });
    expect(res.status).toBe(200);
  };
  const order = async (id: number, customerId: number | null, email?: string): Promise<void> => {
    const res = await t.webhook(
      SHOP,
      'orders/create',
      orderPayload({ id, customerId, ...(email ? { email } : {}), total: '10.00', createdAt: `2026-0${(id % 9) + 1}-01T00:00:00Z` }),
    );
    expect(res.status).toBe(200);
  };
  const compliance = async (topic: string, payload: Record<string, unknown>): Promise<void> => {
    const res = await t.webhook(SHOP, topic, { shop_id: 1, shop_domain: SHOP, ...payload });
    expect(res.status).toBe(200);
  };
  const ordersOf = async (ids: number[]) =>
    t.database.db
      .selectFrom('orders')
      .select(['order_id', 'customer_id', 'guest_key'])
      .where('shop_id', '=', SHOP)
      .where('order_id', 'in', ids)
      .orderBy('order_id')
      .execute();
  const exportOf = async (requestId: string) => {
    const row = await t.database.db
      .selectFrom('data_request_exports')
      .select('payload')
      .where('shop_id', '=', SHOP)
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow();
    return JSON.parse(row.payload) as { customerId: string | null; personalData: { email: string } | null; orders: { orderId: string }[] };
  };

  beforeAll(async () => {
    t = await startTestHttpServer({ clock });
    await t.database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
    await markBackfilled(t.database.db, SHOP);
    await customer(7, 'Seven@Example.com');
    await customer(8, 'eight@example.com');
    await customer(9, 'nine@example.com');
    await customer(10, 'ten@example.com');
    await order(1001, 7);
    await order(1002, 7);
    await order(1003, 8);
    await order(1004, 9);
    await order(1005, 10);
    await order(1006, null, 'Guest@Example.com');
    await order(1007, null, 'guest@example.com');
    await order(1008, null, 'other-guest@example.com');
    await t.server.app.compute.recomputeShop(SHOP);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('exports a customer named by email only: personal data, orders and insight', async () => {
    await compliance('customers/data_request', { customer: { email: 'seven@example.com' }, orders_requested: [], data_request: { id: 501 } });
    const data = await exportOf('501');
    expect(data.customerId).toBe('7');
    expect(data.personalData).toEqual({ email: 'Seven@Example.com' });
    expect(data.orders.map((o) => o.orderId)).toEqual(['1001', '1002']);
  });

  it('exports by id only, by both, and a guest by email with its orders', async () => {
    await compliance('customers/data_request', { customer: { id: 8 }, orders_requested: [1003], data_request: { id: 502 } });
    expect((await exportOf('502')).orders.map((o) => o.orderId)).toEqual(['1003']);
    await compliance('customers/data_request', { customer: { id: 9, email: 'nine@example.com', phone: null }, data_request: { id: 503 } });
    expect(await exportOf('503')).toMatchObject({ customerId: '9', personalData: { email: 'nine@example.com' } });
    await compliance('customers/data_request', { customer: { email: 'guest@example.com' }, orders_requested: [1006, 1007], data_request: { id: 504 } });
    const guest = await exportOf('504');
    expect(guest.customerId).toBeNull();
    expect(guest.orders.map((o) => o.orderId)).toEqual(['1006', '1007']);
  });

  it('redacts a customer named by email only: no email left, orders unlinked, insight a tombstone', async () => {
    await compliance('customers/redact', { customer: { email: 'seven@example.com' }, orders_to_redact: [] });
    expect(await t.database.db.selectFrom('customer_personal').select('email').where('shop_id', '=', SHOP).where('customer_id', '=', 7).execute()).toEqual([]);
    const orders = await ordersOf([1001, 1002]);
    expect(orders.every((o) => o.customer_id === null && o.guest_key?.startsWith('redacted:'))).toBe(true);
    await t.server.app.compute.recomputeShop(SHOP);
    const insight = await t.database.db
      .selectFrom('customer_insights')
      .select(['deleted', 'payload'])
      .where('shop_id', '=', SHOP)
      .where('customer_id', '=', 7)
      .executeTakeFirst();
    expect(insight).toMatchObject({ deleted: true, payload: null });
    const text = await shopText(t);
    expect(text).not.toContain('seven@example.com');
    // The earlier export held the email too.
    expect(await t.database.db.selectFrom('data_request_exports').select('request_id').where('request_id', '=', '501').execute()).toEqual([]);
  });

  it('redacts by id only and by id and email', async () => {
    // A tier change of customer 8 (issue 16) goes with the redact; customer 10's stays.
    await recordTierChanges(t.database.db, SHOP, [tierChange('8'), tierChange('10')]);
    await compliance('customers/redact', { customer: { id: 8 }, orders_to_redact: [1003] });
    const changes = await t.database.db
      .selectFrom('customer_tier_changes')
      .select(sql<string>`customer_id::text`.as('id'))
      .where('shop_id', '=', SHOP)
      .execute();
    expect(changes.map((c) => c.id)).toEqual(['10']);
    await compliance('customers/redact', { customer: { id: 9, email: 'nine@example.com', phone: '555-625-1199' }, orders_to_redact: [1004] });
    expect((await ordersOf([1003, 1004])).every((o) => o.customer_id === null)).toBe(true);
    const text = await shopText(t);
    expect(text).not.toContain('eight@example.com');
    expect(text).not.toContain('nine@example.com');
  });

  it('redacts guest orders listed in orders_to_redact and every guest order of the email', async () => {
    await compliance('customers/redact', { customer: { email: 'guest@example.com' }, orders_to_redact: [1006] });
    const orders = await ordersOf([1006, 1007, 1008]);
    const key = guestKeyOf('guest@example.com');
    expect(orders.find((o) => o.order_id === 1006)?.guest_key).not.toBe(key);
    expect(orders.find((o) => o.order_id === 1007)?.guest_key).not.toBe(key);
    expect(orders.find((o) => o.order_id === 1008)?.guest_key).toMatch(/^g1:[0-9a-f]{64}$/);
    const text = await shopText(t);
    expect(text).not.toContain('guest@example.com');
    expect(text).not.toContain(key);
    expect(await t.database.db.selectFrom('data_request_exports').select('request_id').where('request_id', '=', '504').execute()).toEqual([]);
  });

  it('redacts a customer named only by the orders it lists', async () => {
    await compliance('customers/redact', { customer: { email: 'unknown-to-us@example.com' }, orders_to_redact: [1005] });
    expect((await ordersOf([1005]))[0]?.customer_id).toBeNull();
    expect(await shopText(t)).not.toContain('ten@example.com');
  });

  it('keeps the shop computable after every redact', async () => {
    const result = await t.server.app.compute.recomputeShop(SHOP, { full: true });
    expect(result.mode).toBe('full');
    const summary = await fetch(`${t.url}/healthz`);
    expect(summary.status).toBe(200);
  });
});

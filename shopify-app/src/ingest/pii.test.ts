import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { silentLogger } from '../log.ts';
import { createShopifyApi } from '../shopify/config.ts';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer, TEST_KEY, TEST_SECRET, type TestHttpServer } from '../testing/http-server.ts';
import { guestKeyOf } from './order.ts';

const SHOP = 'pii-shop.myshopify.com';
const OTHER = 'pii-other.myshopify.com';

/** Every row of every table as lower-case text. */
async function allText(t: TestHttpServer): Promise<string> {
  const tables = await sql<{
    table_name: string;
  }>`SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'shop_id'`.execute(t.database.db);
  let text = '';
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.table(table_name)} t`.execute(t.database.db);
    text += `${rows.rows
      .map((r) => r.row)
      .join('\n')
      .toLowerCase()}\n`;
  }
  return text;
}

describe('protected customer data over HTTP', () => {
  let t: TestHttpServer;
  beforeAll(async () => {
    t = await startTestHttpServer();
    await t.installShop(SHOP);
    await t.installShop(OTHER);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('stores no readable email and no bare hash of one, and still exports the email on a data request', async () => {
    expect((await t.webhook(SHOP, 'customers/update', { id: 41, email: 'Kept@Example.com', updated_at: '2026-10-01T00:00:00Z' })).status).toBe(200);
    for (const shop of [SHOP, OTHER]) {
      const res = await t.webhook(
        shop,
        'orders/create',
        orderPayload({ id: 4100, customerId: null, email: 'guest.pii@example.com', total: '5.00', createdAt: '2026-10-01T00:00:00Z' }),
      );
      expect(res.status).toBe(200);
    }
    const text = await allText(t);
    expect(text).not.toContain('kept@example.com');
    expect(text).not.toContain('guest.pii@example.com');
    expect(text).not.toContain(guestKeyOf('guest.pii@example.com'));
    // Per shop: the same guest has unrelated keys in two shops.
    const keys = await t.database.db.selectFrom('orders').select(['shop_id', 'guest_key']).where('order_id', '=', 4100).orderBy('shop_id').execute();
    expect(keys.every((k) => k.guest_key?.startsWith('g1:'))).toBe(true);
    expect(keys[0]!.guest_key).not.toBe(keys[1]!.guest_key);

    expect(
      (await t.webhook(SHOP, 'customers/data_request', { shop_domain: SHOP, customer: { email: 'kept@example.com' }, data_request: { id: 7 } })).status,
    ).toBe(200);
    expect(
      (await t.webhook(SHOP, 'customers/data_request', { shop_domain: SHOP, customer: { email: 'guest.pii@example.com' }, data_request: { id: 8 } })).status,
    ).toBe(200);
    const exports = (await (await t.dashboard(SHOP, '/app/api/data-requests')).json()) as {
      requestId: string;
      customerId: string | null;
      data: { personalData: { email: string } | null; orders: { orderId: string }[] };
    }[];
    expect(exports.find((e) => e.requestId === '7')).toMatchObject({ customerId: '41', data: { personalData: { email: 'Kept@Example.com' } } });
    expect(exports.find((e) => e.requestId === '8')?.data.orders.map((o) => o.orderId)).toEqual(['4100']);
  });

  it('converts the plain emails and bare guest hashes of an older version at start', async () => {
    await t.database.db
      .insertInto('customer_personal')
      .values({ shop_id: SHOP, customer_id: 42, email: 'legacy@example.com', email_enc: null, email_key: null })
      .execute();
    await t.database.db
      .insertInto('orders')
      .values({
        shop_id: SHOP,
        order_id: 4200,
        customer_id: null,
        guest_key: guestKeyOf('legacy.guest@example.com'),
        placed_at: '2026-10-02T00:00:00Z',
        updated_at: '2026-10-02T00:00:00Z',
        currency: 'USD',
        total_minor: 100,
      })
      .execute();
    const shopify = createShopifyApi({ apiKey: 'test-key', apiSecretKey: TEST_SECRET, appUrl: 'https://app.example.com' });
    const restarted = await createApp({ database: t.database, shopify, encryptionKey: TEST_KEY, log: silentLogger, workers: false });
    await restarted.stop();
    const text = await allText(t);
    expect(text).not.toContain('legacy@example.com');
    expect(text).not.toContain(guestKeyOf('legacy.guest@example.com'));
    // Still found by email after the conversion: a redact by email unlinks the guest order and forgets the customer.
    expect(
      (await t.webhook(SHOP, 'customers/redact', { shop_domain: SHOP, customer: { email: 'legacy.guest@example.com' }, orders_to_redact: [] })).status,
    ).toBe(200);
    expect((await t.database.db.selectFrom('orders').select('guest_key').where('order_id', '=', 4200).executeTakeFirstOrThrow()).guest_key).toMatch(
      /^redacted:/,
    );
    expect((await t.webhook(SHOP, 'customers/redact', { shop_domain: SHOP, customer: { email: 'LEGACY@example.com' } })).status).toBe(200);
    expect(await t.database.db.selectFrom('customer_personal').select('customer_id').where('customer_id', '=', 42).execute()).toEqual([]);
  });
});

describe("a process's memory of a shop's key", () => {
  const SHOP3 = 'pii-memory.myshopify.com';
  const EMAIL = 'memory.guest@example.com';

  it('reads the key once a minute instead of at every guest order, and drops it when shop/redact erases the shop', async () => {
    let now = Date.UTC(2026, 10, 2);
    const t = await startTestHttpServer({ clock: { now: () => now } });
    try {
      await t.installShop(SHOP3);
      await t.installShop(OTHER);
      let id = 7000;
      const guestOrder = async (): Promise<string | null> => {
        id++;
        const res = await t.webhook(
          SHOP3,
          'orders/create',
          orderPayload({ id, customerId: null, email: EMAIL, total: '5.00', createdAt: '2026-10-01T00:00:00Z' }),
        );
        expect(res.status).toBe(200);
        const row = await t.database.db
          .selectFrom('orders')
          .select('guest_key')
          .where('shop_id', '=', SHOP3)
          .where('order_id', '=', String(id))
          .executeTakeFirstOrThrow();
        return row.guest_key;
      };
      const first = await guestOrder();
      await guestOrder();
      // Another shop's key in the row stands for a change this process has not seen: for a minute it keeps the key it read.
      const other = await t.database.db.selectFrom('shops').select('pii_key_enc').where('shop_id', '=', OTHER).executeTakeFirstOrThrow();
      const own = await t.database.db.selectFrom('shops').select('pii_key_enc').where('shop_id', '=', SHOP3).executeTakeFirstOrThrow();
      await t.database.db.updateTable('shops').set({ pii_key_enc: other.pii_key_enc }).where('shop_id', '=', SHOP3).execute();
      expect(await guestOrder()).toBe(first);
      now += 61_000;
      const reread = await guestOrder();
      expect(reread).not.toBe(first);
      await t.database.db.updateTable('shops').set({ pii_key_enc: own.pii_key_enc }).where('shop_id', '=', SHOP3).execute();
      // shop/redact erases the shop, key included; reinstalled within the minute, its first guest order gets a new key.
      expect((await t.webhook(SHOP3, 'shop/redact', { shop_id: 1, shop_domain: SHOP3 })).status).toBe(200);
      await t.installShop(SHOP3);
      const fresh = await guestOrder();
      expect(fresh).toMatch(/^g1:/);
      expect([first, reread]).not.toContain(fresh);
    } finally {
      await t.stop();
    }
  });
});

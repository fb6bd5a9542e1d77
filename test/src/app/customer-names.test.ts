/**
 * `GET /api/v1/customer-names?ids=` for the extension popup's at-risk list (issue 12): extension-token auth, names
 * read live from Shopify (here the fake) on every request, `cache-control: no-store`, nothing written to the app's
 * database, and bad ids answered 400 naming the parameter. The dashboard's `/app/api/customer-names` gives the same
 * names for the same ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateShop } from '../generator/generate.ts';
import type { ShopData } from '../shop-model/types.ts';
import { startHarness, waitForLive, type Harness } from './harness.ts';

/** A name no generated customer has, so finding it anywhere in the database means it was stored. */
const RENAMED = { firstName: 'Zephyrine', lastName: 'Quillfeather' };

describe('GET /api/v1/customer-names (extension)', () => {
  let h: Harness;
  let data: ShopData;
  let shop: string;
  let token: string;

  beforeAll(async () => {
    h = await startHarness();
    data = generateShop({ seed: 73, customers: 30, historyDays: 200, endMs: Date.now() - 3_600_000, shopName: 'Customer Names Test' });
    shop = data.shop.domain;
    h.fake.control.loadShop(data);
    expect((await h.openApp(shop)).status).toBe(200);
    await waitForLive(h, shop);
    token = await h.pair(shop);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  const names = async (ids: string, auth: string | null = token) => {
    const res = await fetch(`${h.server.url}/api/v1/customer-names?ids=${ids}`, auth === null ? {} : { headers: { authorization: `Bearer ${auth}` } });
    return { res, body: (await res.json()) as { names?: Record<string, string>; error?: { code: string; message: string } } };
  };
  const shopifyName = (id: number) => {
    const c = h.fake.control.truth(shop).customers.find((x) => x.id === id)!;
    return [c.firstName, c.lastName].filter((x) => x !== null && x !== '').join(' ') || (c.email ?? c.phone ?? '');
  };

  it('needs an extension token: none, an unknown one, or a dashboard session token get 401', async () => {
    const id = String(data.customers[0]!.id);
    expect((await names(id, null)).res.status).toBe(401);
    expect((await names(id, 'not-a-token')).res.status).toBe(401);
    expect((await names(id, h.fake.control.mintSessionToken(shop))).res.status).toBe(401);
  });

  it("answers Shopify's display names for the ids asked, no-store; unknown ids are left out", async () => {
    const ids = data.customers.slice(0, 3).map((c) => c.id);
    const { res, body } = await names([...ids, 987654321].join(','));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body.names).toEqual(Object.fromEntries(ids.map((id) => [String(id), shopifyName(id)])));
    expect(Object.values(body.names!).every((n) => n.length > 0)).toBe(true);
    // The same names as the dashboard's route for the same ids.
    const dash = await h.appApi(shop, `/app/api/customer-names?ids=${ids.join(',')}`);
    expect(dash.status).toBe(200);
    expect(((await dash.json()) as { names: Record<string, string> }).names).toEqual(body.names);
    // No ids: nothing asked of Shopify, an empty answer.
    expect((await names('')).body).toEqual({ names: {} });
  });

  it('reads live from Shopify each time, and stores the name nowhere', async () => {
    const id = data.customers[1]!.id;
    const before = (await names(String(id))).body.names![String(id)];
    expect(before).toBe(shopifyName(id));
    h.fake.control.updateCustomer(shop, id, RENAMED);
    // The very next request has the new name: nothing cached in the app.
    const { res, body } = await names(String(id));
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body.names).toEqual({ [String(id)]: `${RENAMED.firstName} ${RENAMED.lastName}` });
    // Let any webhook from the rename land, then look for the name in every table of the app's database.
    await h.fake.control.webhooksIdle();
    const pool = h.database.pool;
    const tables = (
      await pool.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      )
    ).rows.map((r) => r.table_name);
    expect(tables).toContain('extension_tokens');
    // Each row as text (bytea columns read as hex there, so the text's bytes are looked for in hex too).
    const tablesHolding = async (needle: string) => {
      const lower = needle.toLowerCase();
      const found: string[] = [];
      for (const table of tables) {
        const hits = await pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}" AS t WHERE lower(t::text) LIKE $1 OR lower(t::text) LIKE $2`,
          [`%${lower}%`, `%${Buffer.from(lower, 'utf8').toString('hex')}%`],
        );
        if (Number(hits.rows[0]!.n) > 0) found.push(table);
      }
      return found;
    };
    // The search does find what is stored (the shop's domain), and not the name.
    expect(await tablesHolding(shop)).toContain('shops');
    const holding = await tablesHolding(RENAMED.lastName);
    expect(holding).toEqual([]);
  });

  it('answers 400 naming the ids parameter for ids that are not Shopify customer ids, or too many', async () => {
    for (const bad of ['abc', '12,-3', '0', '1.5', 'gid://shopify/Customer/1', '1'.repeat(20), Array.from({ length: 51 }, (_, i) => i + 1).join(',')]) {
      const { res, body } = await names(encodeURIComponent(bad));
      expect(res.status, bad).toBe(400);
      expect(res.headers.get('content-type') ?? '').toContain('application/json');
      expect(body.error?.message, bad).toMatch(/^ids: /);
      expect(body.names).toBeUndefined();
    }
  });
});

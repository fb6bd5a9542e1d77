import { request, Agent, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphqlQueryError, HttpResponseError, Session, type Shopify } from '@shopify/shopify-api';
import type { FakeShopify } from '../fake-shopify/server.ts';
import { decimalToMinor } from '../shop-model/money.ts';
import { buildSimpleShop } from './simple-shop.ts';
import { startHarness } from './harness.ts';

const SHOP = 'contract-gql.myshopify.com';
const OTHER = 'contract-other.myshopify.com';
let fake: FakeShopify;
let shopify: Shopify;
let activate: () => void;
let session: Session;

const ORDERS = `#graphql
  query Orders($cursor: String, $q: String, $sort: OrderSortKeys, $reverse: Boolean) {
    orders(first: 100, after: $cursor, sortKey: $sort, query: $q, reverse: $reverse) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id legacyResourceId name createdAt updatedAt processedAt cancelledAt test email
        currencyCode presentmentCurrencyCode displayFinancialStatus
        totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
        totalRefundedSet { shopMoney { amount currencyCode } }
        customer { id }
      } }
    }
  }`;

type OrdersPage = {
  orders: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      cursor: string;
      node: {
        id: string;
        legacyResourceId: string;
        name: string;
        createdAt: string;
        updatedAt: string;
        totalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
        customer: { id: string } | null;
      };
    }[];
  };
};

async function walk(variables: Record<string, unknown>): Promise<OrdersPage['orders']['edges'][number]['node'][]> {
  const client = new shopify.clients.Graphql({ session });
  const out: OrdersPage['orders']['edges'][number]['node'][] = [];
  let cursor: string | null = null;
  for (;;) {
    const resp: { data?: OrdersPage | undefined } = await client.request<OrdersPage>(ORDERS, { variables: { ...variables, cursor } });
    const page: OrdersPage['orders'] | undefined = resp.data?.orders;
    if (page === undefined) throw new Error('no data');
    out.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return out;
    cursor = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  ({ fake, shopify, activate } = await startHarness());
  // Plus plan: a big bucket so the walks below are not throttled (throttling has its own test).
  fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: 1234, customers: 300, plan: 'Plus' }));
  fake.control.loadShop(buildSimpleShop({ domain: OTHER, orders: 5, customers: 2, seed: 99 }));
  session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: '', isOnline: false, accessToken: fake.control.issueOfflineToken(SHOP) });
});
afterAll(async () => {
  await fake.stop();
});

describe('GraphQL Admin API through shopify.clients.Graphql', () => {
  it('pages through every order with first/after and returns Shopify-shaped ids, money and dates', async () => {
    const nodes = await walk({ sort: 'ID' });
    const truth = fake.control.truth(SHOP).orders;
    expect(nodes.map((n) => n.legacyResourceId)).toEqual(truth.map((o) => String(o.id)));
    const first = nodes[0];
    expect(first?.id).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
    expect(first?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(first?.totalPriceSet.shopMoney.amount).toMatch(/^\d+\.\d{2}$/);
    expect(first?.totalPriceSet.shopMoney.amount).toBe(truth[0]?.totalPriceSet.shopMoney.amount);
    const guests = nodes.filter((n) => n.customer === null).length;
    expect(guests).toBe(truth.filter((o) => o.customerId === null).length);
  });

  it('filters on an updated_at range and sorts by UPDATED_AT, ascending and reversed', async () => {
    const from = Date.UTC(2026, 0, 1);
    const to = Date.UTC(2026, 5, 1);
    const q = `updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<'2026-06-01T00:00:00Z'`;
    const asc = await walk({ sort: 'UPDATED_AT', q });
    const want = fake.control
      .truth(SHOP)
      .orders.filter((o) => o.updatedAtMs >= from && o.updatedAtMs < to)
      .sort((a, b) => a.updatedAtMs - b.updatedAtMs || a.id - b.id);
    expect(want.length).toBeGreaterThan(100);
    expect(asc.map((n) => Number(n.legacyResourceId))).toEqual(want.map((o) => o.id));
    const desc = await walk({ sort: 'UPDATED_AT', q, reverse: true });
    expect(desc.map((n) => Number(n.legacyResourceId))).toEqual(want.map((o) => o.id).reverse());
  });

  it('filters on created_at with a date in the shop time zone', async () => {
    const nodes = await walk({ sort: 'CREATED_AT', q: 'created_at:>=2026-03-01 created_at:<2026-03-08' });
    // America/New_York is UTC-5 in early March.
    const from = Date.UTC(2026, 2, 1, 5);
    const to = Date.UTC(2026, 2, 8, 5);
    const want = fake.control.truth(SHOP).orders.filter((o) => o.createdAtMs >= from && o.createdAtMs < to);
    expect(nodes.map((n) => Number(n.legacyResourceId)).sort()).toEqual(want.map((o) => o.id).sort());
    expect(nodes.length).toBeGreaterThan(0);
  });

  it('paginates customers and derives numberOfOrders and amountSpent from the orders', async () => {
    const client = new shopify.clients.Graphql({ session });
    const seen: { id: string; numberOfOrders: string; amountSpent: { amount: string; currencyCode: string } }[] = [];
    let after: string | null = null;
    for (;;) {
      const r: { data?: { customers: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: typeof seen } } } = await client.request(
        `query C($after: String) { customers(first: 100, after: $after, sortKey: CREATED_AT) {
          pageInfo { hasNextPage endCursor } nodes { id numberOfOrders amountSpent { amount currencyCode } } } }`,
        { variables: { after } },
      );
      seen.push(...(r.data?.customers.nodes ?? []));
      if (r.data?.customers.pageInfo.hasNextPage !== true) break;
      after = r.data.customers.pageInfo.endCursor;
    }
    const truth = fake.control.truth(SHOP);
    expect(seen).toHaveLength(truth.customers.length);
    const sample = seen[17];
    const id = Number(sample?.id.split('/').pop());
    const mine = truth.orders.filter((o) => o.customerId === id);
    expect(sample?.numberOfOrders).toBe(String(mine.length));
    const spent = mine.reduce(
      (n, o) =>
        n +
        decimalToMinor(o.totalPriceSet.shopMoney.amount, 'USD') -
        o.refunds.reduce((m, r) => m + decimalToMinor(r.totalRefundedSet.shopMoney.amount, 'USD'), 0),
      0,
    );
    expect(decimalToMinor(sample?.amountSpent.amount ?? 'x', 'USD')).toBe(spent);
  });

  it('serves last/before pagination backwards', async () => {
    const client = new shopify.clients.Graphql({ session });
    const r = await client.request<{ orders: { nodes: { legacyResourceId: string }[]; pageInfo: { hasPreviousPage: boolean } } }>(
      `{ orders(last: 3) { nodes { legacyResourceId } pageInfo { hasPreviousPage } } }`,
    );
    const ids = fake.control
      .truth(SHOP)
      .orders.slice(-3)
      .map((o) => String(o.id));
    expect(r.data?.orders.nodes.map((n) => n.legacyResourceId)).toEqual(ids);
    expect(r.data?.orders.pageInfo.hasPreviousPage).toBe(true);
  });

  it("keeps a client's connection open between calls, long enough for fetch to reuse it", async () => {
    // undici (Node's fetch, which the app's Shopify client uses) reuses a connection only for the server's keep-alive
    // hint minus 1 s: with a hint of 1 s every call of the app opened a new connection.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const call = (): Promise<{ res: IncomingMessage; reused: boolean }> =>
      new Promise((resolve, reject) => {
        const req = request(`${fake.url}/admin/api/2025-07/graphql.json`, { method: 'POST', agent, headers: { 'x-forwarded-host': SHOP } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ res, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end('{"query":"{ shop { id } }"}');
      });
    try {
      const first = await call();
      expect(first.res.statusCode).toBe(401);
      const hint = /timeout=(\d+)/.exec(String(first.res.headers['keep-alive']))?.[1];
      expect(Number(hint)).toBeGreaterThanOrEqual(5);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await call()).reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('keeps shops apart: a token of one shop gets 401 on another', async () => {
    const other = new Session({ id: `offline_${OTHER}`, shop: OTHER, state: '', isOnline: false, accessToken: session.accessToken ?? '' });
    const client = new shopify.clients.Graphql({ session: other });
    const err = await client.request('{ shop { name } }').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpResponseError);
    expect((err as HttpResponseError).response.code).toBe(401);
    const raw = await fetch(`${fake.url}/admin/api/2026-07/graphql.json`, {
      method: 'POST',
      body: '{"query":"{ shop { name } }"}',
      headers: { 'x-forwarded-host': OTHER, 'content-type': 'application/json', 'x-shopify-access-token': session.accessToken ?? '' },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
  });

  it('answers an invalid field with a GraphQL error the client throws as GraphqlQueryError', async () => {
    const client = new shopify.clients.Graphql({ session });
    const err = await client.request('{ shop { noSuchField } }').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphqlQueryError);
    expect((err as GraphqlQueryError).message).toContain('noSuchField');
  });

  it('reports ignored search fields in extensions.search, as Shopify does', async () => {
    const client = new shopify.clients.Graphql({ session });
    const r = await client.request<{ orders: { nodes: unknown[] } }>(`{ orders(first: 1, query: "bogus_field:1") { nodes { id } } }`);
    expect(r.data?.orders.nodes).toHaveLength(1);
    const search = (r.extensions as { search?: { warnings: { field: string }[] }[] } | undefined)?.search;
    expect(search?.[0]?.warnings[0]?.field).toBe('bogus_field');
  });

  it('hides orders older than 60 days without read_all_orders', async () => {
    const h = await startHarness({ scopes: ['read_orders', 'read_customers'] });
    try {
      const now = h.fake.control.nowMs();
      h.fake.control.loadShop(buildSimpleShop({ domain: 'recent.myshopify.com', orders: 100, customers: 10, endMs: now, spanDays: 200 }));
      const s = new Session({
        id: 'offline_recent.myshopify.com',
        shop: 'recent.myshopify.com',
        state: '',
        isOnline: false,
        accessToken: h.fake.control.issueOfflineToken('recent.myshopify.com'),
      });
      const r = await new h.shopify.clients.Graphql({ session: s }).request<{ ordersCount: { count: number } }>('{ ordersCount { count } }');
      const want = h.fake.control.truth('recent.myshopify.com').orders.filter((o) => o.createdAtMs >= now - 60 * 86_400_000).length;
      expect(r.data?.ordersCount.count).toBe(want);
      expect(want).toBeLessThan(100);
    } finally {
      await h.fake.stop();
      activate();
    }
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { resetSyncTables } from '../testing/fixtures.ts';
import type { Logger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { createOrderSink } from '../ingest/order-sink.ts';
import { runReconcile } from './reconcile.ts';

const SHOP = 'reconcile.myshopify.com';
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface FakeOrder {
  id: number;
  sourceName: string;
  plans: (string | null)[];
}

function orderNode(o: FakeOrder, first: number) {
  const at = new Date(Date.UTC(2026, 5, 1) + o.id * 60_000).toISOString();
  return {
    id: `gid://shopify/Order/${o.id}`,
    createdAt: at,
    processedAt: at,
    updatedAt: at,
    cancelledAt: null,
    test: false,
    email: null,
    sourceName: o.sourceName,
    currencyCode: 'USD',
    totalPriceSet: { shopMoney: { amount: '12.00', currencyCode: 'USD' } },
    totalRefundedSet: { shopMoney: { amount: '0.00', currencyCode: 'USD' } },
    customer: { id: `gid://shopify/Customer/${(o.id % 5) + 1}` },
    refunds: [],
    lineItems: lineItemsPage(o.plans, 0, first),
  };
}

/** A `lineItems` connection page: items `from`..`from + first`, with the cursor being the next index. */
function lineItemsPage(plans: (string | null)[], from: number, first: number) {
  const slice = plans.slice(from, from + first);
  return {
    pageInfo: { hasNextPage: from + first < plans.length, endCursor: String(from + slice.length) },
    nodes: slice.map((name) => ({ sellingPlan: name === null ? null : { name } })),
  };
}

/** Shopify's `orders` (sorted, paged by `first`) and `order(id:)` line item pages over `orders`. */
function scriptedShopify(orders: FakeOrder[]) {
  const requests: { query: string; variables: Record<string, unknown>; cost: number | undefined }[] = [];
  const graphql: ShopGraphql = {
    async request<T>(query: string, variables: Record<string, unknown> = {}, cost?: number): Promise<T> {
      requests.push({ query, variables, cost });
      if (query.includes('OrderLineItems')) {
        const id = Number(String(variables['id']).split('/').pop());
        const order = orders.find((o) => o.id === id);
        const first = Number(/lineItems\(first: (\d+)/.exec(query)?.[1]);
        return { order: order ? { id: variables['id'], lineItems: lineItemsPage(order.plans, Number(variables['cursor'] ?? 0), first) } : null } as T;
      }
      const pageSize = Number(/orders\(first: (\d+)/.exec(query)?.[1]);
      const itemsPerOrder = Number(/lineItems\(first: (\d+)/.exec(query)?.[1]);
      const from = Number(variables['cursor'] ?? 0);
      const page = orders.slice(from, from + pageSize);
      return {
        orders: {
          pageInfo: { hasNextPage: from + pageSize < orders.length, endCursor: String(from + page.length) },
          nodes: page.map((o) => orderNode(o, itemsPerOrder)),
        },
      } as T;
    },
  };
  return { graphql, requests };
}

describe('runReconcile', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await resetSyncTables(database.db, SHOP);
    await database.db
      .insertInto('sync_state')
      .values({ shop_id: SHOP, state: 'live', reconcile_checkpoint: new Date(Date.UTC(2026, 0, 1)) })
      .execute();
  });

  it('sets subscription from line items selling plans (reading past the first page of items) or a contract source', async () => {
    const plain = (n: number): (string | null)[] => Array.from({ length: n }, () => null);
    const orders: FakeOrder[] = [];
    const expected = new Map<number, boolean>();
    for (let id = 1; id <= 30; id++) {
      let plans = plain(1 + (id % 3));
      let sourceName = 'web';
      if (id % 6 === 0) plans = [...plans, 'Monthly'];
      if (id % 6 === 1) sourceName = 'subscription_contract';
      // Big orders: the selling-plan item only on a later page of line items, or on none.
      if (id === 9) plans = [...plain(60), 'Every 2 weeks'];
      if (id === 8) plans = plain(300);
      orders.push({ id, sourceName, plans });
      expected.set(id, id % 6 === 0 || id % 6 === 1 || id === 9);
    }
    const shopify = scriptedShopify(orders);
    const clock = { now: () => Date.now() };
    const sink = createOrderSink({ db: database.db, clock, log: quiet, sendRecompute: async () => {} });
    const changed = await runReconcile({ db: database.db, graphql: shopify.graphql, clock, log: quiet, orders: sink }, SHOP);
    expect(changed).toBe(30);
    const stored = await database.db.selectFrom('orders').select(['order_id', 'subscription']).execute();
    expect(new Map(stored.map((r) => [Number(r.order_id), r.subscription]))).toEqual(expected);
    // Every query stays within Shopify's 1,000-point single-query limit; only big orders without a plan yet read on.
    for (const r of shopify.requests) expect(r.cost).toBeLessThanOrEqual(1000);
    const followUps = shopify.requests.filter((r) => r.query.includes('OrderLineItems')).map((r) => r.variables['id']);
    expect(followUps).toEqual(['gid://shopify/Order/8', 'gid://shopify/Order/8', 'gid://shopify/Order/9']);
  });
});

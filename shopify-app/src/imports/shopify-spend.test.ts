import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../db/test-database.ts';
import type { Database } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { silentLogger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { MARKETING_SPEND_MAX_AGE_MS, readShopifyMarketingSpend, refreshShopifyMarketingSpend, spreadOverMonths } from './shopify-spend.ts';

const SHOP = 'ads-shop.myshopify.com';
const DAY = 86_400_000;

describe('spreadOverMonths', () => {
  it('splits an amount evenly over the running days, by month in the shop time zone, adding up exactly', () => {
    // 10 days from Jan 27 to Feb 6 (UTC): 5 days in January, 5 in February; 1001 cents leaves 1 for the first day.
    const months = spreadOverMonths(1001, Date.UTC(2026, 0, 27, 12), Date.UTC(2026, 1, 6, 12), 'UTC');
    expect(Object.fromEntries(months)).toEqual({ '2026-01': 501, '2026-02': 500 });
    // The same days in Tokyo start 9 hours later: Jan 27 12:00 UTC is still Jan 27 there.
    expect([...spreadOverMonths(1000, Date.UTC(2026, 0, 31, 20), Date.UTC(2026, 1, 1, 20), 'Asia/Tokyo').keys()]).toEqual(['2026-02']);
    // Started and ended the same moment: one day.
    expect(Object.fromEntries(spreadOverMonths(700, Date.UTC(2026, 4, 9), Date.UTC(2026, 4, 9), 'UTC'))).toEqual({ '2026-05': 700 });
  });
});

describe('readShopifyMarketingSpend', () => {
  let database: Database;
  let now = Date.UTC(2026, 10, 20, 12);
  const clock = { now: () => now };
  const pages: unknown[][] = [];
  let requests = 0;
  let scopes = ['read_orders'];
  const graphql: ShopGraphql = {
    async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      if (query.includes('query GrantedScopes')) return { currentAppInstallation: { accessScopes: scopes.map((handle) => ({ handle })) } } as T;
      requests++;
      const page = variables?.['after'] === null ? 0 : Number(variables?.['after']);
      return {
        marketingActivities: { nodes: pages[page] ?? [], pageInfo: { hasNextPage: page + 1 < pages.length, endCursor: String(page + 1) } },
      } as T;
    },
  } as ShopGraphql;
  const activity = (id: number, amount: string | null, currencyCode: string, startMs: number, endMs: number | null) => ({
    id: `gid://shopify/MarketingActivity/${id}`,
    createdAt: new Date(startMs).toISOString(),
    adSpend: amount === null ? null : { amount, currencyCode },
    marketingEvent: { startedAt: new Date(startMs).toISOString(), endedAt: endMs === null ? null : new Date(endMs).toISOString() },
  });
  const stored = async () =>
    Object.fromEntries(
      (
        await database.db.selectFrom('marketing_spend').select(['month', 'amount_minor']).where('shop_id', '=', SHOP).where('source', '=', 'shopify').execute()
      ).map((r) => [r.month, Number(r.amount_minor)]),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    await migrateToLatest(database.db);
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'EUR', iana_timezone: 'Europe/Berlin' }).execute();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('reads no activities while the shop has not granted read_marketing_events', async () => {
    expect(await readShopifyMarketingSpend({ db: database.db, graphql, clock, log: silentLogger }, SHOP)).toBeNull();
    expect(requests).toBe(0);
  });

  it('stores the ad spend of every page by month, leaves out other currencies, and replaces the last read', async () => {
    scopes = ['read_orders', 'read_marketing_events'];
    pages.push(
      [activity(1, '100.00', 'EUR', Date.UTC(2026, 8, 10), Date.UTC(2026, 8, 20)), activity(2, null, 'EUR', Date.UTC(2026, 8, 1), null)],
      [activity(3, '55.50', 'USD', Date.UTC(2026, 9, 1), Date.UTC(2026, 9, 5)), activity(4, '30.00', 'EUR', now - 3 * DAY, null)],
    );
    expect(await readShopifyMarketingSpend({ db: database.db, graphql, clock, log: silentLogger }, SHOP)).toBe(2);
    expect(requests).toBe(2);
    expect(await stored()).toEqual({ '2026-09': 10_000, '2026-11': 3_000 });
    pages.splice(0, pages.length, [activity(5, '12.00', 'EUR', Date.UTC(2026, 7, 3), Date.UTC(2026, 7, 4))]);
    await readShopifyMarketingSpend({ db: database.db, graphql, clock, log: silentLogger }, SHOP);
    expect(await stored()).toEqual({ '2026-08': 1_200 });
  });

  it('reads again only once the last read is older than its maximum age', async () => {
    const before = requests;
    await refreshShopifyMarketingSpend({ db: database.db, graphql, clock, log: silentLogger }, SHOP);
    expect(requests).toBe(before);
    now += MARKETING_SPEND_MAX_AGE_MS;
    await refreshShopifyMarketingSpend({ db: database.db, graphql, clock, log: silentLogger }, SHOP);
    expect(requests).toBe(before + 1);
  });
});

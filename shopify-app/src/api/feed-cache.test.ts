import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { writeInsights, type InsightDraft } from '../compute/write.ts';
import { FeedCache } from './feed-cache.ts';
import { readCustomersFeed } from './read.ts';

const SHOP = 'feed.myshopify.com';
const draft = (id: number, orderCount: number): InsightDraft => ({
  customerId: String(id),
  currency: 'USD',
  orderCount,
  isRepeat: orderCount > 1,
  historicClvMinor: orderCount * 100,
  predictedClvMinor: null,
  averageOrderValueMinor: 100,
  firstOrderAtMs: 1,
  lastOrderAtMs: 2,
  daysSinceLastOrder: 3,
  expectedNextOrderAtMs: null,
  overdue: false,
  pAlive: 1,
  churnProbability: 0,
  churnHorizonDays: 90,
  newCustomer: false,
  churnTier: 'low',
  churnReasons: [],
  confidence: 'low',
  rfmSegment: 'NEW',
  orderHistory: [],
});

describe('FeedCache', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });

  it('serves the same pages as the database, before and after later writes', async () => {
    const cache = new FeedCache();
    const first = await writeInsights(
      database.db,
      SHOP,
      [1, 2, 3, 4, 5].map((id) => draft(id, 1)),
      1000,
      { scope: ['1', '2', '3', '4', '5'] },
    );
    cache.apply(SHOP, first.writes);
    const pages = async (c: FeedCache | null) => {
      const out: string[] = [];
      let since = '';
      for (;;) {
        const page = JSON.parse(await readCustomersFeed(database.db, SHOP, since, '2', c)) as { nextCursor: string; hasMore: boolean };
        out.push(JSON.stringify(page));
        since = page.nextCursor;
        if (!page.hasMore) return out;
      }
    };
    expect(await pages(cache)).toEqual(await pages(null));
    // Customer 2 changes, customer 4 disappears: both move to the end of the feed, 4 as a tombstone.
    const second = await writeInsights(
      database.db,
      SHOP,
      [1, 2, 3, 5].map((id) => draft(id, id === 2 ? 2 : 1)),
      2000,
      { scope: ['1', '2', '3', '4', '5'] },
    );
    expect(second.writes.map((w) => [w.customerId, w.payload === null])).toEqual([
      ['2', false],
      ['4', true],
    ]);
    cache.apply(SHOP, second.writes);
    expect(await pages(cache)).toEqual(await pages(null));
    const tail = JSON.parse(await readCustomersFeed(database.db, SHOP, 'c5', '10', cache)) as {
      customers: { customerId: string }[];
      deletedCustomerIds: string[];
    };
    expect(tail.customers.map((c) => c.customerId)).toEqual(['2']);
    expect(tail.deletedCustomerIds).toEqual(['4']);
  });

  it('does not keep a load that raced a write', async () => {
    const cache = new FeedCache();
    const reading = cache.read(database.db, SHOP, 0, 100);
    const third = await writeInsights(
      database.db,
      SHOP,
      [1, 2, 3, 5, 6].map((id) => draft(id, id === 2 ? 2 : 1)),
      3000,
      { scope: ['1', '2', '3', '4', '5', '6'] },
    );
    cache.apply(SHOP, third.writes);
    await reading;
    const fresh = await cache.read(database.db, SHOP, 0, 100);
    expect(fresh.map((e) => e.customerId)).toContain('6');
  });

  it('warms a shop with one load that early reads share, then serves from memory (tombstones included)', async () => {
    let queries = 0;
    const counted = database.db.withPlugin({
      transformQuery: (args) => {
        queries++;
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    });
    const cache = new FeedCache();
    const warming = cache.warm(counted, SHOP);
    const early = cache.read(counted, SHOP, 0, 100);
    await warming;
    const served = await early;
    expect(queries).toBe(1);
    expect(served.map((e) => [e.customerId, e.payload === null])).toEqual((await readFromDatabase()).map((e) => [e.customerId, e.payload === null]));
    expect(served.find((e) => e.customerId === '4')?.payload).toBeNull();
    expect(JSON.parse(served.find((e) => e.customerId === '2')!.payload!)).toMatchObject({ customerId: '2', orderCount: 2 });
    await cache.read(counted, SHOP, 0, 100);
    expect(queries).toBe(1);
  });

  const readFromDatabase = async () =>
    (
      await database.db
        .selectFrom('customer_insights')
        .select(['customer_id', 'change_seq', 'deleted', 'payload'])
        .where('shop_id', '=', SHOP)
        .orderBy('change_seq')
        .execute()
    ).map((r) => ({ customerId: String(r.customer_id), payload: r.deleted ? null : r.payload }));
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { writeInsights, type InsightDraft } from '../compute/write.ts';
import { FeedCache } from './feed-cache.ts';
import { readCustomersFeed } from './read.ts';

const SHOP = 'feed.myshopify.com';
/** A feed page's bytes as text. */
const text = (page: Uint8Array): string => Buffer.from(page).toString('utf8');
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
      { timeZone: 'UTC', scope: ['1', '2', '3', '4', '5'] },
    );
    cache.apply(SHOP, first.writes);
    const pages = async (c: FeedCache | null) => {
      const out: string[] = [];
      let since = '';
      for (;;) {
        const bytes = text(await readCustomersFeed(database.db, SHOP, since, '2', c));
        const page = JSON.parse(bytes) as { nextCursor: string; hasMore: boolean };
        // Byte for byte: the cache splices the payloads' bytes where the database path splices their text.
        out.push(bytes);
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
      { timeZone: 'UTC', scope: ['1', '2', '3', '4', '5'] },
    );
    expect(second.writes.map((w) => [w.customerId, w.payload === null])).toEqual([
      ['2', false],
      ['4', true],
    ]);
    cache.apply(SHOP, second.writes);
    expect(await pages(cache)).toEqual(await pages(null));
    const tail = JSON.parse(text(await readCustomersFeed(database.db, SHOP, 'c5', '10', cache))) as {
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
      { timeZone: 'UTC', scope: ['1', '2', '3', '4', '5', '6'] },
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
    expect(JSON.parse(text(served.find((e) => e.customerId === '2')!.payload!))).toMatchObject({ customerId: '2', orderCount: 2 });
    await cache.read(counted, SHOP, 0, 100);
    expect(queries).toBe(1);
  });

  it('serves payloads in any script byte for byte, loaded or written after the load', async () => {
    const shop = 'feed-scripts.myshopify.com';
    // insight_seq: the last sequence handed out, as the insights' writer keeps it (rows are inserted by hand here).
    await database.db.insertInto('shops').values({ shop_id: shop, currency: 'KRW', iana_timezone: 'Asia/Seoul', insight_seq: 5 }).execute();
    const { installed_at } = await database.db.selectFrom('shops').select('installed_at').where('shop_id', '=', shop).executeTakeFirstOrThrow();
    const life = new Date(installed_at).getTime();
    // Stored payloads are JSON text; these carry Korean, Arabic and a character outside the BMP (4 bytes in UTF-8).
    const payload = (id: number, note: string) => JSON.stringify({ customerId: String(id), note });
    const notes = ['단골 고객', 'عميل دائم', 'plain', '🛍️ x2'];
    await database.db
      .insertInto('customer_insights')
      .values(
        notes.map((note, i) => ({
          shop_id: shop,
          customer_id: String(100 + i),
          change_seq: i + 1,
          deleted: false,
          payload: payload(100 + i, note),
          updated_at: new Date(0),
        })),
      )
      .execute();
    await database.db
      .insertInto('customer_insights')
      .values({ shop_id: shop, customer_id: '200', change_seq: 5, deleted: true, payload: null, updated_at: new Date(0) })
      .execute();
    const cache = new FeedCache();
    const fromCache = text(await readCustomersFeed(database.db, shop, '', '10', cache));
    expect(fromCache).toBe(text(await readCustomersFeed(database.db, shop, '', '10', null)));
    expect(JSON.parse(fromCache)).toEqual({
      customers: notes.map((note, i) => ({ customerId: String(100 + i), note })),
      deletedCustomerIds: ['200'],
      nextCursor: `c5.${life}`,
      hasMore: false,
    });
    // A write after the load: its text is encoded as it enters the cache.
    await database.db
      .updateTable('customer_insights')
      .set({ change_seq: 6, payload: payload(101, 'عميل جديد 새 고객') })
      .where('shop_id', '=', shop)
      .where('customer_id', '=', '101')
      .execute();
    await database.db.updateTable('shops').set({ insight_seq: 6 }).where('shop_id', '=', shop).execute();
    cache.apply(shop, [{ customerId: '101', seq: 6, payload: payload(101, 'عميل جديد 새 고객') }]);
    const page = text(await readCustomersFeed(database.db, shop, 'c2', '1', cache));
    expect(page).toBe(text(await readCustomersFeed(database.db, shop, 'c2', '1', null)));
    expect(JSON.parse(page)).toMatchObject({ customers: [{ customerId: '102', note: 'plain' }], hasMore: true });
    const last = text(await readCustomersFeed(database.db, shop, 'c5', '10', cache));
    expect(last).toBe(text(await readCustomersFeed(database.db, shop, 'c5', '10', null)));
    expect(JSON.parse(last)).toEqual({
      customers: [{ customerId: '101', note: 'عميل جديد 새 고객' }],
      deletedCustomerIds: [],
      nextCursor: `c6.${life}`,
      hasMore: false,
    });
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

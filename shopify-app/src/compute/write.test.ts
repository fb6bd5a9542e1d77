import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { DB } from '../db/schema.ts';
import { createStatisticsKeeper, writeInsights, type InsightDraft } from './write.ts';

const SHOP = 'write.myshopify.com';
const NOW = Date.parse('2026-12-01T12:00:00Z');

function draft(id: string, orderCount: number): InsightDraft {
  return {
    customerId: id,
    currency: 'USD',
    orderCount,
    isRepeat: orderCount >= 2,
    historicClvMinor: 1_000 * orderCount,
    predictedClvMinor: null,
    averageOrderValueMinor: 1_000,
    firstOrderAtMs: NOW - 1_000,
    lastOrderAtMs: NOW - 1_000,
    daysSinceLastOrder: 0,
    expectedNextOrderAtMs: null,
    overdue: false,
    pAlive: 1,
    churnProbability: 0,
    churnHorizonDays: 90,
    newCustomer: true,
    churnTier: 'low',
    churnReasons: [],
    confidence: 'low',
    rfmSegment: 'NEW',
    orderHistory: [],
    notCountedOrders: [],
  };
}

describe('writeInsights keepWrittenAfterSeq', () => {
  let database: Database;
  const stored = async () =>
    new Map(
      (await database.db.selectFrom('customer_insights').select(['customer_id', 'change_seq', 'deleted', 'payload']).where('shop_id', '=', SHOP).execute()).map(
        (r) => [
          String(r.customer_id),
          { seq: Number(r.change_seq), deleted: r.deleted, orderCount: r.payload === null ? null : (JSON.parse(r.payload) as InsightDraft).orderCount },
        ],
      ),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });

  it('leaves alone the insights written after the given sequence, and writes and tombstones the others', async () => {
    await writeInsights(database.db, SHOP, [draft('1', 1), draft('2', 1), draft('3', 1)], NOW, { scope: ['1', '2', '3'] });
    // A bucket reads its customers' orders here (sequence 3), then another run writes customer 2 and 3 anew.
    const readAt = 3;
    await writeInsights(database.db, SHOP, [draft('2', 2), draft('3', 2)], NOW + 1, { scope: ['2', '3'] });
    // The bucket's stale results: 1 changed, 2 stale, 3 not computed any more (would be a tombstone).
    const result = await writeInsights(database.db, SHOP, [draft('1', 5), draft('2', 1)], NOW + 2, { scope: ['1', '2', '3'], keepWrittenAfterSeq: readAt });
    expect(result).toMatchObject({ changed: 1, deleted: 0 });
    expect(await stored()).toEqual(
      new Map([
        ['1', { seq: 6, deleted: false, orderCount: 5 }],
        ['2', { seq: 4, deleted: false, orderCount: 2 }],
        ['3', { seq: 5, deleted: false, orderCount: 2 }],
      ]),
    );
    // Without the option the same call overwrites them (what every other writer wants).
    const plain = await writeInsights(database.db, SHOP, [draft('1', 5), draft('2', 1)], NOW + 3, { scope: ['1', '2', '3'] });
    expect(plain).toMatchObject({ changed: 1, deleted: 1 });
  });

  it("with a range as the scope, tombstones the range's stored insights not computed, leaves the rest alone, and counts the new rows", async () => {
    const shop = 'range.myshopify.com';
    await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
    const first = await writeInsights(database.db, shop, [draft('10', 1), draft('20', 1), draft('30', 1), draft('40', 1)], NOW, {
      scope: ['10', '20', '30', '40'],
    });
    expect(first).toMatchObject({ changed: 4, deleted: 0, inserted: 4 });
    await writeInsights(database.db, shop, [], NOW + 1, { scope: ['30'] });
    // The range (10, 40]: 20 rewritten, 25 new, 30 (a tombstone) back, 40 no longer computed; 10 is outside.
    const result = await writeInsights(database.db, shop, [draft('20', 2), draft('25', 1), draft('30', 3)], NOW + 2, { scope: { after: '10', upTo: '40' } });
    expect(result).toMatchObject({ changed: 3, deleted: 1, inserted: 1 });
    const rows = await database.db
      .selectFrom('customer_insights')
      .select(['customer_id', 'deleted', 'payload'])
      .where('shop_id', '=', shop)
      .orderBy('customer_id')
      .execute();
    expect(rows.map((r) => [String(r.customer_id), r.deleted, r.payload === null ? null : (JSON.parse(r.payload) as InsightDraft).orderCount])).toEqual([
      ['10', false, 1],
      ['20', false, 2],
      ['25', false, 1],
      ['30', false, 3],
      ['40', true, null],
    ]);
    // The same drafts again: nothing changed, nothing new.
    expect(
      await writeInsights(database.db, shop, [draft('20', 2), draft('25', 1), draft('30', 3)], NOW + 3, { scope: { after: '10', upTo: '40' } }),
    ).toMatchObject({
      changed: 0,
      deleted: 0,
      inserted: 0,
    });
  });
});

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];

describe.runIf(serverUrl)('writeInsights through COPY (PostgreSQL)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    for (const shop of ['copy.myshopify.com', 'statements.myshopify.com']) {
      await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
    }
  });
  afterAll(async () => {
    await database.close();
  });

  it('stores exactly what the statement path stores, hostile text and 64-bit ids included, and updates and tombstones likewise', async () => {
    const drafts = (round: number): InsightDraft[] =>
      Array.from({ length: 700 }, (_, i) => ({
        ...draft(String(9_007_199_254_740_993n + BigInt(i * 7)), 1 + ((i + round) % 4)),
        // COPY's specials and JSON's: a tab, a newline, a backslash, a quote, \N and non-ASCII, inside the payload.
        churnReasons: [`reason\t${i}\nline "two" \\N back\\slash ‮ 한국어 عربي`],
        churnProbability: (0.1 + 0.2) * ((i % 10) / 10),
        predictedClvMinor: i % 3 === 0 ? null : 2 ** 53 - i,
      }));
    const ids = drafts(0).map((d) => d.customerId);
    const rows = async (shop: string) =>
      (
        await database.pool.query(
          `SELECT customer_id::text AS id, change_seq::text AS seq, deleted, payload, historic_clv_minor::text AS clv, churn_probability AS churn,
             predicted_clv_minor::text AS predicted, updated_at FROM customer_insights WHERE shop_id = $1 ORDER BY customer_id`,
          [shop],
        )
      ).rows;
    for (const [round, scope] of [
      [0, ids],
      [1, ids],
      // The last 100 are no longer computed: tombstones.
      [2, ids],
    ] as const) {
      const batch = round === 2 ? drafts(round).slice(0, 600) : drafts(round);
      const copied = await writeInsights(database.db, 'copy.myshopify.com', batch, NOW + round, { scope, pool: database.pool });
      const stated = await writeInsights(database.db, 'statements.myshopify.com', batch, NOW + round, { scope });
      expect(copied).toEqual(stated);
      expect(await rows('copy.myshopify.com')).toEqual(await rows('statements.myshopify.com'));
    }
    const final = await rows('copy.myshopify.com');
    expect(final).toHaveLength(700);
    expect(final.filter((r) => r.deleted)).toHaveLength(100);
    const first = JSON.parse(final[0].payload as string) as InsightDraft;
    expect(first.churnReasons[0]).toBe('reason\t0\nline "two" \\N back\\slash ‮ 한국어 عربي');
    expect(final[0].id).toBe('9007199254740993');
  });
});

describe('createStatisticsKeeper', () => {
  it('analyzes after the first 50,000 rows a run added, then each time the run doubled them', async () => {
    const analyzedAt: number[] = [];
    let written = 0;
    const db = new Kysely<DB>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (k) => new PostgresIntrospector(k),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
      log: (event) => {
        if (event.level === 'query' && event.query.sql === 'ANALYZE customer_insights') analyzedAt.push(written);
      },
    });
    const keeper = createStatisticsKeeper(db);
    for (let chunk = 0; chunk < 200; chunk++) {
      written += 5_000;
      await keeper.added(5_000);
    }
    expect(analyzedAt).toEqual([50_000, 100_000, 200_000, 400_000, 800_000]);
  });
});

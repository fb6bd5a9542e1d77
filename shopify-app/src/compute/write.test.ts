import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { DummyDriver, Kysely, PostgresAdapter, PostgresDialect, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
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
    await writeInsights(database.db, SHOP, [draft('1', 1), draft('2', 1), draft('3', 1)], NOW, { timeZone: 'UTC', scope: ['1', '2', '3'] });
    // A bucket reads its customers' orders here (sequence 3), then another run writes customer 2 and 3 anew.
    const readAt = 3;
    await writeInsights(database.db, SHOP, [draft('2', 2), draft('3', 2)], NOW + 1, { timeZone: 'UTC', scope: ['2', '3'] });
    // The bucket's stale results: 1 changed, 2 stale, 3 not computed any more (would be a tombstone).
    const result = await writeInsights(database.db, SHOP, [draft('1', 5), draft('2', 1)], NOW + 2, {
      timeZone: 'UTC',
      scope: ['1', '2', '3'],
      keepWrittenAfterSeq: readAt,
    });
    expect(result).toMatchObject({ changed: 1, deleted: 0 });
    expect(await stored()).toEqual(
      new Map([
        ['1', { seq: 6, deleted: false, orderCount: 5 }],
        ['2', { seq: 4, deleted: false, orderCount: 2 }],
        ['3', { seq: 5, deleted: false, orderCount: 2 }],
      ]),
    );
    // Without the option the same call overwrites them (what every other writer wants).
    const plain = await writeInsights(database.db, SHOP, [draft('1', 5), draft('2', 1)], NOW + 3, { timeZone: 'UTC', scope: ['1', '2', '3'] });
    expect(plain).toMatchObject({ changed: 1, deleted: 1 });
  });

  it("with a range as the scope, tombstones the range's stored insights not computed, leaves the rest alone, and counts the new rows", async () => {
    const shop = 'range.myshopify.com';
    await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
    const first = await writeInsights(database.db, shop, [draft('10', 1), draft('20', 1), draft('30', 1), draft('40', 1)], NOW, {
      timeZone: 'UTC',
      scope: ['10', '20', '30', '40'],
    });
    expect(first).toMatchObject({ changed: 4, deleted: 0, inserted: 4 });
    await writeInsights(database.db, shop, [], NOW + 1, { timeZone: 'UTC', scope: ['30'] });
    // The range (10, 40]: 20 rewritten, 25 new, 30 (a tombstone) back, 40 no longer computed; 10 is outside.
    const result = await writeInsights(database.db, shop, [draft('20', 2), draft('25', 1), draft('30', 3)], NOW + 2, {
      timeZone: 'UTC',
      scope: { after: '10', upTo: '40' },
    });
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
      await writeInsights(database.db, shop, [draft('20', 2), draft('25', 1), draft('30', 3)], NOW + 3, {
        timeZone: 'UTC',
        scope: { after: '10', upTo: '40' },
      }),
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
    // COPY's specials and JSON's: a tab, a newline, a backslash, a quote, \N and non-ASCII, inside the payload. No field
    // of an insight holds free text today; the writer stores whatever JSON a draft makes, so the test adds one.
    const hostile = (text: string) => ({ note: text });
    const drafts = (round: number): InsightDraft[] =>
      Array.from(
        { length: 700 },
        (_, i) =>
          ({
            ...draft(String(9_007_199_254_740_993n + BigInt(i * 7)), 1 + ((i + round) % 4)),
            ...hostile(`reason\t${i}\nline "two" \\N back\\slash ‮ 한국어 عربي`),
            churnProbability: (0.1 + 0.2) * ((i % 10) / 10),
            predictedClvMinor: i % 3 === 0 ? null : 2 ** 53 - i,
          }) as InsightDraft,
      );
    const ids = drafts(0).map((d) => d.customerId);
    const rows = async (shop: string) =>
      (
        await database.pool.query(
          `SELECT customer_id::text AS id, change_seq::text AS seq, deleted, payload, historic_clv_minor::text AS clv, churn_probability AS churn,
             predicted_clv_minor::text AS predicted, updated_at FROM customer_insights WHERE shop_id = $1 ORDER BY customer_id`,
          [shop],
        )
      ).rows;
    // Round 3 brings the tombstones back and adds 50 customers never stored, beside updates: inserts and updates in one write.
    const added = Array.from({ length: 50 }, (_, i) => ({ ...draft(String(9_007_199_254_750_001n + BigInt(i)), 3), ...hostile(`new ${i}`) }) as InsightDraft);
    for (const [round, scope] of [
      [0, ids],
      [1, ids],
      // The last 100 are no longer computed: tombstones.
      [2, ids],
      [3, [...ids, ...added.map((d) => d.customerId)]],
    ] as const) {
      const batch = round === 2 ? drafts(round).slice(0, 600) : round === 3 ? [...drafts(round), ...added] : drafts(round);
      const copied = await writeInsights(database.db, 'copy.myshopify.com', batch, NOW + round, { timeZone: 'UTC', scope, pool: database.pool });
      const stated = await writeInsights(database.db, 'statements.myshopify.com', batch, NOW + round, { timeZone: 'UTC', scope });
      expect(copied).toEqual(stated);
      expect(await rows('copy.myshopify.com')).toEqual(await rows('statements.myshopify.com'));
    }
    const final = await rows('copy.myshopify.com');
    expect(final).toHaveLength(750);
    expect(final.filter((r) => r.deleted)).toHaveLength(0);
    expect(new Set(final.map((r) => r.seq)).size).toBe(750);
    const first = JSON.parse(final[0].payload as string) as { note: string };
    expect(first.note).toBe('reason\t0\nline "two" \\N back\\slash ‮ 한국어 عربي');
    expect(final[0].id).toBe('9007199254740993');
  });
});

describe.runIf(serverUrl)('writeInsights while another writer of the shop commits (PostgreSQL)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  const orderCounts = async (shop: string) =>
    new Map(
      (
        await database.pool.query<{ id: string; seq: string; payload: string }>(
          'SELECT customer_id::text AS id, change_seq::text AS seq, payload FROM customer_insights WHERE shop_id = $1 ORDER BY customer_id',
          [shop],
        )
      ).rows.map((r) => [r.id, { seq: Number(r.seq), orderCount: (JSON.parse(r.payload) as InsightDraft).orderCount }]),
    );

  /**
   * Holds the shop row lock while two writers in turn start and wait for it (each has read the stored insights before
   * it waits), then lets them go: the first takes the lock, the second after the first committed. Two and no more:
   * the first writer updates the shop row, and PostgreSQL gives the lock on the new row version to whichever of the
   * writers still waiting gets there first, not to the one that waited longest.
   */
  async function interleave<T>(shop: string, ...writers: [() => Promise<T>, () => Promise<T>]): Promise<T[]> {
    const blocker = await database.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM shops WHERE shop_id = $1 FOR UPDATE', [shop]);
      // Asked on another connection: inside a transaction, pg_stat_activity stays as it was at its first read.
      const waiting = async (n: number) => {
        for (let i = 0; i < 200; i++) {
          const { rows } = await database.pool.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'",
          );
          if (rows[0]!.n >= n) return;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error(`expected ${n} writers waiting for the shop row lock`);
      };
      const started: Promise<T>[] = [];
      for (const writer of writers) {
        started.push(writer());
        await waiting(started.length);
      }
      await blocker.query('COMMIT');
      return await Promise.all(started);
    } finally {
      blocker.release();
    }
  }

  it('compares with what the other writer committed after its read, not with what it read', async () => {
    const shop = 'interleave.myshopify.com';
    await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
    await writeInsights(database.db, shop, [draft('1', 1), draft('2', 1), draft('3', 1)], NOW, { timeZone: 'UTC', scope: ['1', '2', '3'] });
    // The other writer changes customer 1; this one read customer 1 as it was, equal to its own result for 1.
    const [other, result] = await interleave(
      shop,
      () => writeInsights(database.db, shop, [draft('1', 7)], NOW + 1, { timeZone: 'UTC', scope: ['1'] }),
      () => writeInsights(database.db, shop, [draft('1', 1), draft('2', 5), draft('3', 1)], NOW + 2, { timeZone: 'UTC', scope: ['1', '2', '3'] }),
    );
    expect(other).toMatchObject({ changed: 1 });
    // Customer 1 differs from what is stored now, so it is written: the last writer's result stands, as without the race.
    expect(result).toMatchObject({ changed: 2, deleted: 0, inserted: 0 });
    expect(await orderCounts(shop)).toEqual(
      new Map([
        ['1', { seq: 5, orderCount: 1 }],
        ['2', { seq: 6, orderCount: 5 }],
        ['3', { seq: 3, orderCount: 1 }],
      ]),
    );
  });

  /**
   * A Kysely over the test's pool whose statement taking the shop row lock waits until `open()`: a writer through it
   * has read the stored insights and stays before the lock while other writers commit, in the order the test runs them.
   */
  function pausedAtLock() {
    let reached!: () => void;
    let open!: () => void;
    const atLock = new Promise<void>((r) => (reached = r));
    const opened = new Promise<void>((r) => (open = r));
    const pool = {
      options: database.pool.options,
      end: async () => {},
      connect: async () => {
        const client = await database.pool.connect();
        // Kysely sends each statement as query(text, values) and releases the client when done.
        const query = async (text: string, values: unknown[]) => {
          if (text.includes('FOR UPDATE')) {
            reached();
            await opened;
          }
          return client.query(text, values);
        };
        return new Proxy(client, {
          get: (target, key) => (key === 'query' ? query : key === 'release' ? () => target.release() : Reflect.get(target, key)),
        });
      },
    };
    return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), atLock, open };
  }

  it('reads again when more than one write came in between, even if the last one wrote other customers', async () => {
    const shop = 'interleave-two.myshopify.com';
    await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
    await writeInsights(database.db, shop, [draft('1', 1), draft('2', 1), draft('3', 1), draft('9', 1)], NOW, { timeZone: 'UTC', scope: ['1', '2', '3', '9'] });
    const paused = pausedAtLock();
    try {
      const waiting = writeInsights(paused.db, shop, [draft('1', 1), draft('2', 1), draft('3', 1)], NOW + 3, { timeZone: 'UTC', scope: ['1', '2', '3'] });
      await paused.atLock;
      // Customer 1 is changed by the first write in between; the last one in between writes customer 9 only.
      await writeInsights(database.db, shop, [draft('1', 7)], NOW + 1, { timeZone: 'UTC', scope: ['1'] });
      await writeInsights(database.db, shop, [draft('9', 4)], NOW + 2, { timeZone: 'UTC', scope: ['9'] });
      paused.open();
      expect(await waiting).toMatchObject({ changed: 1, deleted: 0 });
    } finally {
      paused.open();
      await paused.db.destroy();
    }
    expect(await orderCounts(shop)).toEqual(
      new Map([
        ['1', { seq: 7, orderCount: 1 }],
        ['2', { seq: 2, orderCount: 1 }],
        ['3', { seq: 3, orderCount: 1 }],
        ['9', { seq: 6, orderCount: 4 }],
      ]),
    );
  });

  // The customer at either end of the bucket's range: a write in between that touched it must be seen.
  it.each(['1000', '1599'])(
    'leaves alone what the other writer committed after its read when told to keep newer insights, through COPY too (customer %s)',
    async (webhookCustomer) => {
      const shop = `interleave-keep-${webhookCustomer}.myshopify.com`;
      await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
      const ids = Array.from({ length: 600 }, (_, i) => String(1_000 + i));
      await writeInsights(
        database.db,
        shop,
        ids.map((id) => draft(id, 1)),
        NOW,
        { timeZone: 'UTC', scope: ids, pool: database.pool },
      );
      // A bucket read its orders at sequence 600; a webhook's recompute of one of its customers commits while the
      // bucket waits for the lock.
      const [, result] = await interleave(
        shop,
        () => writeInsights(database.db, shop, [draft(webhookCustomer, 9)], NOW + 1, { timeZone: 'UTC', scope: [webhookCustomer] }),
        () =>
          writeInsights(
            database.db,
            shop,
            ids.map((id) => draft(id, 2)),
            NOW + 2,
            { timeZone: 'UTC', scope: { after: '999', upTo: '1599' }, keepWrittenAfterSeq: 600, pool: database.pool },
          ),
      );
      expect(result).toMatchObject({ changed: 599, deleted: 0, inserted: 0 });
      const stored = await orderCounts(shop);
      expect(stored.get(webhookCustomer)).toEqual({ seq: 601, orderCount: 9 });
      expect([...stored.values()].filter((s) => s.orderCount === 2)).toHaveLength(599);
      expect(Math.max(...[...stored.values()].map((s) => s.seq))).toBe(1200);
    },
  );
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

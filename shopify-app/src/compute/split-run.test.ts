import { prepareShopReport } from '@clvlens/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { StoredOrder } from '../ingest/order.ts';
import { EVERY_CUSTOMER, queueEveryCustomer, queueRecompute, upsertOrders } from '../ingest/store.ts';
import { silentLogger } from '../log.ts';
import { markBackfilled, storedOrder } from '../testing/fixtures.ts';
import type { FullRunReason } from './recompute-result.ts';
import { createComputeService, type ComputeService } from './service.ts';
import { bucketUpperBounds, runStatisticsKeeper } from './split-run.ts';

const SHOP = 'split.myshopify.com';
const TZ = 'Europe/Berlin';
const DAY = 86_400_000;
const START = Date.parse('2026-11-20T15:00:00Z');

/**
 * A generated shop (fixed seed): 300 customers with 1-8 orders over two years, ids spread over several magnitudes
 * (bucket cuts fall between lengths), some refunded, cancelled or test orders, guests, and one customer deleted in
 * Shopify.
 */
function shopOrders(): StoredOrder[] {
  let seed = 4242;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const orders: StoredOrder[] = [];
  let orderId = 1;
  for (let c = 1; c <= 300; c++) {
    const customerId = String(c * (c % 3 === 0 ? 1 : c % 3 === 1 ? 1000 : 7_000_003));
    const count = 1 + Math.floor(next() * 8);
    let at = START - 720 * DAY + Math.floor(next() * 400) * DAY;
    for (let k = 0; k < count && at < START - DAY; k++) {
      const totalMinor = next() < 0.03 ? 0 : 500 + Math.floor(next() * 20_000);
      const refunded = next() < 0.08 ? Math.floor(totalMinor / 2) : 0;
      orders.push(
        storedOrder({
          orderId: String(orderId++),
          customerId,
          placedAtMs: at,
          totalMinor,
          refundedMinor: refunded,
          cancelled: next() < 0.02,
          test: next() < 0.01,
          refunds: refunded > 0 ? [{ refundId: String(orderId), refundedAtMs: at + 5 * DAY, amountMinor: refunded }] : [],
        }),
      );
      at += Math.floor(10 + next() * 150) * DAY;
    }
  }
  for (let g = 0; g < 40; g++)
    orders.push(storedOrder({ orderId: String(orderId++), guestKey: `guest${g % 25}`, placedAtMs: START - (10 + g * 9) * DAY, totalMinor: 2500 }));
  return orders;
}

/** A database with the generated shop, a deleted customer and a stored insight of a customer with no order left. */
async function seededDatabase(): Promise<Database> {
  const database = await createTestDatabase();
  const { db } = database;
  await db.insertInto('shops').values({ shop_id: SHOP, currency: 'EUR', iana_timezone: TZ, insight_seq: 1 }).execute();
  await markBackfilled(db, SHOP);
  await upsertOrders(
    db,
    SHOP,
    shopOrders().map((o) => ({ ...o, currency: 'EUR' })),
  );
  await db.insertInto('customers').values({ shop_id: SHOP, customer_id: '3', deleted: true }).execute();
  await db
    .insertInto('customer_insights')
    .values({
      shop_id: SHOP,
      customer_id: '999999',
      change_seq: 1,
      deleted: false,
      payload: '{"customerId":"999999"}',
      historic_clv_minor: 5,
      churn_probability: 0.5,
      predicted_clv_minor: null,
      updated_at: new Date(START - DAY),
    })
    .execute();
  await queueRecompute(db, SHOP, ['1000', '6', '999999']);
  // As the end of a backfill leaves it: the whole shop queued as one entry.
  await queueEveryCustomer(db, SHOP);
  return database;
}

/** Whether the entry that stands for the whole shop is queued. */
async function everyoneQueued(database: Database): Promise<boolean> {
  const rows = await database.db
    .selectFrom('recompute_queue')
    .select('customer_id')
    .where('shop_id', '=', SHOP)
    .where('customer_id', '=', EVERY_CUSTOMER)
    .execute();
  return rows.length > 0;
}

/** Every insight of the shop by customer, payload without `updatedAtMs` (the only field that says when it was written). */
async function insightsOf(database: Database): Promise<Map<string, { deleted: boolean; body: string | null }>> {
  const rows = await database.db.selectFrom('customer_insights').select(['customer_id', 'deleted', 'payload']).where('shop_id', '=', SHOP).execute();
  return new Map(
    rows.map((r) => [String(r.customer_id), { deleted: r.deleted, body: r.payload === null ? null : r.payload.replace(/,"updatedAtMs":\d+}$/, '}') }]),
  );
}

describe('runSplitFit and runSplitBucket', () => {
  let single: Database;
  let split: Database;
  let nowMs = START;
  const clock = { now: () => nowMs };
  const fits: { shop: string; reason: FullRunReason }[] = [];
  const buckets: { shop: string; runId: string; bucket: number }[] = [];
  let splitCompute: ComputeService;

  beforeAll(async () => {
    single = await seededDatabase();
    split = await seededDatabase();
    splitCompute = createComputeService({
      db: split.db,
      // On PostgreSQL as the app runs there: buckets and the fit step stream their orders, insights are written by COPY.
      ...(split.kind === 'postgres' ? { pool: split.pool } : {}),
      clock,
      log: silentLogger,
      split: {
        minOrders: 100,
        buckets: 5,
        sendFit: async (shop, reason) => void fits.push({ shop, reason }),
        sendBucket: async (shop, runId, bucket) => void buckets.push({ shop, runId, bucket }),
      },
    });
  });
  afterAll(async () => {
    await single.close();
    await split.close();
  });

  it('gives every customer the insight of the one-job full run, and the same shop metrics and models', { timeout: 120_000 }, async () => {
    const one = await createComputeService({ db: single.db, clock, log: silentLogger }).recomputeShop(SHOP);
    expect(one).toMatchObject({ mode: 'full', reason: 'no-models' });

    expect(await splitCompute.recomputeShop(SHOP)).toMatchObject({ mode: 'split', reason: 'no-models' });
    expect(fits).toEqual([{ shop: SHOP, reason: 'no-models' }]);
    const fit = await splitCompute.runSplitFit(SHOP, 'no-models');
    expect(fit).toMatchObject({ buckets: 5 });
    expect(buckets.map((b) => b.bucket)).toEqual([0, 1, 2, 3, 4]);
    // A bucket job handed back at a stop (its signal aborted) ends before its first chunk: nothing written, not done.
    const insightsBefore = await insightsOf(split);
    await expect(splitCompute.runSplitBucket(SHOP, fit!.runId, 2, AbortSignal.abort())).rejects.toMatchObject({ code: 'handed-back' });
    expect(await insightsOf(split)).toEqual(insightsBefore);
    expect(await split.db.selectFrom('split_full_runs').select('done').executeTakeFirstOrThrow()).toEqual({ done: [] });
    // Buckets run in any order; the run finishes with the last one, not before. Bucket 0 runs twice (a retry of a
    // bucket that had marked itself done): its insights and its part of the summary count once.
    const order = [3, 0, 4, 0, 1, 2];
    for (const [k, b] of order.entries()) {
      const result = await splitCompute.runSplitBucket(SHOP, fit!.runId, b);
      expect(result.ran).toBe(true);
      expect(result.finished).toBe(k === order.length - 1);
      // The whole-shop entry stays queued until the run has covered every bucket (bucket 0's range includes id 0).
      expect(await everyoneQueued(split)).toBe(k !== order.length - 1);
      expect(await split.db.selectFrom('split_full_runs').select('run_id').executeTakeFirst()).toEqual(
        k === order.length - 1 ? undefined : { run_id: fit!.runId },
      );
    }

    const expected = await insightsOf(single);
    const actual = await insightsOf(split);
    expect(expected.size).toBeGreaterThan(250);
    expect(expected.get('999999')).toEqual({ deleted: true, body: null });
    expect(expected.has('3')).toBe(false);
    expect(actual).toEqual(expected);

    const metricsOf = async (database: Database) => {
      const row = await database.db
        .selectFrom('shop_metrics')
        .select(['payload', 'report', 'models', 'as_of'])
        .where('shop_id', '=', SHOP)
        .executeTakeFirstOrThrow();
      return { ...row, payload: JSON.parse(row.payload) as unknown, report: JSON.parse(row.report!) as unknown, models: JSON.parse(row.models!) as unknown };
    };
    expect(await metricsOf(split)).toEqual(await metricsOf(single));
    // Both runs dequeued the entries queued before them.
    expect(await split.db.selectFrom('recompute_queue').selectAll().execute()).toEqual([]);
  });

  it('ignores a bucket job of a finished run (a late retry) and scores webhooks with the run models while it is under way', { timeout: 120_000 }, async () => {
    expect(await splitCompute.runSplitBucket(SHOP, buckets[0]!.runId, 0)).toMatchObject({ ran: false, finished: false });

    // The next day: a new run starts; meanwhile a webhook's customer is scored at once with the new run's models.
    nowMs = START + DAY;
    buckets.length = 0;
    // A second backfill ended just before the run: the whole shop is queued again, and a webhook's incremental run
    // meanwhile takes only its own customer.
    await queueEveryCustomer(split.db, SHOP);
    const fit = await splitCompute.runSplitFit(SHOP, 'new-day');
    expect(fit).not.toBeNull();
    expect(await splitCompute.runSplitFit(SHOP, 'new-day')).toBeNull();
    await upsertOrders(split.db, SHOP, [storedOrder({ orderId: '900001', customerId: '2000', placedAtMs: nowMs - 1000, currency: 'EUR', totalMinor: 77_700 })]);
    await queueRecompute(split.db, SHOP, ['2000']);
    expect(await splitCompute.recomputeShop(SHOP)).toMatchObject({ mode: 'incremental', customers: 1, changed: 1 });
    expect(JSON.parse((await insightsOf(split)).get('2000')!.body!)).toMatchObject({ lastOrderAtMs: nowMs - 1000 });
    expect(await everyoneQueued(split)).toBe(true);
    for (const { bucket } of buckets) await splitCompute.runSplitBucket(SHOP, fit!.runId, bucket);
    expect(await split.db.selectFrom('split_full_runs').selectAll().execute()).toEqual([]);
    expect(await split.db.selectFrom('recompute_queue').selectAll().execute()).toEqual([]);
    expect((await insightsOf(split)).has(EVERY_CUSTOMER)).toBe(false);

    expect(JSON.parse((await insightsOf(split)).get('2000')!.body!)).toMatchObject({ lastOrderAtMs: nowMs - 1000 });
    const row = await split.db.selectFrom('shop_metrics').select(['as_of', 'models']).where('shop_id', '=', SHOP).executeTakeFirstOrThrow();
    expect(JSON.parse(row.models!)).toMatchObject({ asOfMs: row.as_of.getTime() });
    expect(row.as_of.getTime()).toBeGreaterThan(nowMs);
  });
});

describe('bucketUpperBounds', () => {
  const prepared = (ids: string[]) => prepareShopReport(ids.map(storedOrderRecord), { asOfMs: START, currency: 'EUR' });
  it('cuts customer ids into ranges of about equal orders, numerically, the last one open-ended', () => {
    const shop = prepared(['9', '9', '10', '100', '11', '2', '2', '2']);
    expect(bucketUpperBounds(shop, 2)).toEqual(['9', '9223372036854775807']);
    expect(bucketUpperBounds(shop, 1)).toEqual(['9223372036854775807']);
    expect(bucketUpperBounds(prepared(['5']), 3)).toEqual(['5', '5', '9223372036854775807']);
    expect(() => bucketUpperBounds(shop, 0)).toThrow(RangeError);
  });
  it('puts ids past 15 digits (text keys in the prepared order) after the others, in numeric order', () => {
    // As text, "10000000000000000" (17 digits) sorts before "9000000000000000" (16 digits); as numbers it is larger.
    const shop = prepared(['10000000000000000', '10000000000000000', '9000000000000000', '9000000000000000', '7', '7']);
    expect(shop.customerKeys).toEqual(['7', '10000000000000000', '9000000000000000']);
    expect(bucketUpperBounds(shop, 3)).toEqual(['7', '9000000000000000', '9223372036854775807']);
  });
});

function storedOrderRecord(customerId: string) {
  return {
    orderId: '1',
    customerId,
    email: null,
    placedAtMs: 0,
    currency: 'EUR',
    totalMinor: 1,
    refundedMinor: 0,
    cancelled: false,
    test: false,
    subscription: false,
  };
}

describe('runStatisticsKeeper', () => {
  it("counts the rows every bucket added in the run's row and analyzes when the run's total doubles, not per bucket", async () => {
    const database = await createTestDatabase();
    const { db } = database;
    try {
      const run = { shop_id: SHOP, run_id: 'run-1', reason: 'requested', started_at: new Date(START), context: '{}', models: '{}' };
      await db
        .insertInto('split_full_runs')
        .values({ ...run, summary: '{}', report: '{}', upper_bounds: '[]', queued_up_to: 0 })
        .execute();
      // Two buckets in two processes, each with its own keeper, writing in turn (first ANALYZE at 10 rows).
      const [a, b] = [runStatisticsKeeper(db, SHOP, 'run-1', 10), runStatisticsKeeper(db, SHOP, 'run-1', 10)];
      const counted = async () => {
        const row = await db.selectFrom('split_full_runs').select(['written', 'analyzed_written']).executeTakeFirstOrThrow();
        return [Number(row.written), Number(row.analyzed_written)];
      };
      const seen: number[][] = [];
      for (const [keeper, rows] of [
        [a, 6],
        [b, 6],
        [a, 5],
        [b, 8],
        [a, 0],
        [b, 30],
      ] as const) {
        await keeper.added(rows);
        seen.push(await counted());
      }
      // ANALYZE at 12 (>= 10), at 25 (>= 2 x 12) and at 55 (>= 2 x 25); none in between.
      expect(seen).toEqual([
        [6, 0],
        [12, 12],
        [17, 12],
        [25, 25],
        [25, 25],
        [55, 55],
      ]);
      // A keeper of another run (a late retry after the run finished) counts nothing.
      await runStatisticsKeeper(db, SHOP, 'run-0', 10).added(100);
      expect(await counted()).toEqual([55, 55]);
    } finally {
      await database.close();
    }
  });
});

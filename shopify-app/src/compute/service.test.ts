import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import type { CustomerInsightV1, ShopSummaryV1 } from '@clvlens/core';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { StoredOrder } from '../ingest/order.ts';
import { dequeueEntries, EVERY_CUSTOMER, queueEveryCustomer, queueRecompute, upsertOrders } from '../ingest/store.ts';
import { silentLogger } from '../log.ts';
import { markBackfilled, storedOrder } from '../testing/fixtures.ts';
import { asOfFor, scoreCustomers, type ShopModels } from './insights.ts';
import { loadOrderRecords } from './load.ts';
import { createComputeService, queueCallsForFullRun, type ComputeService } from './service.ts';
import { readWholeQueue } from './reads.ts';
import { writeInsights } from './write.ts';

const SHOP = 'incremental.myshopify.com';
const TZ = 'America/New_York';
const DAY = 86_400_000;
const START = Date.parse('2026-11-20T15:00:00Z');

/** A shop with enough repeat customers for the MBG/NBD fit: 120 customers, 1-6 orders each over two years. */
function shopOrders(customers = 120): StoredOrder[] {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const orders: StoredOrder[] = [];
  let orderId = 1;
  for (let customer = 1; customer <= customers; customer++) {
    const count = 1 + Math.floor(next() * 6);
    let at = START - 700 * DAY + Math.floor(next() * 300) * DAY;
    for (let k = 0; k < count && at < START - DAY; k++) {
      orders.push(order(orderId++, customer, at, 1000 + Math.floor(next() * 9000)));
      at += Math.floor(20 + next() * 120) * DAY;
    }
  }
  return orders;
}

function order(orderId: number, customerId: number, placedAtMs: number, totalMinor: number): StoredOrder {
  return storedOrder({ orderId: String(orderId), customerId: String(customerId), placedAtMs, totalMinor });
}

describe('incremental recompute', () => {
  let database: Database;
  let compute: ComputeService;
  let nowMs = START;
  const feedWrites: string[][] = [];
  const warmed: string[] = [];
  const insights = async () =>
    new Map(
      (await database.db.selectFrom('customer_insights').select(['customer_id', 'change_seq', 'deleted', 'payload']).where('shop_id', '=', SHOP).execute()).map(
        (r) => [Number(r.customer_id), r],
      ),
    );
  const metrics = async () => {
    const row = await database.db.selectFrom('shop_metrics').selectAll().where('shop_id', '=', SHOP).executeTakeFirstOrThrow();
    return { ...row, models: JSON.parse(row.models!) as ShopModels, summary: JSON.parse(row.payload) as ShopSummaryV1 };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: TZ }).execute();
    await upsertOrders(database.db, SHOP, shopOrders());
    compute = createComputeService({
      db: database.db,
      clock: { now: () => nowMs },
      log: silentLogger,
      feed: {
        apply: (_shop, writes) => feedWrites.push(writes.map((w) => w.customerId)),
        warm: async (shop) => {
          warmed.push(shop);
        },
      },
    });
  });
  afterAll(async () => {
    await database.close();
  });

  it('scores nobody until the first backfill has finished (its job waiting, running, retrying), and keeps the queued customers for the run after it', async () => {
    // The stored orders queued their customers, as a backfill's and webhooks' do.
    const queued = async () => (await database.db.selectFrom('recompute_queue').select('customer_id').where('shop_id', '=', SHOP).execute()).length;
    expect(await queued()).toBe(120);
    // No sync_state row yet (installed, the backfill job not taken), then each state before the first "live".
    for (const state of [null, 'not-started', 'backfilling', 'error']) {
      if (state !== null) {
        await database.db
          .insertInto('sync_state')
          .values({ shop_id: SHOP, state })
          .onConflict((oc) => oc.column('shop_id').doUpdateSet({ state }))
          .execute();
      }
      expect(await compute.recomputeShop(SHOP), String(state)).toMatchObject({ mode: 'skipped', customers: 0, changed: 0, remaining: 0 });
      expect((await insights()).size).toBe(0);
      expect(await database.db.selectFrom('shop_metrics').select('shop_id').where('shop_id', '=', SHOP).executeTakeFirst()).toBeUndefined();
      expect(await queued()).toBe(120);
    }
    // The backfill ended: the next run is the first full run (the next test).
    await database.db.updateTable('sync_state').set({ state: 'live' }).where('shop_id', '=', SHOP).execute();
  });

  it('fits the models on the first run and scores every customer', async () => {
    const result = await compute.recomputeShop(SHOP);
    expect(result).toMatchObject({ mode: 'full', reason: 'no-models', customers: 120, changed: 120 });
    expect(
      feedWrites
        .flat()
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(warmed).toEqual([SHOP]);
    const m = await metrics();
    expect(m.models.asOfMs).toBe(asOfFor(nowMs, TZ));
    expect(m.models.churn.method).toBe('backtested');
    expect(m.models.rfmCutPoints.customers).toBe(120);
    // The summary says how right the backtest was, in the terms the dashboard and popup show.
    const bt = m.summary.churnBacktest!;
    const prediction = m.models.churn.prediction!;
    expect(m.summary.churnHorizonDays).toBe(90);
    expect(bt).toMatchObject({ chosenModel: prediction.chosen, horizonDays: prediction.backtest.horizonDays, cutoffMs: prediction.backtest.cutoffMs });
    expect(bt.auc).toBe(prediction.backtest.candidates.find((c) => c.model === prediction.chosen)!.auc);
    expect(bt.daysSinceLastOrderAuc).toBe(prediction.backtest.candidates.find((c) => c.model === 'days-since-last-order')!.auc);
    expect(bt.calibration).toHaveLength(5);
    expect(bt.tiers.map((t) => t.tier)).toEqual(['low', 'medium', 'high']);
    expect(bt.tiers.reduce((n, t) => n + t.customers, 0)).toBe(bt.customers);
    expect(bt.tierCuts).toEqual(prediction.tiers);
    const served = [...(await insights()).values()].map((r) => JSON.parse(r.payload!) as CustomerInsightV1);
    expect(served.every((c) => c.churnHorizonDays === 90 && typeof c.newCustomer === 'boolean')).toBe(true);
    expect(await database.db.selectFrom('recompute_queue').selectAll().execute()).toEqual([]);
  });

  it('rescores only a changed customer, with the stored models, and the shop metrics follow', async () => {
    const before = await insights();
    const fittedBefore = (await metrics()).fitted_at;
    nowMs += 3_600_000;
    await upsertOrders(database.db, SHOP, [order(10_001, 5, nowMs - 60_000, 4200)]);
    feedWrites.length = 0;
    const result = await compute.recomputeShop(SHOP);
    expect(result).toMatchObject({ mode: 'incremental', customers: 1, changed: 1, deleted: 0, remaining: 0 });
    expect(feedWrites).toEqual([['5']]);

    const after = await insights();
    for (const [id, row] of before) if (id !== 5) expect(after.get(id)!.change_seq).toBe(row.change_seq);
    expect(after.get(5)!.change_seq).toBeGreaterThan(Math.max(...[...before.values()].map((r) => r.change_seq)));

    // Exactly what scoring the whole shop with the same stored models gives for that customer.
    const m = await metrics();
    expect(m.fitted_at).toEqual(fittedBefore);
    const records = await loadOrderRecords(database.db, SHOP);
    const expected = scoreCustomers(records, new Set(), m.models, { currency: 'USD', timeZone: TZ, asOfMs: m.models.asOfMs, options: {} }).find(
      (d) => d.customerId === '5',
    )!;
    const served = JSON.parse(after.get(5)!.payload!) as CustomerInsightV1;
    expect({ ...served, updatedAtMs: undefined }).toEqual({ ...expected, updatedAtMs: undefined });
    expect(served.lastOrderAtMs).toBe(nowMs - 60_000);

    expect(m.summary.averageClvMinor).toBe(Math.round(records.reduce((s, r) => s + r.totalMinor, 0) / 120));
    expect(m.summary.topAtRisk).toHaveLength(10);
  });

  it('keeps a queue entry that was renewed while a run computed the older one', async () => {
    await queueRecompute(database.db, SHOP, ['7']);
    const old = await database.db.selectFrom('recompute_queue').select('queued_seq').where('customer_id', '=', 7).executeTakeFirstOrThrow();
    await queueRecompute(database.db, SHOP, ['7']);
    await writeInsights(database.db, SHOP, [], nowMs, { timeZone: 'UTC', scope: [], dequeue: { customerIds: ['7'], queuedSeqs: [Number(old.queued_seq)] } });
    expect((await database.db.selectFrom('recompute_queue').select('customer_id').execute()).map((r) => Number(r.customer_id))).toEqual([7]);
    expect(await compute.recomputeShop(SHOP)).toMatchObject({ mode: 'incremental', customers: 1, changed: 0 });
    expect(await database.db.selectFrom('recompute_queue').selectAll().execute()).toEqual([]);
  });

  /** A compute service whose k-th load of orders is followed by a change of customer `lates[k - 1]` (webhooks meanwhile). */
  function racingService(lates: readonly string[], spacedRuns: boolean): { compute: ComputeService; fired: () => number } {
    let fired = 0;
    const loads = new Set<unknown>();
    const duringLoad: KyselyPlugin = {
      transformQuery(args) {
        if (JSON.stringify(args.node).includes('FROM orders WHERE shop_id')) loads.add(args.queryId.queryId);
        return args.node;
      },
      async transformResult(args) {
        if (loads.delete(args.queryId.queryId) && fired < lates.length) await queueRecompute(database.db, SHOP, [lates[fired++]!]);
        return args.result;
      },
    };
    const racing = createComputeService({ db: database.db.withPlugin(duringLoad), clock: { now: () => nowMs }, log: silentLogger, spacedRuns });
    return { compute: racing, fired: () => fired };
  }
  const queued = async () =>
    (await database.db.selectFrom('recompute_queue').select('customer_id').where('shop_id', '=', SHOP).execute()).map((r) => Number(r.customer_id));

  it("with spaced runs (PostgreSQL), takes the queue as it found it and once what arrived meanwhile; later changes are the next run's", async () => {
    const racing = racingService(['11', '12'], true);
    await queueRecompute(database.db, SHOP, ['10']);
    expect(await racing.compute.recomputeShop(SHOP)).toMatchObject({ mode: 'incremental', customers: 2, remaining: 0 });
    expect(racing.fired()).toBe(2);
    // Left for the run its webhook asks for: reading the queue again after every batch made a busy shop's run a loop.
    expect(await queued()).toEqual([12]);
    expect(await compute.recomputeShop(SHOP)).toMatchObject({ mode: 'incremental', customers: 1 });
    expect(await queued()).toEqual([]);
  });

  it('without spaced runs (one process), a run reads the queue again until it is empty', async () => {
    const racing = racingService(['14', '15'], false);
    await queueRecompute(database.db, SHOP, ['13']);
    expect(await racing.compute.recomputeShop(SHOP)).toMatchObject({ mode: 'incremental', customers: 3, remaining: 0 });
    expect(racing.fired()).toBe(2);
    expect(await queued()).toEqual([]);
  });

  it('keeps the last shop metrics while the shop is backfilled again and until the whole-shop run after it, then refreshes them', async () => {
    const before = (await metrics()).computed_at;
    nowMs += 1000;
    await database.db.updateTable('sync_state').set({ state: 'backfilling' }).where('shop_id', '=', SHOP).execute();
    try {
      expect(await compute.refreshShopMetrics(SHOP)).toBe(false);
      expect((await metrics()).computed_at).toEqual(before);
    } finally {
      await database.db.updateTable('sync_state').set({ state: 'live' }).where('shop_id', '=', SHOP).execute();
    }
    // The end of the backfill queued the whole shop: the run that takes it computes the metrics, not a refresh.
    await queueEveryCustomer(database.db, SHOP);
    expect(await compute.refreshShopMetrics(SHOP)).toBe(false);
    expect((await metrics()).computed_at).toEqual(before);
    nowMs += 1000;
    expect(await compute.recomputeShop(SHOP)).toMatchObject({ mode: 'full' });
    const afterRun = (await metrics()).computed_at;
    expect(afterRun.getTime()).toBeGreaterThan(before.getTime());
    nowMs += 1000;
    expect(await compute.refreshShopMetrics(SHOP)).toBe(true);
    expect((await metrics()).computed_at.getTime()).toBeGreaterThan(afterRun.getTime());
  });

  it('turns a deleted customer into a tombstone without touching the others', async () => {
    const before = await insights();
    await database.db.insertInto('customers').values({ shop_id: SHOP, customer_id: 9, deleted: true }).execute();
    await queueRecompute(database.db, SHOP, ['9']);
    expect(await compute.recomputeShop(SHOP)).toMatchObject({ mode: 'incremental', customers: 1, changed: 0, deleted: 1 });
    const after = await insights();
    expect(after.get(9)).toMatchObject({ deleted: true, payload: null });
    expect([...after.values()].filter((r) => r.change_seq !== before.get(Number(r.customer_id))!.change_seq).map((r) => Number(r.customer_id))).toEqual([9]);
  });

  it('rescores the whole shop after a backfill queued it, once, and never as a customer of its own', async () => {
    nowMs += 1000;
    await queueRecompute(database.db, SHOP, ['3']);
    // The whole-shop entry renewed while a run covered the older one stays for the next run, as any entry does.
    await queueEveryCustomer(database.db, SHOP);
    const read = await readWholeQueue(database.db, SHOP);
    await queueEveryCustomer(database.db, SHOP);
    await dequeueEntries(database.db, SHOP, read);
    expect(
      (await database.db.selectFrom('recompute_queue').select('customer_id').where('shop_id', '=', SHOP).execute()).map((r) => String(r.customer_id)),
    ).toEqual([EVERY_CUSTOMER]);
    const result = await compute.recomputeShop(SHOP);
    expect(result).toMatchObject({ mode: 'full', reason: 'large-queue', remaining: 0 });
    // Every customer with orders but 9, deleted in Shopify (its insight stays a tombstone).
    expect(result.customers).toBe(119);
    expect((await insights()).has(0)).toBe(false);
    expect(await database.db.selectFrom('recompute_queue').selectAll().execute()).toEqual([]);
    expect(await compute.recomputeShop(SHOP)).toMatchObject({ mode: 'incremental', customers: 0 });
  });

  it('refits and rescores everyone when a new day begins in the shop time zone', async () => {
    const before = await metrics();
    // Deleted without a queue entry (as if that webhook's recompute was lost): the full run still finds it.
    await database.db.insertInto('customers').values({ shop_id: SHOP, customer_id: 11, deleted: true }).execute();
    nowMs = asOfFor(nowMs, TZ) + 1;
    // A change that arrives first thing in the new day is written before the full run starts.
    await upsertOrders(database.db, SHOP, [order(10_002, 12, nowMs, 2500)]);
    feedWrites.length = 0;
    const result = await compute.recomputeShop(SHOP);
    expect(feedWrites[0]).toEqual(['12']);
    expect(result).toMatchObject({ mode: 'full', reason: 'new-day', deleted: 1 });
    expect((await insights()).get(11)).toMatchObject({ deleted: true, payload: null });
    expect(result.changed).toBeGreaterThan(100);
    const after = await metrics();
    expect(after.models.asOfMs).toBe(before.models.asOfMs + DAY);
    expect(after.fitted_at!.getTime()).toBe(nowMs);
    expect(after.summary.asOfMs).toBe(after.models.asOfMs);
    expect(await compute.recomputeShop(SHOP)).toMatchObject({ mode: 'incremental', customers: 0 });
  });

  it('lists only medium and high risk customers at risk, never a new customer, however valuable', async () => {
    nowMs += 3_600_000;
    await upsertOrders(database.db, SHOP, [order(20_001, 500, nowMs - 3 * DAY, 900_000)]);
    await compute.recomputeShop(SHOP);
    const m = await metrics();
    const byId = new Map(
      [...(await insights()).entries()].filter(([, r]) => !r.deleted).map(([id, r]) => [String(id), JSON.parse(r.payload!) as CustomerInsightV1]),
    );
    expect(byId.get('500')).toMatchObject({ newCustomer: true, orderCount: 1 });
    expect(m.summary.topAtRisk.length).toBeGreaterThan(0);
    for (const c of m.summary.topAtRisk)
      expect(byId.get(c.customerId)).toMatchObject({ newCustomer: false, churnTier: expect.stringMatching(/^(medium|high)$/) });
  });

  it('refits models stored by an older version instead of failing on them', async () => {
    const row = await metrics();
    const { horizonDays: _h, prediction: _p, ...older } = row.models.churn;
    await database.db
      .updateTable('shop_metrics')
      .set({ models: JSON.stringify({ ...row.models, churn: { ...older, method: 'mbg-nbd' } }) })
      .where('shop_id', '=', SHOP)
      .execute();
    await queueRecompute(database.db, SHOP, ['3']);
    expect(await compute.recomputeShop(SHOP)).toMatchObject({ mode: 'full', reason: 'no-models' });
    expect((await metrics()).models.churn).toMatchObject({ method: 'backtested', horizonDays: 90 });
  });

  it('refits with the churn horizon of the options, and every insight and the summary carry it', async () => {
    const sixty = createComputeService({ db: database.db, clock: { now: () => nowMs }, log: silentLogger, options: { churnHorizonDays: 60 } });
    expect(await sixty.recomputeShop(SHOP)).toMatchObject({ mode: 'full', reason: 'no-models' });
    const m = await metrics();
    expect(m.models.churn.horizonDays).toBe(60);
    expect(m.summary.churnHorizonDays).toBe(60);
    expect([...(await insights()).values()].filter((r) => !r.deleted).every((r) => (JSON.parse(r.payload!) as CustomerInsightV1).churnHorizonDays === 60)).toBe(
      true,
    );
    expect(() => createComputeService({ db: database.db, clock: { now: () => nowMs }, log: silentLogger, options: { churnHorizonDays: 45 } })).toThrow(
      RangeError,
    );
  });
});

describe('a shop whose backfill found no orders', () => {
  it('runs its first full run on nothing and leaves nothing queued, so the sweeps do not come back for it', async () => {
    const EMPTY = 'empty.myshopify.com';
    const database = await createTestDatabase();
    try {
      await database.db.insertInto('shops').values({ shop_id: EMPTY, currency: 'USD', iana_timezone: TZ }).execute();
      await markBackfilled(database.db, EMPTY);
      await queueEveryCustomer(database.db, EMPTY);
      const compute = createComputeService({ db: database.db, clock: { now: () => START }, log: silentLogger });
      expect(await compute.recomputeShop(EMPTY)).toMatchObject({ mode: 'full', reason: 'no-models', customers: 0 });
      expect(await database.db.selectFrom('recompute_queue').selectAll().execute()).toEqual([]);
      expect(await database.db.selectFrom('shop_metrics').select('shop_id').where('shop_id', '=', EMPTY).executeTakeFirst()).toEqual({ shop_id: EMPTY });
    } finally {
      await database.close();
    }
  });
});

describe('a shop with more customers than the churn fit sees', () => {
  const LARGE = 'large.myshopify.com';
  let database: Database;
  let nowMs = START;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: LARGE, currency: 'USD', iana_timezone: TZ }).execute();
    await markBackfilled(database.db, LARGE);
    await upsertOrders(database.db, LARGE, shopOrders(600));
  });
  afterAll(async () => {
    await database.close();
  });

  it("counts a quarter of all the shop's customers, not of the fit's sample, before a queue calls for a full run", () => {
    const churn = { customerCount: 250_000 } as ShopModels['churn'];
    // 1,270,000 customers, 250,000 of them fitted: 62,501 queued is a twentieth of the shop, not a quarter.
    expect(queueCallsForFullRun(62_501, { churn, fitSample: { customers: 250_000, ofCustomers: 1_270_000 } })).toBe(false);
    expect(queueCallsForFullRun(317_501, { churn, fitSample: { customers: 250_000, ofCustomers: 1_270_000 } })).toBe(true);
    // Every customer fitted (no sample, or models stored before it): the fit's count is the shop's.
    expect(queueCallsForFullRun(62_501, { churn, fitSample: null })).toBe(true);
    expect(queueCallsForFullRun(62_501, { churn })).toBe(true);
    // Never below one incremental batch.
    expect(queueCallsForFullRun(20_000, { churn: { customerCount: 100 } as ShopModels['churn'] })).toBe(false);
  });

  it('fits on an even sample, scores every customer, and the summary says the backtest is of the sample', async () => {
    const compute = createComputeService({ db: database.db, clock: { now: () => nowMs }, log: silentLogger, options: { fitSampleCustomers: 200 } });
    const result = await compute.recomputeShop(LARGE);
    expect(result).toMatchObject({ mode: 'full', customers: 600, changed: 600 });
    const metrics = async () => {
      const row = await database.db.selectFrom('shop_metrics').selectAll().where('shop_id', '=', LARGE).executeTakeFirstOrThrow();
      return { models: JSON.parse(row.models!) as ShopModels, summary: JSON.parse(row.payload) as ShopSummaryV1 };
    };
    const first = await metrics();
    // Every 3rd of the 600 customers.
    expect(first.models.fitSample).toEqual({ customers: 200, ofCustomers: 600 });
    expect(first.models.churn.customerCount).toBe(200);
    expect(first.models.churn.method).toBe('backtested');
    const bt = first.summary.churnBacktest!;
    expect(bt.sample).toEqual({ customers: 200, ofCustomers: 600 });
    expect(bt.customers).toBeLessThanOrEqual(200);
    const scored = await database.db.selectFrom('customer_insights').select('customer_id').where('shop_id', '=', LARGE).where('deleted', '=', false).execute();
    expect(scored).toHaveLength(600);

    // The metrics refreshed after an incremental run describe the same stored models, sample included.
    nowMs += 3_600_000;
    await upsertOrders(database.db, LARGE, [order(100_001, 7, nowMs - 60_000, 4200)]);
    expect(await compute.recomputeShop(LARGE)).toMatchObject({ mode: 'incremental', customers: 1 });
    expect((await metrics()).summary.churnBacktest!.sample).toEqual({ customers: 200, ofCustomers: 600 });

    // Without the sample (the default, 250,000 customers), the summary says nothing of one.
    const whole = createComputeService({ db: database.db, clock: { now: () => nowMs }, log: silentLogger });
    expect(await whole.recomputeShop(LARGE, { full: true })).toMatchObject({ mode: 'full' });
    const after = await metrics();
    expect(after.models.fitSample).toBeNull();
    expect(after.models.churn.customerCount).toBe(600);
    expect(after.summary.churnBacktest!.sample).toBeNull();
  });
});

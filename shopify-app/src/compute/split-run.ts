import { randomUUID } from 'node:crypto';
import { valueKeyOf, type PreparedOrders } from '@clvlens/core';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { dequeueWholeShop, ONE_CUSTOMER_ENTRIES } from '../ingest/store.ts';
import type { ComputeDeps } from './deps.ts';
import { FULL_RUN_CHUNK } from './full-run.ts';
import { asOfFor, churnHorizonOf, scoreCustomers, yieldToEventLoop, type ComputeContext, type ShopModels, type ShopSummaryFromOrders } from './insights.ts';
import { customerParts, type CustomerRange } from './load.ts';
import { fitAndMeasure, loadPreparedShop, metricsCurrencyOf } from './prepared-shop.ts';
import { deletedCustomers } from './reads.ts';
import { FullRunReason } from './recompute-result.ts';
import { emptyInsightTally, mergeInsightTallies, storeShopMetrics, tallyInsights, topAtRiskLimit, type InsightTally } from './shop-metrics.ts';
import { loadShopInfo, loadStoredModels, screenedRecords } from './shop-state.ts';
import { STATISTICS_EVERY_ROWS, writeInsights, type StatisticsKeeper } from './write.ts';

/**
 * A run whose row is older than this is taken as abandoned (a bucket job that used up its retries): the next full run
 * replaces it. A 10,000,000-order shop's run takes minutes, so hours leave room for every retry.
 */
const ABANDONED_AFTER_MS = 6 * 3600_000;

/** The lowest and highest PostgreSQL bigint: the first bucket starts after the one, the last ends at the other. */
const MIN_ID = '-9223372036854775808';
const MAX_ID = '9223372036854775807';

/** A split full run under way: what every bucket job and incremental run of the shop scores with meanwhile. */
export interface SplitRunState {
  runId: string;
  reason: FullRunReason;
  startedAtMs: number;
  context: ComputeContext;
  models: ShopModels;
  upperBounds: string[];
  queuedUpTo: number;
}

/** The shop's split full run under way, or null (none, or one abandoned: see {@link ABANDONED_AFTER_MS}). */
export async function splitRunInProgress(deps: Pick<ComputeDeps, 'db' | 'clock'>, shop: string): Promise<SplitRunState | null> {
  const row = await deps.db.selectFrom('split_full_runs').selectAll().where('shop_id', '=', shop).executeTakeFirst();
  if (!row || deps.clock.now() - row.started_at.getTime() > ABANDONED_AFTER_MS) return null;
  return {
    runId: row.run_id,
    reason: row.reason as FullRunReason,
    startedAtMs: row.started_at.getTime(),
    context: JSON.parse(row.context) as ComputeContext,
    models: JSON.parse(row.models) as ShopModels,
    upperBounds: JSON.parse(row.upper_bounds) as string[],
    queuedUpTo: Number(row.queued_up_to),
  };
}

/** True when the shop's full run should be split: split runs are on and the shop has at least `minOrders` orders. */
export async function shouldSplit(deps: Pick<ComputeDeps, 'db' | 'split'>, shop: string): Promise<boolean> {
  if (!deps.split) return false;
  // Bounded count: a 10,000,000-order shop answers once the threshold is reached, not after counting every order.
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (SELECT 1 FROM orders WHERE shop_id = ${shop} LIMIT ${deps.split.minOrders}) o`.execute(deps.db);
  return (rows[0]?.n ?? 0) >= deps.split.minOrders;
}

/** What a fit step did: null when it had nothing to do (a run under way, or today's models already fitted). */
export interface SplitFitResult {
  runId: string;
  orders: number;
  buckets: number;
}

/**
 * The fit step of a split full run: reads the shop's orders a part of customers at a time into core's prepared columns
 * (prepared-shop.ts: never every order record at once), fits the models (churn models and RFM cut points, as the
 * one-job full run does) and computes the shop metrics from those columns, cuts the customers into `split.buckets`
 * ranges of customer ids holding about as many orders each, stores all that as the run, and queues one bucket job per
 * range. Skipped while a run is under way, and for `new-day`/`no-models` when today's models are already stored (a
 * second request queued behind the first).
 */
export async function runSplitFit(deps: ComputeDeps, shop: string, reason: FullRunReason): Promise<SplitFitResult | null> {
  const { db, clock, log, split } = deps;
  if (!split) throw new Error('runSplitFit needs ComputeDeps.split');
  const info = await loadShopInfo(deps, shop);
  if (!info) return null;
  if (await splitRunInProgress(deps, shop)) return null;
  const started = clock.now();
  if (reason === FullRunReason.newDay || reason === FullRunReason.noModels) {
    const stored = await loadStoredModels(deps, shop, churnHorizonOf(info.options));
    if (stored && stored.asOfMs === asOfFor(started, info.timeZone)) return null;
  }
  // The queue entries read before the orders: the buckets dequeue these (their customers' orders are all loaded).
  const { rows: queued } = await sql<{ s: string | null }>`SELECT max(queued_seq)::text AS s FROM recompute_queue WHERE shop_id = ${shop}`.execute(db);
  const queuedUpTo = queued[0]?.s ?? '0';
  const context: ComputeContext = {
    currency: await metricsCurrencyOf(db, shop, info.currency),
    timeZone: info.timeZone,
    asOfMs: asOfFor(clock.now(), info.timeZone),
    options: info.options,
  };
  const { data, orders, parts, waitedMs } = await loadPreparedShop(deps, shop, context);
  const loaded = clock.now();
  const upperBounds = bucketUpperBounds(data, split.buckets);
  const running = await fitAndMeasure(data, context);
  let fitted = 0;
  let measured = 0;
  const [models, { summary, report }] = await Promise.all([
    running.models.then((m) => ((fitted = clock.now()), m)),
    running.metrics.then((m) => ((measured = clock.now()), m)),
  ]);
  const runId = randomUUID();
  const row = {
    run_id: runId,
    reason,
    started_at: new Date(started),
    context: JSON.stringify(context),
    models: JSON.stringify(models),
    summary: JSON.stringify(summary),
    report: JSON.stringify(report),
    upper_bounds: JSON.stringify(upperBounds),
    queued_up_to: queuedUpTo,
    done: [] as number[],
  };
  await db
    .insertInto('split_full_runs')
    .values({ shop_id: shop, ...row })
    .onConflict((oc) => oc.column('shop_id').doUpdateSet(row))
    .execute();
  for (let bucket = 0; bucket < upperBounds.length; bucket++) await split.sendBucket(shop, runId, bucket);
  log.info('split full run started', {
    shop,
    reason,
    runId,
    orders,
    parts,
    buckets: upperBounds.length,
    method: models.churn.method,
    loadMs: loaded - started,
    loadWaitedMs: waitedMs,
    fitMs: fitted - loaded,
    metricsMs: measured - loaded,
    ms: clock.now() - started,
  });
  return { runId, orders, buckets: upperBounds.length };
}

/**
 * The upper customer id (inclusive) of each of `buckets` ranges, cut so each holds about as many counted orders, the
 * last one open-ended (customers who first order during the run fall into it). Buckets by range rather than `id % n`,
 * so a bucket reads its orders through the (shop_id, customer_id) index instead of scanning the shop. `data` is the
 * shop's prepared orders: its customers come with numeric ids ascending (those core keys by value), then ids past 15
 * digits among the text keys (guests are in no bucket's range; they get no insight).
 */
export function bucketUpperBounds(data: Pick<PreparedOrders, 'customerKeys' | 'customerStart'>, buckets: number): string[] {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}.`);
  const { customerKeys, customerStart } = data;
  const numeric: number[] = [];
  const long: number[] = [];
  for (let c = 0; c < customerKeys.length; c++) {
    const id = customerKeys[c]!;
    if (valueKeyOf(id) !== null) numeric.push(c);
    else if (/^\d+$/.test(id)) long.push(c);
  }
  // Decimal ids without leading zeros: shorter is smaller, equal lengths compare as text. The value-keyed ones are in
  // order already; only the longer ones (text keys in the dataset's order) need sorting.
  const byValue = (a: number, b: number) => {
    const x = customerKeys[a]!;
    const y = customerKeys[b]!;
    return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
  };
  const ordered = numeric.concat(long.sort(byValue));
  let total = 0;
  for (const c of ordered) total += customerStart[c + 1]! - customerStart[c]!;
  const bounds: string[] = [];
  let seen = 0;
  let next = 1;
  for (const c of ordered) {
    seen += customerStart[c + 1]! - customerStart[c]!;
    while (next < buckets && seen * buckets >= next * total) {
      bounds.push(customerKeys[c]!);
      next++;
    }
  }
  while (bounds.length < buckets - 1) bounds.push(bounds[bounds.length - 1] ?? MIN_ID);
  bounds.push(MAX_ID);
  return bounds;
}

/** What one bucket job did. */
export interface SplitBucketResult {
  /** False when the run is gone or replaced (a late retry of a finished run): nothing was done. */
  ran: boolean;
  customers: number;
  changed: number;
  deleted: number;
  tierChanges: number;
  /** True when this job completed the run (stored the shop metrics and models). */
  finished: boolean;
}

/**
 * One bucket job of a split full run: scores the customers whose ids fall in the bucket's range with the run's models
 * (no refit), `FULL_RUN_CHUNK` customers per score and write as the bucket's orders stream in (load.ts
 * `customerParts`), so memory follows the chunk, not the shop. Stored insights of the range no longer computed become
 * tombstones, and the queue entries the run covers are dequeued with each chunk's write. A customer whose insight
 * another run wrote after the bucket's orders were read (an incremental run for a webhook that came meanwhile) keeps
 * that newer insight. Then marks the bucket done; the job that completes the set finishes the run
 * ({@link finishSplitRun}). Safe to repeat: a retried bucket writes only what still differs. `signal` (the job's): when
 * it aborts, the bucket throws `handed-back` before its next chunk.
 */
export async function runSplitBucket(deps: ComputeDeps, shop: string, runId: string, bucket: number, signal?: AbortSignal): Promise<SplitBucketResult> {
  const { db, clock } = deps;
  const result: SplitBucketResult = { ran: false, customers: 0, changed: 0, deleted: 0, tierChanges: 0, finished: false };
  const run = await splitRunInProgress(deps, shop);
  if (!run || run.runId !== runId || bucket >= run.upperBounds.length) return result;
  result.ran = true;
  const range: CustomerRange = { after: bucket === 0 ? MIN_ID : run.upperBounds[bucket - 1]!, upTo: run.upperBounds[bucket]! };
  const statistics = runStatisticsKeeper(db, shop, runId);
  // Read before the bucket's orders are: an insight written after this (an incremental run for a webhook that came
  // meanwhile) may count orders the read does not see, so it is kept.
  const { rows: seqRow } = await sql<{ s: number }>`SELECT insight_seq AS s FROM shops WHERE shop_id = ${shop}`.execute(db);
  const writtenUpTo = Number(seqRow[0]?.s ?? 0);
  // The summary's insight parts over the bucket's customers as this run computed them, merged by the run's last step.
  const tally = emptyInsightTally();
  for await (const part of customerParts(deps, shop, range, FULL_RUN_CHUNK, { serial: true })) {
    // The job was handed back (its process is stopping): end between chunks, each written whole, without marking the
    // bucket done; the retry redoes the bucket and writes only what still differs.
    if (signal?.aborted) throw new AppError('handed-back', `${shop}: bucket ${bucket} of full run ${runId} stopped before its next chunk`);
    await yieldToEventLoop();
    const chunk = part.range;
    const { rows: queued } = await sql<{ id: string; s: string }>`
      SELECT customer_id::text AS id, queued_seq::text AS s FROM recompute_queue WHERE shop_id = ${shop}
        AND customer_id > ${chunk.after}::bigint AND customer_id <= ${chunk.upTo}::bigint AND queued_seq <= ${run.queuedUpTo}
        AND ${ONE_CUSTOMER_ENTRIES}`.execute(db);
    const records = await screenedRecords(deps, shop, part.records, run.context.currency);
    const deleted = await deletedCustomers(db, shop, part.customerIds);
    await yieldToEventLoop();
    const drafts = scoreCustomers(records, deleted, run.models, run.context);
    tallyInsights(tally, drafts, topAtRiskLimit(deps));
    await yieldToEventLoop();
    // The chunk's range as the scope: its stored insights are read once, under the write's lock, and those of customers
    // no longer computed become tombstones. (A separate read of the range's live ids before the write cost 39 ms a
    // chunk on a next-day run, whose rewritten rows leave a dead version beside each live one.)
    const written = await writeInsights(db, shop, drafts, clock.now(), {
      scope: chunk,
      timeZone: run.context.timeZone,
      dequeue: { customerIds: queued.map((q) => q.id), queuedSeqs: queued.map((q) => Number(q.s)) },
      keepWrittenAfterSeq: writtenUpTo,
      pool: deps.pool ?? null,
    });
    if (written.writes.length > 0) deps.feed?.apply(shop, written.writes);
    await statistics.added(written.inserted);
    result.customers += drafts.length;
    result.changed += written.changed;
    result.deleted += written.deleted;
    result.tierChanges += written.tierChanges.length;
  }
  // Sets are kept sorted and unique, so a retried bucket counts once; its tally replaces the one of an earlier try.
  const { rows } = await sql<{ n: number }>`
    UPDATE split_full_runs SET done = ARRAY(SELECT DISTINCT d FROM unnest(array_append(done, ${bucket}::int)) AS d ORDER BY d),
      tallies = tallies || jsonb_build_object(${String(bucket)}::text, ${JSON.stringify(tally)}::jsonb)
    WHERE shop_id = ${shop} AND run_id = ${runId} RETURNING cardinality(done) AS n`.execute(db);
  if (rows.length > 0 && Number(rows[0]!.n) === run.upperBounds.length) {
    await finishSplitRun(deps, shop, run);
    result.finished = true;
  }
  return result;
}

/**
 * The statistics keeper of a split run's buckets: write.ts's rule (ANALYZE after the first
 * {@link STATISTICS_EVERY_ROWS} insights added, then each time the added rows have doubled), counted over the whole run
 * in its row (`written` and `analyzed_written` count the rows added), whichever bucket and process added them. Each
 * bucket keeping its own count analyzed four times a bucket of a 10,000,000-order shop (33 in a run, each about a
 * second of PostgreSQL's time sampling the growing table) to keep statistics that the other buckets' ANALYZEs had
 * already brought up to date.
 */
export function runStatisticsKeeper(db: Kysely<DB>, shop: string, runId: string, everyRows = STATISTICS_EVERY_ROWS): StatisticsKeeper {
  return {
    async added(rows) {
      if (rows <= 0) return;
      // In SET, `written` is the value before this update; in RETURNING, after it.
      const { rows: counted } = await sql<{ analyze: boolean }>`
        UPDATE split_full_runs SET written = written + ${rows},
          analyzed_written = CASE WHEN written + ${rows} >= greatest(${everyRows}::bigint, 2 * analyzed_written)
            THEN written + ${rows} ELSE analyzed_written END
        WHERE shop_id = ${shop} AND run_id = ${runId}
        RETURNING analyzed_written = written AS analyze`.execute(db);
      if (counted[0]?.analyze === true) await sql`ANALYZE customer_insights`.execute(db);
    },
  };
}

/**
 * The last step of a split full run, by the bucket job that completed it: refreshes the planner's statistics, reloads
 * the feed cache, stores the shop metrics the fit step computed with the run's models (the summary's insight parts
 * merged from the buckets' tallies), and removes the run. A crash before the removal leaves the run complete, and the
 * retried bucket job finishes it again.
 */
async function finishSplitRun(deps: ComputeDeps, shop: string, run: SplitRunState): Promise<void> {
  const { db, clock, log } = deps;
  const row = await db
    .selectFrom('split_full_runs')
    .select(['summary', 'report', 'tallies'])
    .where('shop_id', '=', shop)
    .where('run_id', '=', run.runId)
    .executeTakeFirst();
  if (!row) return;
  await sql`ANALYZE customer_insights`.execute(db);
  await deps.feed?.warm(shop);
  const metricsStarted = clock.now();
  await storeShopMetrics(deps, shop, {
    summary: JSON.parse(row.summary) as ShopSummaryFromOrders,
    report: JSON.parse(row.report) as unknown,
    nowMs: clock.now(),
    models: run.models,
    fittedModels: run.models,
    churnHorizonDays: run.models.churn.horizonDays,
    tally: mergeInsightTallies(Object.values(row.tallies) as InsightTally[], topAtRiskLimit(deps)),
  });
  deps.metricsDurations.set(shop, clock.now() - metricsStarted);
  // The whole-shop entry the run covered (the end of a backfill) goes only now that every bucket is done: a bucket's
  // chunk covers its own customers, and removing it there would leave the rest to a run that might never finish.
  await dequeueWholeShop(db, shop, run.queuedUpTo);
  await db.deleteFrom('split_full_runs').where('shop_id', '=', shop).where('run_id', '=', run.runId).execute();
  log.info('recomputed', { shop, mode: 'full', split: true, reason: run.reason, buckets: run.upperBounds.length, ms: clock.now() - run.startedAtMs });
}

import type { ComputeDeps } from './deps.ts';
import { fullRun } from './full-run.ts';
import { INCREMENTAL_BATCH, incrementalRun } from './incremental-run.ts';
import { asOfFor, churnHorizonOf, type ShopModels } from './insights.ts';
import { queueState } from './reads.ts';
import { FullRunReason, type RecomputeResult } from './recompute-result.ts';
import { refreshShopMetrics } from './shop-metrics.ts';
import { historyStored, loadShopInfo, loadStoredModels, type ShopInfo } from './shop-state.ts';
import { runSplitBucket, runSplitFit, shouldSplit, splitRunInProgress, type SplitBucketResult, type SplitFitResult } from './split-run.ts';

export type { ComputeOptions, ShopModels } from './insights.ts';
export { FullRunReason, type RecomputeResult } from './recompute-result.ts';
export type { SplitBucketResult, SplitFitResult } from './split-run.ts';
export type { SplitRunOptions } from './deps.ts';

/** Recomputes and stores per-customer insights and shop metrics. */
export interface ComputeService {
  /**
   * Brings the shop's insights up to date. Normally incremental: only the customers in `recompute_queue` are
   * rescored, from their own orders, with the models and RFM cut points of the last full run. A full run (models
   * refit on all orders, every customer rescored, shop metrics recomputed) happens when the shop has no models yet,
   * when a new day began in the shop's time zone (the refit schedule: daily, as "days since" moves for everyone; the
   * queued customers are rescored first, so their changes do not wait for it),
   * when the queue holds more than a quarter of the customers or the whole shop (the end of a backfill queues it as
   * one entry, `EVERY_CUSTOMER` in ingest/store.ts), or when `full` is asked. A shop without models whose
   * first backfill has not finished is skipped (`mode: 'skipped'`): its queued customers wait for the whole-shop run
   * the end of the backfill asks for. Writes only the insights that
   * changed. `metrics: 'now'` (default) also refreshes the shop metrics after an incremental run; `'skip'` leaves that
   * to {@link refreshShopMetrics} (the app's throttled job).
   */
  recomputeShop(shop: string, options?: { full?: boolean; metrics?: 'now' | 'skip' }): Promise<RecomputeResult>;
  /**
   * Recomputes the shop metrics (summary and dashboard report) from all stored orders, and the parts of the summary
   * that come from the insights (top at-risk customers, average predicted CLV). Keeps the stored models.
   * @returns false when the shop has no computed state yet (the first full run writes it).
   */
  refreshShopMetrics(shop: string): Promise<boolean>;
  /** How long the last metrics refresh of the shop took in this process, ms (null before the first). */
  lastMetricsDurationMs(shop: string): number | null;
  /** The fit step of a large shop's split full run (the `full-run` job; see split-run.ts `runSplitFit`). */
  runSplitFit(shop: string, reason: FullRunReason): Promise<SplitFitResult | null>;
  /** One bucket job of a split full run (the `full-run-bucket` job; see split-run.ts `runSplitBucket`). */
  runSplitBucket(shop: string, runId: string, bucket: number, signal?: AbortSignal): Promise<SplitBucketResult>;
}

/**
 * The compute service over an explicit {@link ComputeDeps}: each step is a function of its own (`shop-state.ts`,
 * `reads.ts`, `full-run.ts`, `incremental-run.ts`, `shop-metrics.ts`); this only chooses between them.
 */
export function createComputeService(deps: Omit<ComputeDeps, 'options' | 'metricsDurations'> & { options?: ComputeDeps['options'] }): ComputeService {
  const context: ComputeDeps = { ...deps, options: deps.options ?? {}, metricsDurations: new Map() };
  // Checked once here, so a bad horizon in the app's options fails at start (RangeError), not in the first job.
  churnHorizonOf(context.options);
  const maxFitted = context.options.fitSampleCustomers;
  if (maxFitted !== undefined && !(Number.isInteger(maxFitted) && maxFitted >= 1)) {
    throw new RangeError(`fitSampleCustomers must be a whole number of customers, at least 1, got ${maxFitted}.`);
  }
  return {
    refreshShopMetrics: (shop) => refreshShopMetrics(context, shop),
    lastMetricsDurationMs: (shop) => context.metricsDurations.get(shop) ?? null,
    recomputeShop: (shop, runOptions) => recomputeShop(context, shop, runOptions),
    runSplitFit: (shop, reason) => runSplitFit(context, shop, reason),
    runSplitBucket: (shop, runId, bucket, signal) => runSplitBucket(context, shop, runId, bucket, signal),
  };
}

/**
 * Whether `queued` customers waiting are better served by a full run than by incremental ones: more than a quarter of
 * the shop's customers (all of them, also when the churn fit saw a sample), and more than one incremental batch.
 */
export function queueCallsForFullRun(queued: number, models: Pick<ShopModels, 'churn' | 'fitSample'>): boolean {
  return queued > Math.max(INCREMENTAL_BATCH, (models.fitSample?.ofCustomers ?? models.churn.customerCount) / 4);
}

/** {@link ComputeService.recomputeShop}: picks the run (see there) and runs it. */
export async function recomputeShop(deps: ComputeDeps, shop: string, runOptions: { full?: boolean; metrics?: 'now' | 'skip' } = {}): Promise<RecomputeResult> {
  const info = await loadShopInfo(deps, shop);
  if (!info) return { mode: 'skipped', reason: null, customers: 0, changed: 0, deleted: 0, remaining: 0, tierChanges: 0 };
  const split = deps.split ? await splitRunInProgress(deps, shop) : null;
  if (split) {
    // A split full run is under way: the queued customers are scored with its models as of its day (what their bucket
    // gives them), and no second full run starts.
    const incremental = await incrementalRun(deps, shop, info, split.models, split.context.asOfMs);
    return { mode: 'incremental', reason: null, ...incremental };
  }
  if (runOptions.full) return fullOrSplitRun(deps, shop, info, FullRunReason.requested);
  const models = await loadStoredModels(deps, shop, churnHorizonOf(info.options));
  if (!models) {
    // The shop's first backfill has not finished (waiting for its job, running, or retrying after an error; webhooks
    // queue their customers meanwhile): a full run now would fit the models on part of the orders, show customers whose
    // older orders are not stored yet as new, with the dashboard's figures from a few days of orders, and be redone
    // when the backfill ends, which queues every customer and asks for the whole-shop run. With 1,000 shops
    // installing, these runs also took the workers meant for live shops' changes. The queued customers wait for it.
    if (!(await historyStored(deps.db, shop))) return { mode: 'skipped', reason: null, customers: 0, changed: 0, deleted: 0, remaining: 0, tierChanges: 0 };
    return fullOrSplitRun(deps, shop, info, FullRunReason.noModels);
  }
  const asOfMs = asOfFor(deps.clock.now(), info.timeZone);
  const queued = await queueState(deps.db, shop);
  if (queued.wholeShop || queueCallsForFullRun(queued.customers, models)) return fullOrSplitRun(deps, shop, info, FullRunReason.largeQueue);
  // On a new local day the queued customers are still rescored first, as of today with yesterday's models, so
  // their changes show at once; the full run that follows (refit, everyone) can take a minute on a large shop.
  const incremental = await incrementalRun(deps, shop, info, models, asOfMs);
  if (models.asOfMs !== asOfMs) {
    const full = await fullOrSplitRun(deps, shop, info, FullRunReason.newDay);
    return { ...full, tierChanges: full.tierChanges + incremental.tierChanges };
  }
  if (runOptions.metrics !== 'skip') await refreshShopMetrics(deps, shop);
  return { mode: 'incremental', reason: null, ...incremental };
}

/**
 * A full run in this job, or for a shop of at least `split.minOrders` orders, the fit step of a split full run queued
 * (its bucket jobs then score the customers in any process; see split-run.ts).
 */
async function fullOrSplitRun(deps: ComputeDeps, shop: string, info: ShopInfo, reason: FullRunReason): Promise<RecomputeResult> {
  if (!deps.split || !(await shouldSplit(deps, shop))) return fullRun(deps, shop, info, reason);
  await deps.split.sendFit(shop, reason);
  return { mode: 'split', reason, customers: 0, changed: 0, deleted: 0, remaining: 0, tierChanges: 0 };
}

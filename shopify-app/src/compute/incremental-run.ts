import type { ComputeDeps } from './deps.ts';
import { scoreCustomers, type ComputeContext, type ShopModels } from './insights.ts';
import { loadOrderRecords } from './load.ts';
import { deletedCustomers, readQueue } from './reads.ts';
import type { ShopInfo } from './shop-state.ts';
import { screenedRecords } from './shop-state.ts';
import { analyzeAfterLargeWrite, writeInsights } from './write.ts';

/** Queue entries read per incremental batch: one batch is one load, one scoring and one write transaction. */
export const INCREMENTAL_BATCH = 20_000;
/** Batches per incremental call before it returns with `remaining` (so one shop cannot hold a worker forever). */
const MAX_BATCHES = 10;
/**
 * Batches short of {@link INCREMENTAL_BATCH} a run takes with `spacedRuns`: the queue as the run found it, then once
 * what arrived meanwhile. A change that came while the run scored then shows with it, not a run later: in the pg-shops
 * bench (1,000 shops installing, a few changes a shop) leaving it to the next run gave 8,570 incremental runs and
 * 3,248 shop-metrics refreshes against 6,475 and 2,252 (one run each, the second 20% longer).
 */
const SPACED_PARTIAL_BATCHES = 2;

/** What one {@link incrementalRun} did. */
export interface IncrementalRunResult {
  customers: number;
  changed: number;
  deleted: number;
  remaining: number;
  tierChanges: number;
}

/**
 * Rescores the queued customers only, from their own orders, with the stored models and RFM cut points, in batches of
 * {@link INCREMENTAL_BATCH}; each batch's writes dequeue its entries in the same transaction. With `spacedRuns`
 * (PostgreSQL) a run stops after {@link SPACED_PARTIAL_BATCHES} batches that were not full (a full one is a backlog):
 * customers queued after that are left to the next run, which the webhooks that queued them asked for, a second later.
 * Reading the queue again until it was empty made a busy shop's run there a loop of small batches (one every 0.2-0.3 s
 * under webhook load), which no spacing of its jobs could space out. Without it (one process) the run reads the queue
 * until it is empty.
 * @param asOfMs the end of the shop's current local day (may be after the models' day: see `recomputeShop`).
 */
export async function incrementalRun(deps: ComputeDeps, shop: string, info: ShopInfo, models: ShopModels, asOfMs: number): Promise<IncrementalRunResult> {
  const { db, clock, log } = deps;
  const started = clock.now();
  const context: ComputeContext = { currency: info.currency ?? 'USD', timeZone: info.timeZone, asOfMs, options: info.options };
  let customers = 0;
  let changed = 0;
  let deleted = 0;
  let remaining = 0;
  let tierChanges = 0;
  let partialBatches = 0;
  for (let batch = 0; ; batch++) {
    const queued = await readQueue(db, shop, INCREMENTAL_BATCH);
    if (queued.customerIds.length === 0) break;
    if (batch === MAX_BATCHES) {
      remaining = queued.customerIds.length;
      break;
    }
    const loaded = await loadOrderRecords(db, shop, { customerIds: queued.customerIds });
    if (info.currency === null && loaded[0]) context.currency = loaded[0].currency;
    const records = await screenedRecords(deps, shop, loaded, context.currency);
    const gone = await deletedCustomers(db, shop, queued.customerIds);
    const drafts = scoreCustomers(records, gone, models, context);
    const nowMs = clock.now();
    const written = await writeInsights(db, shop, drafts, nowMs, { scope: queued.customerIds, timeZone: info.timeZone, dequeue: queued });
    if (written.writes.length > 0) deps.feed?.apply(shop, written.writes);
    customers += queued.customerIds.length;
    changed += written.changed;
    deleted += written.deleted;
    tierChanges += written.tierChanges.length;
    if (deps.spacedRuns === true && queued.customerIds.length < INCREMENTAL_BATCH && ++partialBatches === SPACED_PARTIAL_BATCHES) break;
  }
  if (changed + deleted >= 10_000) await analyzeAfterLargeWrite(db, changed + deleted, changed + deleted);
  if (customers > 0) log.info('recomputed', { shop, mode: 'incremental', customers, changed, deleted, remaining, tierChanges, ms: clock.now() - started });
  return { customers, changed, deleted, remaining, tierChanges };
}

import { dequeueEntries } from '../ingest/store.ts';
import type { ComputeDeps } from './deps.ts';
import { PAGE_ROWS } from './deps.ts';
import { asOfFor, customerChunks, scoreCustomers, yieldToEventLoop, type ComputeContext } from './insights.ts';
import { loadOrderRecords } from './load.ts';
import { fitAndMeasure, prepareRecordsInParts } from './prepared-shop.ts';
import { deletedCustomers, liveInsightIds, readWholeQueue } from './reads.ts';
import type { FullRunReason, RecomputeResult } from './recompute-result.ts';
import { emptyInsightTally, storeShopMetrics, tallyInsights, topAtRiskLimit } from './shop-metrics.ts';
import { screenedRecords, type ShopInfo } from './shop-state.ts';
import { analyzeAfterLargeWrite, createStatisticsKeeper, writeInsights, type InsightDraft } from './write.ts';

/**
 * Customers per write transaction of a full run. A transaction holds the embedded database's only connection, and its
 * queries settle as microtasks, so one chunk's write holds the thread: 0.2-0.5 s at 1,000,000 orders on a shared
 * 2-core machine. 2,500 held it about as long (load average 4-5) and made the full run 10% slower, so 5,000 stays.
 */
export const FULL_RUN_CHUNK = 5_000;

/**
 * A full run: the models refit on all orders, every customer rescored (insights no longer computed become tombstones),
 * the whole queue read at the start dequeued, the feed cache reloaded and the shop metrics recomputed and stored with
 * the models.
 */
export async function fullRun(deps: ComputeDeps, shop: string, shopInfo: ShopInfo, reason: FullRunReason): Promise<RecomputeResult> {
  const { db, clock, log } = deps;
  const started = clock.now();
  const queued = await readWholeQueue(db, shop);
  const records = await screenedRecords(deps, shop, await loadOrderRecords(db, shop), shopInfo.currency);
  await yieldToEventLoop();
  const deleted = await deletedCustomers(db, shop, null);
  const nowMs = clock.now();
  const context: ComputeContext = {
    currency: shopInfo.currency ?? records[0]?.currency ?? 'USD',
    timeZone: shopInfo.timeZone,
    asOfMs: asOfFor(nowMs, shopInfo.timeZone),
    options: shopInfo.options,
  };
  // Whole customers a chunk at a time, the event loop free in between: scoring a customer needs only their own
  // orders and the shop's models, and one pass over a 1,000,000-order shop held the thread for seconds.
  const chunks = await customerChunks(records, FULL_RUN_CHUNK);
  await yieldToEventLoop();
  // The models and the shop metrics from the orders prepared once, on worker threads; the metrics come while the
  // insights are written.
  const metricsStarted = clock.now();
  const running = await fitAndMeasure(await prepareRecordsInParts(records, context), context);
  const models = await running.models;
  // Each chunk's writes are their own short transaction: on the embedded database a transaction holds the only
  // connection, and one over every customer of a large shop would keep webhooks waiting past Shopify's 5 s.
  const written = { changed: 0, deleted: 0, tierChanges: 0 };
  const statistics = createStatisticsKeeper(db);
  // The summary's insight parts, folded as the insights are written instead of read back from the table at the end.
  const tally = emptyInsightTally();
  const write = async (chunk: readonly InsightDraft[], scope: readonly string[]) => {
    tallyInsights(tally, chunk, topAtRiskLimit(deps));
    const result = await writeInsights(db, shop, chunk, nowMs, { scope, timeZone: shopInfo.timeZone, pool: deps.pool ?? null });
    if (result.writes.length > 0) deps.feed?.apply(shop, result.writes);
    await statistics.added(result.inserted);
    written.changed += result.changed;
    written.deleted += result.deleted;
    written.tierChanges += result.tierChanges.length;
  };
  const storedIds = await liveInsightIds(db, shop);
  const computed = new Set<string>();
  for (const chunk of chunks) {
    // PGlite runs a query inside the awaited call and settles it as a microtask, so a loop of scoring and writes
    // never reached the event loop on its own: 200,000 orders held webhooks for 1.3-2.8 s. Yield between the steps.
    await yieldToEventLoop();
    const drafts = scoreCustomers(chunk, deleted, models, context);
    for (const d of drafts) computed.add(d.customerId);
    await yieldToEventLoop();
    await write(
      drafts,
      drafts.map((d) => d.customerId),
    );
  }
  const gone = storedIds.filter((id) => !computed.has(id));
  for (let from = 0; from < gone.length; from += FULL_RUN_CHUNK) {
    await yieldToEventLoop();
    await write([], gone.slice(from, from + FULL_RUN_CHUNK));
  }
  for (let from = 0; from < queued.customerIds.length; from += PAGE_ROWS) {
    await yieldToEventLoop();
    const to = from + PAGE_ROWS;
    await dequeueEntries(db, shop, { customerIds: queued.customerIds.slice(from, to), queuedSeqs: queued.queuedSeqs.slice(from, to) });
  }
  await yieldToEventLoop();
  await analyzeAfterLargeWrite(db, written.changed + written.deleted, storedIds.length);
  await yieldToEventLoop();
  await deps.feed?.warm(shop);
  await yieldToEventLoop();
  const { summary, report } = await running.metrics;
  await storeShopMetrics(deps, shop, { summary, report, nowMs, models, fittedModels: models, churnHorizonDays: models.churn.horizonDays, tally });
  deps.metricsDurations.set(shop, clock.now() - metricsStarted);
  log.info('recomputed', {
    shop,
    mode: 'full',
    reason,
    orders: records.length,
    customers: computed.size,
    changed: written.changed,
    deleted: written.deleted,
    tierChanges: written.tierChanges,
    method: models.churn.method,
    ms: clock.now() - started,
  });
  return {
    mode: 'full',
    reason,
    customers: computed.size,
    changed: written.changed,
    deleted: written.deleted,
    remaining: 0,
    tierChanges: written.tierChanges,
  };
}

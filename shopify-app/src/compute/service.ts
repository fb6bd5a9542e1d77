import type { ChurnModels, OrderRecord, ShopSummaryV1 } from '@clvlens/core';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock, Logger } from '../log.ts';
import type { FeedEntry } from '../api/feed-cache.ts';
import {
  asOfFor,
  churnBacktestSummary,
  churnHorizonOf,
  customerChunks,
  fitShopModels,
  yieldToEventLoop,
  scoreCustomers,
  type ComputeContext,
  type ComputeOptions,
  type ShopModels,
  type ShopSummaryFromOrders,
} from './insights.ts';
import { loadOrderRecords } from './load.ts';
import { computeShopMetricsOffThread } from './metrics-off-thread.ts';
import { screenOrderRecords } from './screen.ts';
import { quarantineRecord } from '../ingest/validate.ts';
import { readVipSlippingSummary } from '../actions/tier-changes/vip-slipping.ts';
import { dequeueEntries, type DequeuedEntries } from '../ingest/store.ts';
import { analyzeAfterLargeWrite, writeInsights, type InsightDraft } from './write.ts';

export type { ComputeOptions, ShopModels } from './insights.ts';

/** Why a run rescored the whole shop instead of only the queued customers. */
export const FullRunReason = {
  /** No stored models yet (first run after the backfill, models of an older format, or of another churn horizon). */
  noModels: 'no-models',
  /** A new day in the shop's time zone: every "days since" moved, and the models are refit (the schedule). */
  newDay: 'new-day',
  /** More customers queued than an incremental run is worth (e.g. after a backfill or a redelivery storm). */
  largeQueue: 'large-queue',
  requested: 'requested',
} as const;
export type FullRunReason = (typeof FullRunReason)[keyof typeof FullRunReason];

/** What one {@link ComputeService.recomputeShop} call did. */
export interface RecomputeResult {
  mode: 'full' | 'incremental' | 'skipped';
  /** Set for a full run. */
  reason: FullRunReason | null;
  /** Customers scored (a full run: every customer with an insight or an order). */
  customers: number;
  /** Insights whose content changed (each took a new change sequence). */
  changed: number;
  /** Insights that became tombstones. */
  deleted: number;
  /** Customers still queued when an incremental run stopped at its batch limit (another run should follow). */
  remaining: number;
  /** Customers whose churn tier moved (recorded in `customer_tier_changes`, pending for Shopify Flow). */
  tierChanges: number;
}

/** Recomputes and stores per-customer insights and shop metrics. */
export interface ComputeService {
  /**
   * Brings the shop's insights up to date. Normally incremental: only the customers in `recompute_queue` are
   * rescored, from their own orders, with the models and RFM cut points of the last full run. A full run (models
   * refit on all orders, every customer rescored, shop metrics recomputed) happens when the shop has no models yet,
   * when a new day began in the shop's time zone (the refit schedule: daily, as "days since" moves for everyone; the
   * queued customers are rescored first, so their changes do not wait for it),
   * when the queue holds more than a quarter of the customers, or when `full` is asked. Writes only the insights that
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
}

/** Queue entries read per incremental batch: one batch is one load, one scoring and one write transaction. */
const INCREMENTAL_BATCH = 20_000;
/**
 * Customers per write transaction of a full run. A transaction holds the embedded database's only connection, and its
 * queries settle as microtasks, so one chunk's write holds the thread: 0.2-0.5 s at 1,000,000 orders on a shared
 * 2-core machine. 2,500 held it about as long (load average 4-5) and made the full run 10% slower, so 5,000 stays.
 */
const FULL_RUN_CHUNK = 5_000;
/**
 * Rows per query when a whole shop's insights or queue are read or dequeued (the summary's insight aggregates, a
 * full run's live ids and queue), with the event loop free between queries.
 */
const PAGE_ROWS = 20_000;
/** Batches per incremental call before it returns with `remaining` (so one shop cannot hold a worker forever). */
const MAX_BATCHES = 10;

export function createComputeService(deps: {
  db: Kysely<DB>;
  clock: Clock;
  log: Logger;
  options?: ComputeOptions;
  /**
   * The embedded feed cache: told about every committed insight write, with the rows written, and asked to load a
   * shop after a full run (the first full run follows the backfill, just before the extension's first sync).
   */
  feed?: { apply(shop: string, writes: readonly FeedEntry[]): void; warm(shop: string): Promise<void> };
  /** The shop's own churn horizon (its setting); without it every shop uses `options.churnHorizonDays`. */
  settings?: { churnHorizonDays(shop: string): Promise<number> };
}): ComputeService {
  const { db, clock, log } = deps;
  const options = deps.options ?? {};
  const defaultHorizonDays = churnHorizonOf(options);
  const metricsDurations = new Map<string, number>();

  const shopContext = async (shop: string) => {
    const row = await db.selectFrom('shops').select(['currency', 'iana_timezone', 'status']).where('shop_id', '=', shop).executeTakeFirst();
    if (!row || row.status !== 'active') return null;
    const timeZone = row.iana_timezone ?? 'UTC';
    const churnHorizonDays = deps.settings ? await deps.settings.churnHorizonDays(shop) : defaultHorizonDays;
    // The compute options of this shop: the app's, with the shop's own churn horizon.
    const shopOptions: ComputeOptions = { ...options, churnHorizonDays };
    return { currency: row.currency ?? null, timeZone, options: shopOptions };
  };
  type ShopInfo = NonNullable<Awaited<ReturnType<typeof shopContext>>>;

  /** Drops the orders core cannot count ({@link screenOrderRecords}) and reports them: quarantined for the merchant, logged. */
  const screened = async (shop: string, records: OrderRecord[], currency: string | null): Promise<OrderRecord[]> => {
    const { kept, rejected } = screenOrderRecords(records, currency);
    if (rejected.length === 0) return records;
    for (const r of rejected) await quarantineRecord(db, shop, 'order', r.orderId, r.reason, clock.now());
    log.warn('orders skipped by the recompute', { shop, orders: rejected.length, first: rejected[0]!.reason });
    return kept;
  };

  const readQueue = async (shop: string, limit: number): Promise<DequeuedEntries> => {
    const { rows } = await sql<{ customer_id: string; queued_seq: number }>`
      SELECT customer_id::text AS customer_id, queued_seq FROM recompute_queue WHERE shop_id = ${shop}
      ORDER BY queued_seq LIMIT ${limit}`.execute(db);
    return { customerIds: rows.map((r) => r.customer_id), queuedSeqs: rows.map((r) => Number(r.queued_seq)) };
  };

  /**
   * The shop's whole queue (after a backfill: every customer), in pages of {@link PAGE_ROWS} with the event loop free
   * in between, in the order of {@link readQueue}.
   */
  const readWholeQueue = async (shop: string): Promise<DequeuedEntries> => {
    const all: DequeuedEntries = { customerIds: [], queuedSeqs: [] };
    for (;;) {
      const after = all.queuedSeqs.length === 0 ? null : all.queuedSeqs[all.queuedSeqs.length - 1]!;
      const { rows } = await sql<{ customer_id: string; queued_seq: number }>`
        SELECT customer_id::text AS customer_id, queued_seq FROM recompute_queue WHERE shop_id = ${shop}
          ${after === null ? sql`` : sql`AND queued_seq > ${after}`}
        ORDER BY queued_seq LIMIT ${PAGE_ROWS}`.execute(db);
      for (const r of rows) {
        all.customerIds.push(r.customer_id);
        all.queuedSeqs.push(Number(r.queued_seq));
      }
      if (rows.length < PAGE_ROWS) return all;
      await yieldToEventLoop();
    }
  };

  const deletedCustomers = async (shop: string, ids: readonly string[] | null): Promise<Set<string>> => {
    let query = db
      .selectFrom('customers')
      .select(sql<string>`customer_id::text`.as('customer_id'))
      .where('shop_id', '=', shop)
      .where('deleted', '=', true);
    if (ids) query = query.where('customer_id', 'in', ids.length > 0 ? [...ids] : ['-1']);
    return new Set((await query.execute()).map((r) => r.customer_id));
  };

  const storedModels = async (shop: string, churnHorizonDays: number): Promise<ShopModels | null> => {
    const row = await db.selectFrom('shop_metrics').select('models').where('shop_id', '=', shop).executeTakeFirst();
    if (!row?.models) return null;
    const parsed = JSON.parse(row.models) as Partial<ShopModels>;
    // Rows written before incremental recompute hold the churn fit only: treat as no models (one full run fixes it).
    if (!parsed.churn || !parsed.rfmCutPoints || typeof parsed.asOfMs !== 'number') return null;
    // Churn models from before the backtested probability (issue 11) have no horizon or prediction, and core's
    // scoreChurnRisk rejects them as "from an older version"; models of another horizon answer another question.
    // Either way one full run refits them.
    const churn = parsed.churn as Partial<ChurnModels>;
    if (churn.horizonDays !== churnHorizonDays || churn.prediction === undefined) return null;
    return parsed as ShopModels;
  };

  /**
   * The summary's insight-derived parts: top customers by expected loss (historic CLV x churn probability), average
   * predicted CLV. Read in pages of {@link PAGE_ROWS} customers, the event loop free in between: on the embedded
   * database the top at-risk query over a 200,000-customer shop's insights held webhooks 0.7-0.8 s (each page's top
   * customers are merged in the order the query sorts by, so the result is the single query's).
   */
  const insightAggregates = async (shop: string): Promise<Pick<ShopSummaryV1, 'topAtRisk' | 'averagePredictedClvMinor'>> => {
    const limit = options.topAtRisk ?? 10;
    let n = 0;
    let total = 0;
    let candidates: { customer_id: string; payload: string; score: number }[] = [];
    let after: string | null = null;
    for (;;) {
      await yieldToEventLoop();
      const page: RawBuilder<unknown> = sql`SELECT * FROM customer_insights WHERE shop_id = ${shop} AND NOT deleted
        ${after === null ? sql`` : sql`AND customer_id > ${after}::bigint`} ORDER BY customer_id LIMIT ${PAGE_ROWS}`;
      const avg = await sql<{ n: string | number; total: string | number | null; rows: number; last: string | null }>`
        SELECT count(predicted_clv_minor) AS n, sum(predicted_clv_minor) AS total, count(*)::int AS rows, max(customer_id)::text AS last
        FROM (${page}) p`.execute(db);
      const { rows, last }: { rows: number; last: string | null } = avg.rows[0]!;
      n += Number(avg.rows[0]!.n);
      total += Number(avg.rows[0]!.total ?? 0);
      await yieldToEventLoop();
      // "At risk" means the medium and high tiers, without new customers (one order, within the shop's usual gap): a
      // valuable low-risk customer who just ordered is not one to win back. The payload is our own JSON.stringify
      // output, so the members are spelled exactly so.
      const top = await sql<{ customer_id: string; payload: string; score: number }>`
        SELECT customer_id::text AS customer_id, payload, historic_clv_minor * churn_probability AS score FROM (${page}) p
        WHERE payload IS NOT NULL AND payload NOT LIKE '%"newCustomer":true%' AND payload NOT LIKE '%"churnTier":"low"%'
        ORDER BY historic_clv_minor * churn_probability DESC, p.customer_id LIMIT ${limit}`.execute(db);
      candidates = [...candidates, ...top.rows]
        .sort((a, b) => Number(b.score) - Number(a.score) || (BigInt(a.customer_id) < BigInt(b.customer_id) ? -1 : 1))
        .slice(0, limit);
      if (Number(rows) < PAGE_ROWS || last === null) break;
      after = last;
    }
    return {
      averagePredictedClvMinor: n === 0 ? null : Math.round(total / n),
      topAtRisk: candidates.map((row) => {
        const insight = JSON.parse(row.payload) as {
          historicClvMinor: number;
          churnProbability: number;
          churnTier: ShopSummaryV1['topAtRisk'][number]['churnTier'];
          daysSinceLastOrder: number;
        };
        return {
          customerId: row.customer_id,
          historicClvMinor: insight.historicClvMinor,
          churnProbability: insight.churnProbability,
          churnTier: insight.churnTier,
          daysSinceLastOrder: insight.daysSinceLastOrder,
        };
      }),
    };
  };

  /** The ids of the shop's live (not deleted) insights, by id, read in pages with the event loop free in between. */
  const liveInsightIds = async (shop: string): Promise<string[]> => {
    const ids: string[] = [];
    for (;;) {
      let query = db
        .selectFrom('customer_insights')
        .select(sql<string>`customer_id::text`.as('customer_id'))
        .where('shop_id', '=', shop)
        .where('deleted', '=', false);
      if (ids.length > 0) query = query.where('customer_id', '>', ids[ids.length - 1]!);
      const rows = await query.orderBy('customer_insights.customer_id').limit(PAGE_ROWS).execute();
      for (const row of rows) ids.push(row.customer_id);
      if (rows.length < PAGE_ROWS) return ids;
      await yieldToEventLoop();
    }
  };

  const storeMetrics = async (
    shop: string,
    summary: ShopSummaryFromOrders,
    report: unknown,
    nowMs: number,
    models: ShopModels | null,
    churnModels: ChurnModels | null,
    churnHorizonDays: number,
  ): Promise<void> => {
    const aggregates = await insightAggregates(shop);
    await yieldToEventLoop();
    const churn = {
      churnHorizonDays: churnModels?.horizonDays ?? churnHorizonDays,
      churnBacktest: churnModels === null ? null : churnBacktestSummary(churnModels, options.tiers),
    };
    const vipSlipping = await readVipSlippingSummary(db, shop, nowMs);
    const payload: Omit<ShopSummaryV1, 'sync'> = { ...summary, ...churn, ...aggregates, vipSlipping, shopDomain: shop };
    const row = {
      as_of: new Date(summary.asOfMs),
      payload: JSON.stringify(payload),
      report: JSON.stringify(report),
      computed_at: new Date(nowMs),
      ...(models ? { models: JSON.stringify(models), fitted_at: new Date(nowMs) } : {}),
    };
    await yieldToEventLoop();
    await db
      .insertInto('shop_metrics')
      .values({ shop_id: shop, ...row })
      .onConflict((oc) => oc.column('shop_id').doUpdateSet(row))
      .execute();
  };

  const fullRun = async (shop: string, shopInfo: ShopInfo, reason: FullRunReason): Promise<RecomputeResult> => {
    const started = clock.now();
    const queued = await readWholeQueue(shop);
    const records = await screened(shop, await loadOrderRecords(db, shop), shopInfo.currency);
    await yieldToEventLoop();
    const deleted = await deletedCustomers(shop, null);
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
    const models = await fitShopModels(records, chunks, context);
    // Each chunk's writes are their own short transaction: on the embedded database a transaction holds the only
    // connection, and one over every customer of a large shop would keep webhooks waiting past Shopify's 5 s.
    const written = { changed: 0, deleted: 0, tierChanges: 0 };
    const write = async (chunk: readonly InsightDraft[], scope: readonly string[]) => {
      const result = await writeInsights(db, shop, chunk, nowMs, { scope });
      if (result.writes.length > 0) deps.feed?.apply(shop, result.writes);
      written.changed += result.changed;
      written.deleted += result.deleted;
      written.tierChanges += result.tierChanges.length;
    };
    const storedIds = await liveInsightIds(shop);
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
    const metricsStarted = clock.now();
    await yieldToEventLoop();
    // On a worker thread for a large shop: in one piece it held webhooks about 1 s at 1,000,000 orders.
    const { summary, report } = await computeShopMetricsOffThread(records, context);
    await storeMetrics(shop, summary, report, nowMs, models, models.churn, models.churn.horizonDays);
    metricsDurations.set(shop, clock.now() - metricsStarted);
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
  };

  const refreshShopMetrics = async (shop: string): Promise<boolean> => {
    const info = await shopContext(shop);
    if (!info) return false;
    const current = await db.selectFrom('shop_metrics').select('as_of').where('shop_id', '=', shop).executeTakeFirst();
    if (!current) return false;
    const started = clock.now();
    const records = await screened(shop, await loadOrderRecords(db, shop), info.currency);
    // The summary stays "as of" the models' day: a new day is the full run's (it rescored everyone to that day).
    const asOfMs = current.as_of.getTime();
    const { summary, report } = await computeShopMetricsOffThread(records, {
      currency: info.currency ?? records[0]?.currency ?? 'USD',
      timeZone: info.timeZone,
      asOfMs,
      options: info.options,
    });
    const horizon = churnHorizonOf(info.options);
    await storeMetrics(shop, summary, report, clock.now(), null, (await storedModels(shop, horizon))?.churn ?? null, horizon);
    metricsDurations.set(shop, clock.now() - started);
    log.info('shop metrics refreshed', { shop, orders: records.length, ms: clock.now() - started });
    return true;
  };

  return {
    refreshShopMetrics,
    lastMetricsDurationMs: (shop) => metricsDurations.get(shop) ?? null,
    async recomputeShop(shop, runOptions = {}) {
      const info = await shopContext(shop);
      if (!info) return { mode: 'skipped', reason: null, customers: 0, changed: 0, deleted: 0, remaining: 0, tierChanges: 0 };
      if (runOptions.full) return fullRun(shop, info, FullRunReason.requested);
      const models = await storedModels(shop, churnHorizonOf(info.options));
      if (!models) return fullRun(shop, info, FullRunReason.noModels);
      const asOfMs = asOfFor(clock.now(), info.timeZone);
      const { rows } = await sql<{ n: string | number }>`SELECT count(*) AS n FROM recompute_queue WHERE shop_id = ${shop}`.execute(db);
      if (Number(rows[0]?.n ?? 0) > Math.max(INCREMENTAL_BATCH, models.churn.customerCount / 4)) return fullRun(shop, info, FullRunReason.largeQueue);

      const started = clock.now();
      // On a new local day the queued customers are still rescored first, as of today with yesterday's models, so
      // their changes show at once; the full run that follows (refit, everyone) can take a minute on a large shop.
      const context: ComputeContext = { currency: info.currency ?? 'USD', timeZone: info.timeZone, asOfMs, options: info.options };
      let customers = 0;
      let changed = 0;
      let deleted = 0;
      let remaining = 0;
      let tierChanges = 0;
      for (let batch = 0; ; batch++) {
        const queued = await readQueue(shop, INCREMENTAL_BATCH);
        if (queued.customerIds.length === 0) break;
        if (batch === MAX_BATCHES) {
          remaining = queued.customerIds.length;
          break;
        }
        const loaded = await loadOrderRecords(db, shop, { customerIds: queued.customerIds });
        if (info.currency === null && loaded[0]) context.currency = loaded[0].currency;
        const records = await screened(shop, loaded, context.currency);
        const gone = await deletedCustomers(shop, queued.customerIds);
        const drafts = scoreCustomers(records, gone, models, context);
        const nowMs = clock.now();
        const written = await writeInsights(db, shop, drafts, nowMs, { scope: queued.customerIds, dequeue: queued });
        if (written.writes.length > 0) deps.feed?.apply(shop, written.writes);
        customers += queued.customerIds.length;
        changed += written.changed;
        deleted += written.deleted;
        tierChanges += written.tierChanges.length;
      }
      if (changed + deleted >= 10_000) await analyzeAfterLargeWrite(db, changed + deleted, changed + deleted);
      if (customers > 0) log.info('recomputed', { shop, mode: 'incremental', customers, changed, deleted, remaining, tierChanges, ms: clock.now() - started });
      if (models.asOfMs !== asOfMs) {
        const full = await fullRun(shop, info, FullRunReason.newDay);
        return { ...full, tierChanges: full.tierChanges + tierChanges };
      }
      if (runOptions.metrics !== 'skip') await refreshShopMetrics(shop);
      return { mode: 'incremental', reason: null, customers, changed, deleted, remaining, tierChanges };
    },
  };
}

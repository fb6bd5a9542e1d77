import type { ShopSummaryV1 } from '@clvlens/core';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import { readVipSlippingSummary } from '../actions/tier-changes/vip-slipping.ts';
import { PAGE_ROWS, type ComputeDeps } from './deps.ts';
import { churnBacktestSummary, churnHorizonOf, yieldToEventLoop, type ComputeContext, type ShopModels, type ShopSummaryFromOrders } from './insights.ts';
import { computePreparedShopMetricsOffThread } from './metrics-off-thread.ts';
import { loadPreparedShop, metricsCurrencyOf } from './prepared-shop.ts';
import { queueState } from './reads.ts';
import { backfillRunning, loadShopInfo, loadStoredModels } from './shop-state.ts';
import type { InsightDraft } from './write.ts';

/**
 * The summary's insight-derived parts: top customers by expected loss (historic CLV x churn probability), average
 * predicted CLV. On the embedded database, read in pages of {@link PAGE_ROWS} customers, the event loop free in
 * between: there the top at-risk query over a 200,000-customer shop's insights held webhooks 0.7-0.8 s (each page's
 * parts are merged as a tally, {@link InsightTally}, so the result is the single query's). On PostgreSQL
 * (`whole`), where a query holds one connection of many, one statement each, side by side: the pages read each
 * insight twice through the index, 261 pages of a 5,200,000-customer shop at the end of its full run.
 */
export async function insightAggregates(
  db: Kysely<DB>,
  shop: string,
  limit: number,
  options: { whole?: boolean } = {},
): Promise<Pick<ShopSummaryV1, 'topAtRisk' | 'averagePredictedClvMinor'>> {
  if (options.whole === true) {
    const [avg, top] = await Promise.all([
      sql<{ n: string | number; total: string | number | null }>`
        SELECT count(predicted_clv_minor) AS n, sum(predicted_clv_minor) AS total FROM customer_insights WHERE shop_id = ${shop} AND NOT deleted`.execute(db),
      sql<{ customer_id: string; payload: string; score: number }>`
        SELECT customer_id::text AS customer_id, payload, historic_clv_minor * churn_probability AS score FROM customer_insights
        WHERE shop_id = ${shop} AND NOT deleted AND ${AT_RISK}
        ORDER BY historic_clv_minor * churn_probability DESC, customer_insights.customer_id LIMIT ${limit}`.execute(db),
    ]);
    return aggregatesOfTally({
      predicted: Number(avg.rows[0]!.n),
      predictedTotalMinor: Number(avg.rows[0]!.total ?? 0),
      topAtRisk: top.rows.map(atRiskCandidate),
    });
  }
  // Each page's parts merged as a split run's buckets' are.
  const tally = emptyInsightTally();
  let after: string | null = null;
  for (;;) {
    await yieldToEventLoop();
    const page: RawBuilder<unknown> = sql`SELECT * FROM customer_insights WHERE shop_id = ${shop} AND NOT deleted
      ${after === null ? sql`` : sql`AND customer_id > ${after}::bigint`} ORDER BY customer_id LIMIT ${PAGE_ROWS}`;
    const avg = await sql<{ n: string | number; total: string | number | null; rows: number; last: string | null }>`
      SELECT count(predicted_clv_minor) AS n, sum(predicted_clv_minor) AS total, count(*)::int AS rows, max(customer_id)::text AS last
      FROM (${page}) p`.execute(db);
    const { rows, last }: { rows: number; last: string | null } = avg.rows[0]!;
    tally.predicted += Number(avg.rows[0]!.n);
    tally.predictedTotalMinor += Number(avg.rows[0]!.total ?? 0);
    await yieldToEventLoop();
    const top = await sql<{ customer_id: string; payload: string; score: number }>`
      SELECT customer_id::text AS customer_id, payload, historic_clv_minor * churn_probability AS score FROM (${page}) p
      WHERE ${AT_RISK}
      ORDER BY historic_clv_minor * churn_probability DESC, p.customer_id LIMIT ${limit}`.execute(db);
    tally.topAtRisk = bestAtRisk([...tally.topAtRisk, ...top.rows.map(atRiskCandidate)], limit);
    if (Number(rows) < PAGE_ROWS || last === null) break;
    after = last;
  }
  return aggregatesOfTally(tally);
}

/**
 * "At risk" means the medium and high tiers, without new customers (one order, within the shop's usual gap): a
 * valuable low-risk customer who just ordered is not one to win back. The payload is our own JSON.stringify output, so
 * the members are spelled exactly so.
 */
const AT_RISK = sql`payload IS NOT NULL AND payload NOT LIKE '%"newCustomer":true%' AND payload NOT LIKE '%"churnTier":"low"%'`;

/** A top at-risk row read from the table, as a tally's candidate. */
function atRiskCandidate(row: { customer_id: string; payload: string; score: number }): AtRiskCandidate {
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
    score: Number(row.score),
  };
}

/** A top at-risk customer as the summary lists it, with the score it is ranked by (historic CLV x churn probability). */
type AtRiskCandidate = ShopSummaryV1['topAtRisk'][number] & { score: number };

/**
 * The summary's insight parts ({@link insightAggregates}) over some customers, folded from the insights a full run
 * computed as it writes them, and mergeable: each bucket of a split run folds its own range and the run's last step
 * merges them. After the last bucket of a 10,000,000-order shop's next-day run, reading them back from the table took
 * two scans of about 20 s each, side by side, on the run's critical path (the table then holds a dead version of every
 * rewritten row). The same definitions as the query's: live insights, at risk = not low and not new, ranked by
 * historic CLV x churn probability, then customer id.
 */
export interface InsightTally {
  /** Customers with a predicted CLV, and the sum of it (minor units). */
  predicted: number;
  predictedTotalMinor: number;
  /** The best `limit` at-risk customers so far, in rank order. */
  topAtRisk: AtRiskCandidate[];
}

export function emptyInsightTally(): InsightTally {
  return { predicted: 0, predictedTotalMinor: 0, topAtRisk: [] };
}

/** Adds computed insights to `tally` (in place), keeping its `limit` best at-risk customers. */
export function tallyInsights(tally: InsightTally, insights: readonly InsightDraft[], limit: number): void {
  let candidates = tally.topAtRisk;
  for (const insight of insights) {
    if (insight.predictedClvMinor !== null) {
      tally.predicted++;
      tally.predictedTotalMinor += insight.predictedClvMinor;
    }
    if (insight.newCustomer || insight.churnTier === 'low') continue;
    candidates.push({
      customerId: insight.customerId,
      historicClvMinor: insight.historicClvMinor,
      churnProbability: insight.churnProbability,
      churnTier: insight.churnTier,
      daysSinceLastOrder: insight.daysSinceLastOrder!,
      score: insight.historicClvMinor * insight.churnProbability,
    });
    if (candidates.length >= 4 * limit + 64) candidates = bestAtRisk(candidates, limit);
  }
  tally.topAtRisk = bestAtRisk(candidates, limit);
}

/** One tally of several (a split run's buckets). */
export function mergeInsightTallies(tallies: readonly InsightTally[], limit: number): InsightTally {
  return {
    predicted: tallies.reduce((n, t) => n + t.predicted, 0),
    predictedTotalMinor: tallies.reduce((n, t) => n + t.predictedTotalMinor, 0),
    topAtRisk: bestAtRisk(
      tallies.flatMap((t) => t.topAtRisk),
      limit,
    ),
  };
}

/** The summary's parts from a tally, as {@link insightAggregates} reads them from the table. */
export function aggregatesOfTally(tally: InsightTally): Pick<ShopSummaryV1, 'topAtRisk' | 'averagePredictedClvMinor'> {
  return {
    averagePredictedClvMinor: tally.predicted === 0 ? null : Math.round(tally.predictedTotalMinor / tally.predicted),
    topAtRisk: tally.topAtRisk.map(({ score: _score, ...customer }) => customer),
  };
}

/** The queries' order: score descending, then customer id ascending (numerically: ids are bigints). */
function bestAtRisk(candidates: AtRiskCandidate[], limit: number): AtRiskCandidate[] {
  return candidates.sort((a, b) => b.score - a.score || (BigInt(a.customerId) < BigInt(b.customerId) ? -1 : 1)).slice(0, limit);
}

/** What {@link storeShopMetrics} writes: the summary from the orders, the dashboard report and, after a fit, the models. */
export interface ShopMetricsWrite {
  summary: ShopSummaryFromOrders;
  report: unknown;
  nowMs: number;
  /** The models of a full run, stored with them; null keeps the stored ones. */
  models: ShopModels | null;
  /** The models whose churn backtest the summary describes (null: none yet). */
  fittedModels: ShopModels | null;
  churnHorizonDays: number;
  /** The insight parts folded from the insights the run wrote; absent: read from the table. */
  tally?: InsightTally;
}

/** How many customers the summary's top at-risk list has (the `topAtRisk` option). */
export function topAtRiskLimit(deps: Pick<ComputeDeps, 'options'>): number {
  return deps.options.topAtRisk ?? 10;
}

/** Stores the shop's summary (with its insight aggregates, churn backtest and VIP-slipping count) and report. */
export async function storeShopMetrics(deps: Pick<ComputeDeps, 'db' | 'pool' | 'options'>, shop: string, write: ShopMetricsWrite): Promise<void> {
  const { db } = deps;
  const { summary, report, nowMs, models, fittedModels, churnHorizonDays, tally } = write;
  const aggregates = tally
    ? aggregatesOfTally(tally)
    : await insightAggregates(db, shop, topAtRiskLimit(deps), { whole: deps.pool !== undefined && deps.pool !== null });
  await yieldToEventLoop();
  const churn = {
    churnHorizonDays: fittedModels?.churn.horizonDays ?? churnHorizonDays,
    churnBacktest: fittedModels === null ? null : churnBacktestSummary(fittedModels, deps.options.tiers),
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
}

/**
 * Recomputes the shop metrics (summary and dashboard report) from all stored orders, and the parts of the summary
 * that come from the insights. Keeps the stored models. The orders are read a part of customers at a time and kept
 * only as core's prepared columns ({@link loadPreparedShop}), as a large shop's full run reads them: this runs after
 * every burst of changes, and reading every order record of a 10,000,000-order shop at once took about 1 KB an order.
 * @returns false when the shop has no computed state yet (the first full run writes it).
 */
export async function refreshShopMetrics(deps: ComputeDeps, shop: string): Promise<boolean> {
  const { db, clock, log } = deps;
  const info = await loadShopInfo(deps, shop);
  if (!info) return false;
  const current = await db.selectFrom('shop_metrics').select('as_of').where('shop_id', '=', shop).executeTakeFirst();
  if (!current) return false;
  // A shop being backfilled (again, or after a run computed before its backfill began) keeps its last metrics until
  // the whole-shop run after the backfill: a refresh now would describe part of its orders, and on a large shop reload
  // them again and again while the backfill adds more (seen in the pg-shops bench on the 1,000,000-order shop).
  if (await backfillRunning(db, shop)) return false;
  // Nor while the whole-shop run the end of the backfill queued waits (`EVERY_CUSTOMER`): that run computes them from
  // every order and insight. A refresh before it read every order for figures soon replaced, at the busiest moment
  // (hundreds of shops installing, pg-shops bench), and with insight parts from before the backfill (a shop re-synced,
  // or scored on its webhooks alone by a version before `historyStored`); the pg-shops bench also took such a shop for
  // live and measured its changes against a first run still waiting.
  if ((await queueState(db, shop)).wholeShop) return false;
  const started = clock.now();
  // The summary stays "as of" the models' day: a new day is the full run's (it rescored everyone to that day).
  const context: ComputeContext = {
    currency: await metricsCurrencyOf(db, shop, info.currency),
    timeZone: info.timeZone,
    asOfMs: current.as_of.getTime(),
    options: info.options,
  };
  const { data, orders } = await loadPreparedShop(deps, shop, context);
  const { summary, report } = await computePreparedShopMetricsOffThread(data, context);
  const horizon = churnHorizonOf(info.options);
  const fittedModels = (await loadStoredModels(deps, shop, horizon)) ?? null;
  await storeShopMetrics(deps, shop, { summary, report, nowMs: clock.now(), models: null, fittedModels, churnHorizonDays: horizon });
  deps.metricsDurations.set(shop, clock.now() - started);
  log.info('shop metrics refreshed', { shop, orders, ms: clock.now() - started });
  return true;
}

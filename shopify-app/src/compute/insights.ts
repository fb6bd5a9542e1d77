import {
  buildCustomerInsights,
  CHURN_HORIZONS_DAYS,
  computeShopReport,
  computeShopReportMainMetrics,
  computeShopReportSideMetrics,
  customerKeyOf,
  DEFAULT_CHURN_HORIZON_DAYS,
  endOfLocalDayMs,
  rfmCutPointsOf,
  shopReportFromParts,
  type ChurnBacktestSummaryV1,
  type ChurnModels,
  type OrderRecord,
  type PreparedOrders,
  type RfmCutPoints,
  type ShopReport,
  type ShopReportOptions,
  type ShopSummaryV1,
} from '@clvlens/core';
import type { InsightDraft } from './write.ts';

/** Tunables of the computation (all optional). */
export interface ComputeOptions {
  /** Gross margin in [0, 1] applied to predicted CLV. Default 1 (revenue). */
  margin?: number;
  /** Window of the repeat purchase rate, days. Default 365. */
  windowDays?: number;
  /** Churn tier thresholds on churn probability. Default: the cuts the shop's backtest chose (1/3 and 2/3 without one). */
  tiers?: { medium: number; high: number };
  /**
   * H of the churn probability: the chance of no counted order in the next H days. One of 30, 60, 90, 180 (core's
   * `CHURN_HORIZONS_DAYS`). Default 90. Changing it makes the next run a full one (stored models of another H are
   * not reused).
   */
  churnHorizonDays?: number;
  /** Predicted CLV horizon, months. Default 12. */
  horizonMonths?: number;
  /** How many customers `topAtRisk` lists. Default 10. */
  topAtRisk?: number;
  /** Customers the churn fit of a full run sees at most (an even sample past it). Default `FIT_SAMPLE_CUSTOMERS`. */
  fitSampleCustomers?: number;
}

/**
 * What a full run fits on the whole shop and the incremental runs score with until the next full run: the churn
 * models (MBG/NBD + Gamma-Gamma, or the cadence rule) and the RFM quintile cut points. Stored as JSON in
 * `shop_metrics.models`.
 */
export interface ShopModels {
  /** The "as of" (end of the shop's local day, UTC ms) the models were fitted at; a new local day means a full run. */
  asOfMs: number;
  churn: ChurnModels;
  rfmCutPoints: RfmCutPoints;
  /** Set when the churn fit saw an even sample of the shop's customers; null or absent (older models): every one. */
  fitSample?: FitSample | null;
}

/**
 * The even sample of customers a large shop's churn fit saw (see `FIT_SAMPLE_CUSTOMERS`): `customers` of the shop's
 * `ofCustomers` customers with a counted order.
 */
export interface FitSample {
  customers: number;
  ofCustomers: number;
}

/**
 * The shop-level part of the summary, from the orders alone (the top at-risk customers and average predicted CLV are
 * read from the stored insights, the horizon and backtest from the stored models).
 */
export type ShopSummaryFromOrders = Omit<ShopSummaryV1, 'sync' | 'topAtRisk' | 'averagePredictedClvMinor' | 'churnHorizonDays' | 'churnBacktest'>;

/** The churn horizon of `options`, checked: one of core's `CHURN_HORIZONS_DAYS`, default 90. */
export function churnHorizonOf(options: ComputeOptions): number {
  const h = options.churnHorizonDays ?? DEFAULT_CHURN_HORIZON_DAYS;
  if (!CHURN_HORIZONS_DAYS.includes(h)) throw new RangeError(`churnHorizonDays must be one of ${CHURN_HORIZONS_DAYS.join(', ')} days, got ${h}.`);
  return h;
}

/**
 * The summary's "how right we were" from the shop's churn models: the chosen model, its AUC against sorting by days
 * since the last order, the calibration groups, the tiers with the share who ordered again and where the tiers are cut
 * (`tiers`, the app's override, or the backtest's own cuts), and the fit's sample of customers when there was one.
 * Null without a backtest (a short history: the probabilities are then marked low confidence).
 */
export function churnBacktestSummary(models: Pick<ShopModels, 'churn' | 'fitSample'>, tiers?: { medium: number; high: number }): ChurnBacktestSummaryV1 | null {
  const prediction = models.churn.prediction;
  if (prediction === null) return null;
  const bt = prediction.backtest;
  type Model = (typeof bt.candidates)[number]['model'];
  const aucOf = (model: Model) => bt.candidates.find((c) => c.model === model)?.auc ?? null;
  return {
    cutoffMs: bt.cutoffMs,
    horizonDays: bt.horizonDays,
    customers: bt.customers,
    noOrderShare: bt.noOrderShare,
    chosenModel: prediction.chosen,
    auc: aucOf(prediction.chosen),
    daysSinceLastOrderAuc: aucOf('days-since-last-order'),
    calibration: bt.calibration.bins.map((b) => ({ customers: b.count, meanPredicted: b.meanPredicted, observedNoOrderShare: b.observedShare })),
    tiers: bt.tiers.map((t) => ({ tier: t.tier, customers: t.customers, orderedAgainShare: t.orderedAgainShare })),
    tierCuts: tiers ?? prediction.tiers,
    spend:
      bt.spend === null
        ? null
        : {
            maeMinor: bt.spend.mae,
            baselineMaeMinor: bt.spend.baselineMae,
            topDecileCapture: bt.spend.topDecileCapture,
            baselineTopDecileCapture: bt.spend.baselineTopDecileCapture,
          },
    sample: models.fitSample ?? null,
  };
}

/** What a computation needs to know about the shop and the moment. */
export interface ComputeContext {
  currency: string;
  timeZone: string;
  /** Insights are "as of" the end of this local day. */
  asOfMs: number;
  options: ComputeOptions;
}

/** "As of" for a moment: the end of its day in the shop's time zone, so insights change when a day passes, not on every run. */
export function asOfFor(nowMs: number, timeZone: string): number {
  return endOfLocalDayMs(nowMs, timeZone);
}

/**
 * Lets pending I/O (webhooks, API reads) run between the long synchronous steps of a full run: core's work on a
 * 1,000,000-order shop takes seconds, and in one piece it would hold every request of the process that long.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The orders grouped by customer (core's `customerKeyOf`: Shopify id, or email key for guests) into chunks of at most
 * `customersPerChunk` whole customers, for work done one chunk at a time with the event loop free in between (and
 * free every 100,000 orders while grouping). Orders
 * without a customer key are left out (they count in shop metrics only).
 */
export async function customerChunks(records: readonly OrderRecord[], customersPerChunk: number): Promise<OrderRecord[][]> {
  const byCustomer = new Map<string, OrderRecord[]>();
  for (let i = 0; i < records.length; i++) {
    if (i % 100_000 === 99_999) await yieldToEventLoop();
    const order = records[i]!;
    const key = customerKeyOf(order);
    if (key === null) continue;
    let list = byCustomer.get(key);
    if (!list) byCustomer.set(key, (list = []));
    list.push(order);
  }
  const chunks: OrderRecord[][] = [];
  let chunk: OrderRecord[] = [];
  let customers = 0;
  for (const list of byCustomer.values()) {
    for (const order of list) chunk.push(order);
    if (++customers === customersPerChunk) {
      chunks.push(chunk);
      chunk = [];
      customers = 0;
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * The RFM cut points of a full run, from the shop's orders prepared with {@link shopReportOptions} (prepared-shop.ts):
 * every customer's values (guests by email included, as in core's own RFM) read off the prepared columns as core's
 * `summarizeCustomers` computes them, the event loop free every 200,000 customers.
 */
export async function preparedRfmCutPoints(data: PreparedOrders): Promise<RfmCutPoints> {
  const customers = data.customerKeys.length;
  const values: { daysSinceLastOrder: number; orderCount: number; netSpentMinor: number }[] = new Array(customers);
  for (let c = 0; c < customers; c++) {
    if (c % 200_000 === 199_999) await yieldToEventLoop();
    const last = data.customerStart[c + 1]! - 1;
    // Whole local days since the last counted order, counted orders, net spent (refunds as the dataset attributes them).
    values[c] = {
      daysSinceLastOrder: data.asOfDay - data.orderDay[last]!,
      orderCount: last + 1 - data.customerStart[c]!,
      netSpentMinor: data.customerNetMinor[c]!,
    };
  }
  return rfmCutPointsOf(values);
}

/**
 * Every numeric Shopify customer's insight among `records` (all of the shop, or all orders of some customers),
 * scored with `models` fitted earlier: core's `buildCustomerInsights`. Customers in `deleted` (deleted or redacted in
 * Shopify) get none; guests get none (they count in shop metrics only).
 */
export function scoreCustomers(records: readonly OrderRecord[], deleted: ReadonlySet<string>, models: ShopModels, context: ComputeContext): InsightDraft[] {
  const { currency, timeZone, asOfMs, options } = context;
  return buildCustomerInsights(records, models, {
    asOfMs,
    timeZone,
    currency,
    ...(options.margin !== undefined ? { margin: options.margin } : {}),
    ...(options.tiers ? { tiers: options.tiers } : {}),
    ...(options.horizonMonths !== undefined ? { horizonMonths: options.horizonMonths } : {}),
    include: (customerKey) => /^\d+$/.test(customerKey) && !deleted.has(customerKey),
  });
}

/** The shop metrics: the summary's part from the orders and the dashboard's full report. */
export interface ShopMetrics {
  summary: ShopSummaryFromOrders;
  report: ShopReport;
}

/**
 * The shop metrics of the summary and the dashboard's full report, from all the shop's orders with core's
 * `computeShopReport` (repeat rate, returning rate, CLV, churn 30/60/90 and its weekly trend, cohorts, scorecard).
 * The app computes the same from the orders prepared a part at a time (`computePreparedShopMetricsOffThread`,
 * metrics-off-thread.ts); this is what that must equal.
 */
export function computeShopMetrics(records: readonly OrderRecord[], context: ComputeContext): ShopMetrics {
  return shopMetricsOf(computeShopReport(records, shopReportOptions(context)), context);
}

/** {@link computeShopMetrics} from the orders prepared with {@link shopReportOptions} (`prepareShopReport`), in parts or at once. */
export function computePreparedShopMetrics(data: PreparedOrders, context: ComputeContext): ShopMetrics {
  const options = shopReportOptions(context);
  const report = shopReportFromParts(data, options, computeShopReportMainMetrics(data, options), computeShopReportSideMetrics(data, options));
  return shopMetricsOf(report, context);
}

/** The options of the shop's `computeShopReport`: its day, zone, currency, window and margin. */
export function shopReportOptions(context: ComputeContext): ShopReportOptions {
  const { currency, timeZone, asOfMs, options } = context;
  return { asOfMs, timeZone, currency, windowDays: options.windowDays ?? 365, marginFraction: options.margin ?? 1 };
}

function shopMetricsOf(report: ShopReport, context: ComputeContext): ShopMetrics {
  const { currency, asOfMs } = context;
  const trend = report.charts.churnTrend;
  const keep = trend.weekStartMs.map((_, i) => trend.d30[i] != null && trend.d60[i] != null && trend.d90[i] != null);
  const pick = (values: (number | null)[]): number[] => values.filter((_, i) => keep[i]).map((v) => v as number);
  const summary: ShopSummaryFromOrders = {
    shopDomain: '',
    currency,
    asOfMs,
    customers: report.customers,
    repeatPurchaseRate: { windowDays: report.repeatPurchaseRate.windowDays, value: report.repeatPurchaseRate.value },
    returningCustomerRate: report.returningCustomerRate,
    averageClvMinor: Math.round(report.historicClv.meanMinor),
    churn: report.churn,
    churnTrend: { weekStartMs: trend.weekStartMs.filter((_, i) => keep[i]), d30: pick(trend.d30), d60: pick(trend.d60), d90: pick(trend.d90) },
  };
  return { summary, report };
}

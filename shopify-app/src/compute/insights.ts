import {
  assessChurnRisk,
  computeShopReport,
  customerKeyOf,
  endOfLocalDayMs,
  isCountedOrder,
  orderNetMinor,
  summarizeCustomers,
  type ChurnRiskAssessment,
  type OrderRecord,
  type ShopReport,
  type ShopSummaryV1,
} from '@clvlens/core';
import type { InsightDraft } from './write.ts';

/** Tunables of the computation (all optional). */
export interface ComputeOptions {
  /** Gross margin in [0, 1] applied to predicted CLV. Default 1 (revenue). */
  margin?: number;
  /** Window of the repeat purchase rate, days. Default 365. */
  windowDays?: number;
  /** Churn tier thresholds on churn probability. Default 1/3 and 2/3. */
  tiers?: { medium: number; high: number };
  /** Predicted CLV horizon, months. Default 12. */
  horizonMonths?: number;
  /** How many customers `topAtRisk` lists. Default 10. */
  topAtRisk?: number;
}

/** Fitted model parameters kept with the shop metrics (for the dashboard and audits). */
export interface ShopModels {
  method: ChurnRiskAssessment['method'];
  fallbackReason: ChurnRiskAssessment['fallbackReason'];
  transactionModel: ChurnRiskAssessment['transactionModel'];
  spendModel: ChurnRiskAssessment['spendModel'];
  typicalGapDays: number | null;
}

/** Everything one recompute produces for a shop. */
export interface ShopComputation {
  drafts: InsightDraft[];
  summary: Omit<ShopSummaryV1, 'sync'>;
  report: ShopReport;
  models: ShopModels;
}

const HISTORY_LIMIT = 50;

/**
 * Computes every customer's insight and the shop metrics from the shop's orders with `@clvlens/core`:
 * `summarizeCustomers` (counts, CLV, AOV, RFM), `assessChurnRisk` (MBG/NBD P(alive), tiers, reasons, predicted CLV,
 * next order; the cadence rule when the shop is too small) and `computeShopReport` (repeat rate, churn, trends).
 * "As of" is the end of the current day in the shop's time zone, so insights change when orders change or a day
 * passes, not on every run. Only numeric Shopify customers get an insight; guests count in shop metrics only.
 * Customers in `deleted` (deleted or redacted in Shopify) get none.
 */
export function computeShop(
  records: readonly OrderRecord[],
  deleted: ReadonlySet<string>,
  context: { currency: string; timeZone: string; nowMs: number; options: ComputeOptions },
): ShopComputation {
  const { currency, timeZone, options } = context;
  const asOfMs = endOfLocalDayMs(context.nowMs, timeZone);
  const margin = options.margin ?? 1;
  const prepare = { asOfMs, timeZone, currency };
  const summaries = summarizeCustomers(records, prepare);
  const counted: { customerKey: string; placedAtMs: number; amountMinor: number }[] = [];
  const history = new Map<string, { placedAtMs: number; amountMinor: number }[]>();
  for (const order of records) {
    if (order.placedAtMs > asOfMs || !isCountedOrder(order)) continue;
    const key = customerKeyOf(order);
    if (key === null) continue;
    const amountMinor = orderNetMinor(order);
    counted.push({ customerKey: key, placedAtMs: order.placedAtMs, amountMinor });
    if (order.customerId !== null) {
      let list = history.get(key);
      if (!list) history.set(key, (list = []));
      list.push({ placedAtMs: order.placedAtMs, amountMinor });
    }
  }
  const risk = assessChurnRisk(counted, {
    asOfMs,
    timeZone,
    margin,
    ...(options.tiers ? { tiers: options.tiers } : {}),
    ...(options.horizonMonths !== undefined ? { horizonMonths: options.horizonMonths } : {}),
  });
  const riskByKey = new Map(risk.customers.map((c) => [c.customerKey, c]));

  const drafts: InsightDraft[] = [];
  for (const s of summaries) {
    if (!/^\d+$/.test(s.customerKey) || deleted.has(s.customerKey)) continue;
    const r = riskByKey.get(s.customerKey);
    if (!r) continue;
    const orders = (history.get(s.customerKey) ?? []).sort((a, b) => a.placedAtMs - b.placedAtMs).slice(-HISTORY_LIMIT);
    const expectedNextOrderAtMs = s.orderCount < 2 && r.confidence === 'low' ? null : r.expectedNextOrderAtMs;
    drafts.push({
      customerId: s.customerKey,
      currency,
      orderCount: s.orderCount,
      isRepeat: s.orderCount >= 2,
      historicClvMinor: s.netSpentMinor,
      predictedClvMinor: r.predictedClvMinor,
      averageOrderValueMinor: s.averageOrderValueMinor,
      firstOrderAtMs: s.firstOrderAtMs,
      lastOrderAtMs: s.lastOrderAtMs,
      daysSinceLastOrder: s.daysSinceLastOrder,
      expectedNextOrderAtMs,
      overdue: expectedNextOrderAtMs !== null && asOfMs > expectedNextOrderAtMs,
      pAlive: round6(r.pAlive),
      churnProbability: round6(r.churnProbability),
      churnTier: r.churnTier,
      churnReasons: r.churnReasons,
      confidence: r.confidence,
      rfmSegment: s.rfm.segment,
      orderHistory: orders,
    });
  }

  const report = computeShopReport(records, { ...prepare, windowDays: options.windowDays ?? 365, marginFraction: margin });
  const predicted = drafts.filter((d) => d.predictedClvMinor !== null);
  const trend = report.charts.churnTrend;
  const keep = trend.weekStartMs.map((_, i) => trend.d30[i] != null && trend.d60[i] != null && trend.d90[i] != null);
  const pick = (values: (number | null)[]): number[] => values.filter((_, i) => keep[i]).map((v) => v as number);
  const topAtRisk = [...drafts]
    .sort((a, b) => b.historicClvMinor * b.churnProbability - a.historicClvMinor * a.churnProbability || Number(a.customerId) - Number(b.customerId))
    .slice(0, options.topAtRisk ?? 10)
    .map((d) => ({
      customerId: d.customerId,
      historicClvMinor: d.historicClvMinor,
      churnProbability: d.churnProbability,
      churnTier: d.churnTier,
      daysSinceLastOrder: d.daysSinceLastOrder,
    }));
  const summary: Omit<ShopSummaryV1, 'sync'> = {
    shopDomain: '',
    currency,
    asOfMs,
    customers: report.customers,
    repeatPurchaseRate: { windowDays: report.repeatPurchaseRate.windowDays, value: report.repeatPurchaseRate.value },
    returningCustomerRate: report.returningCustomerRate,
    averageClvMinor: Math.round(report.historicClv.meanMinor),
    averagePredictedClvMinor:
      predicted.length === 0 ? null : Math.round(predicted.reduce((sum, d) => sum + (d.predictedClvMinor ?? 0), 0) / predicted.length),
    churn: report.churn,
    churnTrend: { weekStartMs: trend.weekStartMs.filter((_, i) => keep[i]), d30: pick(trend.d30), d60: pick(trend.d60), d90: pick(trend.d90) },
    topAtRisk,
  };
  const models: ShopModels = {
    method: risk.method,
    fallbackReason: risk.fallbackReason,
    transactionModel: risk.transactionModel,
    spendModel: risk.spendModel,
    typicalGapDays: risk.typicalGapDays,
  };
  return { drafts, summary, report, models };
}

/** Probabilities are stored to 6 decimals: enough for any badge, and stable across runs so unchanged rows stay put. */
function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

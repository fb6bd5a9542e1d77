import type { CustomerInsightV1, NotCountedReasonV1 } from '../api/v1.ts';
import { prepareOrders } from '../dataset/prepare.ts';
import { summarizePreparedCustomers } from '../metrics/customer-summary/customer-summary.ts';
import type { RfmCutPoints } from '../metrics/rfm/rfm.ts';
import { scorePreparedChurnRisk } from '../models/churn-risk/churn-risk.ts';
import type { ChurnModels } from '../models/churn-risk/churn-risk.ts';
import { isOverdue } from '../orders/next-order.ts';
import { customerKeyOf, orderNetMinor, orderSkipReason } from '../orders/order.ts';
import type { OrderRecord } from '../orders/order.ts';

/** One customer's insight before it is stored: {@link CustomerInsightV1} without `updatedAtMs` (set by whoever stores it). */
export type CustomerInsight = Omit<CustomerInsightV1, 'updatedAtMs'>;

/**
 * What a full run fits on the whole shop and every later run scores with: the churn models (`fitChurnModels`) and the
 * RFM quintile cut points of every customer (`rfmCutPointsOf`), so that a subset of customers is scored exactly as
 * in the whole shop.
 */
export interface CustomerInsightModels {
  churn: ChurnModels;
  rfmCutPoints: RfmCutPoints;
}

/** Options of {@link buildCustomerInsights}. */
export interface CustomerInsightOptions {
  /** Insights are "as of" this moment, UTC ms (the app uses the end of the shop's local day); later orders are ignored. */
  asOfMs: number;
  /** The shop's IANA time zone: days and purchase days are its calendar days. */
  timeZone: string;
  /** ISO 4217 code of the shop currency; an order in another one throws `CurrencyMismatchError`. */
  currency: string;
  /** Gross margin in [0, 1] applied to predicted CLV. Default 1 (revenue). */
  margin?: number;
  /** Churn tier cuts on the churn probability. Default: the cuts the shop's backtest chose (1/3 and 2/3 without one). */
  tiers?: { medium: number; high: number };
  /** Predicted CLV horizon, months. Default 12. */
  horizonMonths?: number;
  /**
   * Which customer keys get an insight. Default: numeric Shopify customer ids (guests, keyed by email, count in shop
   * metrics only; the API serves customers by id).
   */
  include?: (customerKey: string) => boolean;
}

/** The contract's limits: the sparkline shows at most the last 50 counted orders ({@link CustomerInsightV1.orderHistory}). */
export const ORDER_HISTORY_LIMIT = 50;
/** At most this many not-counted orders per customer, newest first: enough to explain the card's order count. */
export const NOT_COUNTED_LIMIT = 20;

const NUMERIC_ID = /^\d+$/;

/**
 * Every included customer's {@link CustomerInsight} among `orders` (all of a shop's orders, or all orders of some of its
 * customers; a customer's insight depends on their own orders and `models` only), customer keys ascending:
 * the customer summary against the stored RFM cut points and the churn risk scored with the stored churn models, both
 * read from one prepared dataset (the orders are grouped by customer once), then the order history for the sparkline
 * and the orders left out of every figure. Probabilities are rounded to 6 decimals, so that an unchanged customer
 * gives an identical record on every run. Takes the order records rather than a prepared dataset because the
 * not-counted orders keep their reason, and the history keeps the shop's own order of orders placed in the same
 * millisecond.
 * @example buildCustomerInsights(orders, { churn: fitChurnModels(counted, fit), rfmCutPoints }, { asOfMs, timeZone, currency: 'EUR' })
 */
export function buildCustomerInsights(orders: readonly OrderRecord[], models: CustomerInsightModels, options: CustomerInsightOptions): CustomerInsight[] {
  const { asOfMs, timeZone, currency } = options;
  const include = options.include ?? ((key: string) => NUMERIC_ID.test(key));
  // Grouped once: the summaries and the churn scores both read the prepared dataset.
  const prepared = prepareOrders(orders, { asOfMs, timeZone, currency });
  const summaries = summarizePreparedCustomers(prepared, { rfmCutPoints: models.rfmCutPoints });
  const { history, notCounted } = historiesOf(orders, asOfMs);
  const risk = scorePreparedChurnRisk(prepared, models.churn, {
    margin: options.margin ?? 1,
    ...(options.tiers ? { tiers: options.tiers } : {}),
    ...(options.horizonMonths !== undefined ? { horizonMonths: options.horizonMonths } : {}),
  });
  const insights: CustomerInsight[] = [];
  for (let i = 0; i < summaries.length; i++) {
    const s = summaries[i]!;
    if (!include(s.customerKey)) continue;
    // Both lists follow the prepared dataset's customers, one for one.
    const r = risk[i]!;
    // A one-time buyer's date under the low-confidence rule is only the shop's typical gap: not shown as theirs.
    const nextOrderAtMs = s.orderCount < 2 && r.confidence === 'low' ? null : r.expectedNextOrderAtMs;
    insights.push({
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
      expectedNextOrderAtMs: nextOrderAtMs,
      overdue: isOverdue(nextOrderAtMs, asOfMs),
      pAlive: round6(r.pAlive),
      churnProbability: round6(r.churnProbability),
      churnHorizonDays: r.horizonDays,
      newCustomer: r.newCustomer,
      churnTier: r.churnTier,
      confidence: r.confidence,
      rfmSegment: s.rfm.segment,
      orderHistory: (history.get(s.customerKey) ?? []).sort((a, b) => a.placedAtMs - b.placedAtMs).slice(-ORDER_HISTORY_LIMIT),
      notCountedOrders: (notCounted.get(s.customerKey) ?? []).sort((a, b) => b.placedAtMs - a.placedAtMs).slice(0, NOT_COUNTED_LIMIT),
    });
  }
  return insights;
}

/**
 * One pass over the orders up to asOf: each customer's counted history (customers with a Shopify id) in the shop's
 * own order, and each numeric customer's not-counted orders with the reason.
 */
function historiesOf(orders: readonly OrderRecord[], asOfMs: number) {
  const history = new Map<string, { placedAtMs: number; amountMinor: number }[]>();
  const notCounted = new Map<string, { placedAtMs: number; reason: NotCountedReasonV1 }[]>();
  for (const order of orders) {
    if (order.placedAtMs > asOfMs) continue;
    const skip = orderSkipReason(order);
    if (skip !== null) {
      // The admin lists these orders and counts them; the card says which ones CLV Lens leaves out.
      if (order.customerId !== null && NUMERIC_ID.test(order.customerId)) {
        let list = notCounted.get(order.customerId);
        if (!list) notCounted.set(order.customerId, (list = []));
        list.push({ placedAtMs: order.placedAtMs, reason: skip });
      }
      continue;
    }
    const key = customerKeyOf(order);
    if (key === null || order.customerId === null) continue;
    let list = history.get(key);
    if (!list) history.set(key, (list = []));
    list.push({ placedAtMs: order.placedAtMs, amountMinor: orderNetMinor(order) });
  }
  return { history, notCounted };
}

/** Probabilities are kept to 6 decimals: enough for any badge, and stable across runs so unchanged records stay put. */
function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

import { prepareOrders, type PrepareOptions, type PreparedOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { expectedNextOrderAtMs, isOverdue } from '../../orders/next-order.ts';
import { DAY_MS } from '../../time/zone-offsets.ts';
import { scoreRfm, scoreRfmAgainst, type RfmCutPoints, type RfmSegment } from '../rfm/rfm.ts';

/** What core knows about one customer at asOf, from counted orders only. */
export interface CustomerSummary {
  /** Shopify customer id, or the lower-cased email for guests (see customerKeyOf). */
  customerKey: string;
  firstOrderAtMs: number;
  lastOrderAtMs: number;
  /** Counted orders up to asOf. */
  orderCount: number;
  /** Historic CLV: net spend (totals minus refunds) up to asOf, minor units. */
  netSpentMinor: number;
  /** Mean net value per counted order, minor units, rounded to an integer. */
  averageOrderValueMinor: number;
  /** (last - first) / (orderCount - 1), in days (fractional); null with one order. */
  meanDaysBetweenOrders: number | null;
  /** lastOrderAtMs + this customer's mean gap; null with one order. */
  expectedNextOrderAtMs: number | null;
  /** True when expectedNextOrderAtMs is before asOf. */
  overdue: boolean;
  /** Whole local calendar days from the last counted order to asOf. */
  daysSinceLastOrder: number;
  /** RFM scores (1-5) and Shopify segment name; see scoreRfm. */
  rfm: { recencyScore: number; frequencyScore: number; monetaryScore: number; segment: RfmSegment };
}

/** Options of {@link summarizeCustomers} and {@link summarizePreparedCustomers} beyond dataset preparation. */
export interface CustomerSummaryOptions {
  /**
   * Score RFM against these stored quintile boundaries (see `rfmCutPointsOf`) instead of the quintiles of the
   * customers passed in. Lets the app summarise only the customers a webhook touched consistently with the whole
   * shop: exact against the population the cut points were made from, until a full recompute refreshes them.
   */
  rfmCutPoints?: RfmCutPoints;
}

/** Per-customer summaries from an already prepared dataset, customer keys ascending. */
export function summarizePreparedCustomers(data: PreparedOrders, options: CustomerSummaryOptions = {}): CustomerSummary[] {
  const rfmOf = rfmScorer(data, options.rfmCutPoints);
  const out: CustomerSummary[] = new Array<CustomerSummary>(data.customerKeys.length);
  for (let c = 0; c < data.customerKeys.length; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    const count = to - from;
    const firstOrderAtMs = data.orderAtMs[from]!;
    const lastOrderAtMs = data.orderAtMs[to - 1]!;
    let orderNet = 0;
    for (let s = from; s < to; s++) orderNet += data.orderNetMinor[s]!;
    const gapMs = count >= 2 ? (lastOrderAtMs - firstOrderAtMs) / (count - 1) : null;
    const nextOrderAtMs = expectedNextOrderAtMs(lastOrderAtMs, gapMs);
    const daysSinceLastOrder = data.asOfDay - data.orderDay[to - 1]!;
    const netSpentMinor = data.customerNetMinor[c]!;
    out[c] = {
      customerKey: data.customerKeys[c]!,
      firstOrderAtMs,
      lastOrderAtMs,
      orderCount: count,
      netSpentMinor,
      averageOrderValueMinor: Math.round(orderNet / count),
      meanDaysBetweenOrders: gapMs === null ? null : gapMs / DAY_MS,
      expectedNextOrderAtMs: nextOrderAtMs,
      overdue: isOverdue(nextOrderAtMs, data.asOfMs),
      daysSinceLastOrder,
      rfm: rfmOf(c, { daysSinceLastOrder, orderCount: count, netSpentMinor }),
    };
  }
  return out;
}

type RfmScorer = (c: number, values: { daysSinceLastOrder: number; orderCount: number; netSpentMinor: number }) => CustomerSummary['rfm'];

function rfmScorer(data: PreparedOrders, cutPoints: RfmCutPoints | undefined): RfmScorer {
  if (cutPoints !== undefined) return (_c, values) => scoreRfmAgainst(cutPoints, values);
  const rfm = scoreRfm(data);
  return (c) => ({
    recencyScore: rfm.recencyScore[c]!,
    frequencyScore: rfm.frequencyScore[c]!,
    monetaryScore: rfm.monetaryScore[c]!,
    segment: rfm.segment[c]!,
  });
}

/**
 * Per-customer summary (first/last counted order, counted orders, net spent, AOV, mean days between orders,
 * expected next order, overdue flag, RFM segment) for every customer with at least one counted order up to asOf,
 * sorted by customer key. The app uses it for per-customer badges. RFM is scored against the customers in `orders`
 * unless `options.rfmCutPoints` is given (then against that stored reference population, e.g. the whole shop).
 * @example summarizeCustomers(orders, { asOfMs, timeZone: 'Europe/Paris' })
 * @example summarizeCustomers(touchedCustomersOrders, { asOfMs, rfmCutPoints: rfmCutPointsOf(wholeShopSummaries) })
 */
export function summarizeCustomers(orders: readonly OrderRecord[], options: PrepareOptions & CustomerSummaryOptions): CustomerSummary[] {
  const { rfmCutPoints, ...prepareOptions } = options;
  return summarizePreparedCustomers(prepareOrders(orders, prepareOptions), rfmCutPoints === undefined ? {} : { rfmCutPoints });
}

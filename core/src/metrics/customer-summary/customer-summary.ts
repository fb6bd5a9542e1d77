import { prepareOrders, type PrepareOptions, type PreparedOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { DAY_MS } from '../../time/zone-offsets.ts';
import { scoreRfm, type RfmSegment } from '../rfm/rfm.ts';

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

/** Per-customer summaries from an already prepared dataset, customer keys ascending. */
export function summarizePreparedCustomers(data: PreparedOrders): CustomerSummary[] {
  const rfm = scoreRfm(data);
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
    const expectedNextOrderAtMs = gapMs === null ? null : lastOrderAtMs + gapMs;
    out[c] = {
      customerKey: data.customerKeys[c]!,
      firstOrderAtMs,
      lastOrderAtMs,
      orderCount: count,
      netSpentMinor: data.customerNetMinor[c]!,
      averageOrderValueMinor: Math.round(orderNet / count),
      meanDaysBetweenOrders: gapMs === null ? null : gapMs / DAY_MS,
      expectedNextOrderAtMs,
      overdue: expectedNextOrderAtMs !== null && expectedNextOrderAtMs < data.asOfMs,
      daysSinceLastOrder: data.asOfDay - data.orderDay[to - 1]!,
      rfm: {
        recencyScore: rfm.recencyScore[c]!,
        frequencyScore: rfm.frequencyScore[c]!,
        monetaryScore: rfm.monetaryScore[c]!,
        segment: rfm.segment[c]!,
      },
    };
  }
  return out;
}

/**
 * Per-customer summary (first/last counted order, counted orders, net spent, AOV, mean days between orders,
 * expected next order, overdue flag, RFM segment) for every customer with at least one counted order up to asOf,
 * sorted by customer key. The app uses it for per-customer badges.
 * @example summarizeCustomers(orders, { asOfMs, timeZone: 'Europe/Paris' })
 */
export function summarizeCustomers(orders: readonly OrderRecord[], options: PrepareOptions): CustomerSummary[] {
  return summarizePreparedCustomers(prepareOrders(orders, options));
}

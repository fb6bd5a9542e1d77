/**
 * Real fixture data for the extension's end-to-end tests: API v1 records derived from the CDNOW sample purchase log
 * (`shared/data/cdnow/CDNOW_sample.txt`, see its PROVENANCE.md). Each customer's purchases on one day form one order,
 * in USD cents. The churn numbers use the contract's low-confidence cadence rule (`confidence: 'low'`) because the
 * fixture must not depend on the models being built in `core`; the app computes the real ones.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCdnow } from '@clvlens/cli';
import type { ChurnTierV1, CustomerInsightV1, RfmSegmentV1, ShopSummaryV1 } from '@clvlens/core';

const DAY_MS = 86_400_000;

export interface CdnowFixture {
  shopDomain: string;
  storeHandle: string;
  asOfMs: number;
  customers: CustomerInsightV1[];
  summary: ShopSummaryV1;
  /** Order id -> customer id, order ids numbered in (date, customer) order from 1. */
  orders: Map<string, string>;
}

export function cdnowSamplePath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data/cdnow/CDNOW_sample.txt');
}

function tierOf(churn: number): ChurnTierV1 {
  return churn < 1 / 3 ? 'low' : churn <= 2 / 3 ? 'medium' : 'high';
}

function segmentOf(orderCount: number, daysSince: number): RfmSegmentV1 {
  if (orderCount >= 5 && daysSince <= 90) return 'CHAMPIONS';
  if (orderCount >= 3 && daysSince <= 180) return 'LOYAL';
  if (orderCount >= 3) return 'AT_RISK';
  if (orderCount === 2 && daysSince <= 180) return 'PROMISING';
  if (orderCount === 2) return 'NEEDS_ATTENTION';
  return daysSince <= 365 ? 'ALMOST_LOST' : 'DORMANT';
}

/** Reads the CDNOW sample with the CLI's reader and derives insights as of the day after the log ends (1998-07-01 UTC). */
export function loadCdnowFixture(opts: { storeHandle?: string; path?: string } = {}): CdnowFixture {
  const storeHandle = opts.storeHandle ?? 'cdnow-demo';
  const shopDomain = `${storeHandle}.myshopify.com`;
  const asOfMs = Date.UTC(1998, 6, 1);
  const path = opts.path ?? cdnowSamplePath();
  // customer -> day -> cents
  const byCustomer = new Map<string, Map<number, number>>();
  for (const order of readCdnow(readFileSync(path, 'utf8'), path).orders) {
    // The sample's key column is zero-padded ("0001"); the fixture's customer ids are plain numbers ("1").
    const customerId = String(Number(order.customerKey));
    let days = byCustomer.get(customerId);
    if (!days) byCustomer.set(customerId, (days = new Map()));
    days.set(order.placedAtMs, (days.get(order.placedAtMs) ?? 0) + order.amountMinor);
  }

  const customers: CustomerInsightV1[] = [];
  const allOrders: { day: number; customerId: string }[] = [];
  for (const [customerId, days] of byCustomer) {
    // Orders of $0 (returns netted out) are not counted orders.
    const orders = [...days].filter(([, cents]) => cents > 0).sort((a, b) => a[0] - b[0]);
    for (const [day] of orders) allOrders.push({ day, customerId });
    if (orders.length === 0) continue;
    const orderCount = orders.length;
    const total = orders.reduce((s, [, c]) => s + c, 0);
    const first = orders[0]![0];
    const last = orders[orders.length - 1]![0];
    const daysSince = Math.floor((asOfMs - last) / DAY_MS);
    let pAlive: number;
    let expectedNext: number | null = null;
    const reasons: string[] = [];
    if (orderCount >= 2) {
      const gapDays = (last - first) / DAY_MS / (orderCount - 1);
      expectedNext = last + Math.round(gapDays) * DAY_MS;
      const ratio = daysSince / Math.max(1, gapDays);
      pAlive = Math.min(1, Math.max(0, Math.exp(-Math.max(0, ratio - 1) / 2)));
      reasons.push(
        ratio > 1
          ? `no order for ${ratio.toFixed(1)}x this customer's usual gap of ${Math.round(gapDays)} days`
          : `ordering within this customer's usual gap of ${Math.round(gapDays)} days`,
      );
    } else {
      pAlive = Math.exp(-daysSince / 365);
      reasons.push(`one order only, ${daysSince} days ago`);
    }
    const churnProbability = 1 - pAlive;
    customers.push({
      customerId,
      currency: 'USD',
      orderCount,
      isRepeat: orderCount >= 2,
      historicClvMinor: total,
      predictedClvMinor: null,
      averageOrderValueMinor: Math.round(total / orderCount),
      firstOrderAtMs: first,
      lastOrderAtMs: last,
      daysSinceLastOrder: daysSince,
      expectedNextOrderAtMs: expectedNext,
      overdue: expectedNext !== null && expectedNext < asOfMs,
      pAlive,
      churnProbability,
      churnHorizonDays: 90,
      newCustomer: false,
      churnTier: tierOf(churnProbability),
      churnReasons: reasons,
      confidence: 'low',
      rfmSegment: segmentOf(orderCount, daysSince),
      orderHistory: orders.slice(-50).map(([placedAtMs, amountMinor]) => ({ placedAtMs, amountMinor })),
      updatedAtMs: asOfMs,
    });
  }
  customers.sort((a, b) => Number(a.customerId) - Number(b.customerId));
  allOrders.sort((a, b) => a.day - b.day || Number(a.customerId) - Number(b.customerId));
  const orders = new Map(allOrders.map((o, i) => [String(i + 1), o.customerId]));

  const n = customers.length;
  const share = (pred: (c: CustomerInsightV1) => boolean) => customers.filter(pred).length / n;
  const inactiveAt = (t: number, days: number) => {
    const seen = customers.filter((c) => (c.firstOrderAtMs ?? Infinity) < t);
    if (seen.length === 0) return 0;
    const idle = seen.filter((c) => {
      const lastBefore = c.orderHistory.filter((o) => o.placedAtMs < t).at(-1)?.placedAtMs ?? 0;
      return t - lastBefore > days * DAY_MS;
    });
    return idle.length / seen.length;
  };
  const weeks = Array.from({ length: 12 }, (_, i) => asOfMs - (12 - i) * 7 * DAY_MS);
  const topAtRisk = [...customers]
    .sort((a, b) => b.historicClvMinor * b.churnProbability - a.historicClvMinor * a.churnProbability)
    .slice(0, 5)
    .map((c) => ({
      customerId: c.customerId,
      historicClvMinor: c.historicClvMinor,
      churnProbability: c.churnProbability,
      churnTier: c.churnTier,
      daysSinceLastOrder: c.daysSinceLastOrder,
    }));
  const summary: ShopSummaryV1 = {
    shopDomain,
    currency: 'USD',
    asOfMs,
    sync: { state: 'live', ordersDone: allOrders.length, ordersEstimated: allOrders.length, lastSyncAtMs: asOfMs, message: null },
    customers: n,
    repeatPurchaseRate: { windowDays: Math.round((asOfMs - Date.UTC(1997, 0, 1)) / DAY_MS), value: share((c) => c.isRepeat) },
    returningCustomerRate: share((c) => c.isRepeat),
    averageClvMinor: Math.round(customers.reduce((s, c) => s + c.historicClvMinor, 0) / n),
    averagePredictedClvMinor: null,
    churn: { d30: inactiveAt(asOfMs, 30), d60: inactiveAt(asOfMs, 60), d90: inactiveAt(asOfMs, 90) },
    churnHorizonDays: 90,
    churnBacktest: null,
    churnTrend: {
      weekStartMs: weeks,
      d30: weeks.map((t) => inactiveAt(t, 30)),
      d60: weeks.map((t) => inactiveAt(t, 60)),
      d90: weeks.map((t) => inactiveAt(t, 90)),
    },
    topAtRisk,
  };
  return { shopDomain, storeHandle, asOfMs, customers, summary, orders };
}

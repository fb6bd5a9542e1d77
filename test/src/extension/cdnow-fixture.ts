/**
 * Real fixture data for the extension's end-to-end tests: API v1 records derived from the CDNOW sample purchase log
 * (`shared/data/cdnow/CDNOW_sample.txt`, see its PROVENANCE.md). Each customer's purchases on one day form one order,
 * in USD cents. Each customer's insight is core's own (`buildCustomerInsights`, as the app computes it) in the state of
 * a shop before its first model fit: churn from core's low-confidence cadence rule (`confidence: 'low'`, no predicted
 * CLV: the surfaces' "No model yet"), RFM against the whole log. The shop summary is derived here from those insights.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCdnow } from '@clvlens/cli';
import {
  buildCustomerInsights,
  fitChurnModels,
  rfmCutPointsOf,
  summarizeCustomers,
  toCountedOrders,
  type CustomerInsightV1,
  type OrderRecord,
  type ShopSummaryV1,
} from '@clvlens/core';

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

  // Orders of $0 (returns netted out) are not orders. Order ids are numbered in (date, customer) order from 1.
  const purchases: { customerId: string; day: number; cents: number }[] = [];
  for (const [customerId, days] of byCustomer) {
    for (const [day, cents] of days) if (cents > 0) purchases.push({ customerId, day, cents });
  }
  purchases.sort((a, b) => a.day - b.day || Number(a.customerId) - Number(b.customerId));
  const records = purchases.map((p, i) => orderRecord(String(i + 1), p.customerId, p.day, p.cents));
  const shop = { asOfMs, timeZone: 'UTC', currency: 'USD' };
  const models = {
    // No purchase model: every repeat customer count is below this, so core keeps to its cadence rule.
    churn: fitChurnModels(toCountedOrders(records).orders, { asOfMs, timeZone: 'UTC', minRepeatCustomers: Number.POSITIVE_INFINITY }),
    rfmCutPoints: rfmCutPointsOf(summarizeCustomers(records, shop)),
  };
  const customers: CustomerInsightV1[] = buildCustomerInsights(records, models, shop).map((c) => ({ ...c, updatedAtMs: asOfMs }));
  customers.sort((a, b) => Number(a.customerId) - Number(b.customerId));
  const orders = new Map(purchases.map((p, i) => [String(i + 1), p.customerId]));

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
    sync: { state: 'live', ordersDone: records.length, ordersEstimated: records.length, lastSyncAtMs: asOfMs, message: null },
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

function orderRecord(orderId: string, customerId: string, placedAtMs: number, cents: number): OrderRecord {
  return {
    orderId,
    customerId,
    email: null,
    placedAtMs,
    currency: 'USD',
    totalMinor: cents,
    refundedMinor: 0,
    cancelled: false,
    test: false,
    subscription: false,
  };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../orders/order.ts';
import { summarizeCustomers } from '../metrics/customer-summary/customer-summary.ts';
import { addDays, endOfUtcDay, order } from '../testing/orders.ts';
import { computeShopReport, computeShopReportMainMetrics, computeShopReportSideMetrics, prepareShopReport, shopReportFromParts } from './shop-report.ts';

const AS_OF = '2024-12-31';
const asOfMs = endOfUtcDay(AS_OF);
const DAY_MS = 86_400_000;

const orderArbitrary = fc.record({
  customer: fc.option(fc.integer({ min: 1, max: 15 }), { nil: null }),
  guestEmail: fc.boolean(),
  offsetMs: fc.integer({ min: -30 * DAY_MS, max: 800 * DAY_MS }),
  totalMinor: fc.integer({ min: 0, max: 20_000 }),
  refundShare: fc.constantFrom(0, 0, 0, 0.25, 1),
  flag: fc.integer({ min: 0, max: 19 }),
  subscription: fc.boolean(),
});

type Row = typeof orderArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** Flag 0 = cancelled, 1 = test (1 in 10 each); order ids unique, as Shopify guarantees per shop. */
function toOrders(rows: Row[]): OrderRecord[] {
  return rows.map((r, i) => ({
    orderId: `#${1000 + i}`,
    customerId: r.customer === null ? null : String(r.customer),
    email: r.customer === null && r.guestEmail ? `Guest${i % 4}@Shop.example` : null,
    placedAtMs: asOfMs - r.offsetMs,
    currency: 'EUR',
    totalMinor: r.totalMinor,
    refundedMinor: Math.floor(r.totalMinor * r.refundShare),
    cancelled: r.flag === 0,
    test: r.flag === 1,
    subscription: r.subscription,
  }));
}

const ordersArbitrary = fc.array(orderArbitrary, { maxLength: 80 }).map(toOrders);
const zoneArbitrary = fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata');

describe('computeShopReport', () => {
  it('exposes the CLI --json top-level fields and survives a JSON round trip', () => {
    const orders: OrderRecord[] = [];
    for (let i = 0; i < 1000; i++) {
      orders.push(order(String(i + 1), addDays(AS_OF, -(i % 300)), 5000));
      if (i < 120) orders.push(order(String(i + 1), addDays(AS_OF, -(i % 300) - 20), 3000));
    }
    orders.push(order(null, AS_OF, 4000), order('2', AS_OF, 100, { test: true }));
    const report = computeShopReport(orders, {
      asOfMs,
      surveys: { nps: [10, 9, 3], csat: [5, 2] },
      spendByMonth: [{ month: '2024-06', amountMinor: 100_000, currency: 'USD' }],
    });
    expect(report.asOf).toBe('2024-12-31T23:59:59.999Z');
    expect(report.currency).toBe('USD');
    expect(report.orders).toMatchObject({ counted: 1121, unattributed: 1, skippedByReason: { test: 1, cancelled: 0, refunded: 0 } });
    expect(report.customers).toBe(1000);
    expect(report.repeatPurchaseRate).toMatchObject({ windowDays: 365, value: 0.12 });
    expect(report.returningCustomerRate).toBe(0.12);
    expect(report.averageOrderValueMinor).toBe(Math.round((1000 * 5000 + 120 * 3000 + 4000) / 1121));
    expect(Object.keys(report.churn)).toEqual(['d30', 'd60', 'd90']);
    expect(report.surveys?.nps.value).toBeCloseTo(100 / 3, 12);
    expect(report.ltvCac.find((r) => r.cohortMonth === '2024-06')?.cacMinor).not.toBeNull();
    expect(report.charts.repeatRate.weekStartMs).toHaveLength(52);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('describes an empty shop with zeros and nulls rather than throwing', () => {
    const report = computeShopReport([], { asOfMs, timeZone: 'Europe/Paris' });
    expect(report).toMatchObject({ currency: null, customers: 0, averageOrderValueMinor: 0, churn: { d30: 0, d60: 0, d90: 0 } });
    expect(report.repeatPurchaseRate.value).toBe(0);
    expect(report.periodChurn.value).toBeNull();
    expect(report.cohortMatrix.cohorts).toEqual([]);
    expect(report.charts.churnTrend.d90.every((v) => v === null)).toBe(true);
    expect(report.scorecard.rows.every((r) => r.status === 'no-data')).toBe(true);
  });

  it('rejects a NaN asOf and an unknown time zone with CoreError codes', () => {
    expect(() => computeShopReport([], { asOfMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => computeShopReport([], { asOfMs, timeZone: 'Atlantis/Capital' })).toThrow(expect.objectContaining({ code: 'invalid-time-zone' }));
    expect(() => computeShopReport([], { asOfMs, marginFraction: 40 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('keeps every rate in [0, 1] (property)', () => {
    fc.assert(
      fc.property(ordersArbitrary, zoneArbitrary, (orders, timeZone) => {
        const r = computeShopReport(orders, { asOfMs, timeZone, currency: 'EUR', windowDays: 90 });
        const rates: (number | null)[] = [
          r.repeatPurchaseRate.value,
          r.returningCustomerRate,
          r.churn.d30,
          r.churn.d60,
          r.churn.d90,
          r.periodChurn.value,
          ...r.repurchaseWithin.overall.map((x) => x.value),
          ...r.repurchaseWithin.cohorts.flatMap((c) => c.rates.map((x) => x.value)),
          ...r.cohortMatrix.cohorts.flatMap((c) => c.activeShare),
          ...r.charts.repeatRate.value,
          ...r.charts.churnTrend.d30,
          ...r.charts.churnTrend.d90,
        ];
        for (const rate of rates) if (rate !== null) expect(rate >= 0 && rate <= 1, `rate ${rate}`).toBe(true);
        expect(r.repeatPurchaseRate.value).toBeLessThanOrEqual(r.returningCustomerRate);
        expect(r.churn.d30).toBeGreaterThanOrEqual(r.churn.d60);
        expect(r.churn.d60).toBeGreaterThanOrEqual(r.churn.d90);
        const { counted, afterAsOf, skippedByReason, total } = r.orders;
        expect(counted + afterAsOf + skippedByReason.test + skippedByReason.cancelled + skippedByReason.refunded).toBe(total);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same JSON when the main and side metrics are computed apart, from copies without customer keys (property)', () => {
    fc.assert(
      fc.property(ordersArbitrary, zoneArbitrary, fc.constantFrom(30, 90), (orders, timeZone, periodDays) => {
        const options = { asOfMs, timeZone, currency: 'EUR', marginFraction: 0.4, periodDays, refundAttribution: 'refund-date' as const };
        const data = prepareShopReport(orders, options);
        // What another thread receives: a structured clone, keys replaced by blanks of the same count.
        const copy = structuredClone({ ...data, customerKeys: data.customerKeys.map(() => '') });
        const side = computeShopReportSideMetrics(copy, options);
        const main = computeShopReportMainMetrics(structuredClone(copy), options);
        expect(JSON.stringify(shopReportFromParts(data, options, main, side))).toBe(JSON.stringify(computeShopReport(orders, options)));
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same report whatever the order of the input (property)', () => {
    fc.assert(
      fc.property(ordersArbitrary, zoneArbitrary, fc.integer(), (orders, timeZone, seed) => {
        const shuffled = [...orders];
        let state = seed >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
          const j = state % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const options = { asOfMs, timeZone, currency: 'EUR', marginFraction: 0.4 };
        expect(JSON.stringify(computeShopReport(shuffled, options))).toBe(JSON.stringify(computeShopReport(orders, options)));
        expect(JSON.stringify(summarizeCustomers(shuffled, options))).toBe(JSON.stringify(summarizeCustomers(orders, options)));
      }),
      { numRuns: 100 },
    );
  });

  it('never raises any customer CLV or the shop total when a refund is added (property)', () => {
    fc.assert(
      fc.property(
        ordersArbitrary,
        fc.nat(),
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom('order-date', 'refund-date'),
        (orders, pick, amount, refundAttribution) => {
          if (orders.length === 0) return;
          const i = pick % orders.length;
          const target = orders[i]!;
          const refundedMinor = Math.min(target.totalMinor, target.refundedMinor + amount);
          const refunded = orders.map((o, k) =>
            // The new refund is dated a day later; what was refunded before keeps its (undetailed) order date.
            k === i ? { ...o, refundedMinor, refunds: [{ refundedAtMs: o.placedAtMs + DAY_MS, amountMinor: refundedMinor - o.refundedMinor }] } : o,
          );
          const options = { asOfMs, currency: 'EUR', refundAttribution } as const;
          const before = new Map(summarizeCustomers(orders, options).map((c) => [c.customerKey, c.netSpentMinor]));
          for (const c of summarizeCustomers(refunded, options)) expect(c.netSpentMinor).toBeLessThanOrEqual(before.get(c.customerKey)!);
          const a = computeShopReport(orders, options);
          const b = computeShopReport(refunded, options);
          expect(b.historicClv.totalNetMinor).toBeLessThanOrEqual(a.historicClv.totalNetMinor);
          b.windowedClv.windows.forEach((w, k) => expect(w.revenueMinor).toBeLessThanOrEqual(a.windowedClv.windows[k]!.revenueMinor));
        },
      ),
      { numRuns: 150 },
    );
  });
});

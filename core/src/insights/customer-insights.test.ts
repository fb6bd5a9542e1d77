import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../dataset/prepare.ts';
import { summarizeCustomers } from '../metrics/customer-summary/customer-summary.ts';
import { rfmCutPointsOf } from '../metrics/rfm/rfm.ts';
import { toCountedOrders } from '../models/btyd-summary/counted-orders.ts';
import { fitChurnModels, scoreChurnRisk, scorePreparedChurnRisk } from '../models/churn-risk/churn-risk.ts';
import type { OrderRecord } from '../orders/order.ts';
import { addDays, endOfUtcDay, order } from '../testing/orders.ts';
import { buildCustomerInsights, NOT_COUNTED_LIMIT, ORDER_HISTORY_LIMIT } from './customer-insights.ts';
import type { CustomerInsightModels } from './customer-insights.ts';

const AS_OF = '2024-12-31';
const asOfMs = endOfUtcDay(AS_OF);
const context = { asOfMs, timeZone: 'UTC', currency: 'USD' };

/** A small shop: 40 numeric customers with 1 to 5 orders, a guest, a cancelled and a test order. */
function shop(): OrderRecord[] {
  const orders: OrderRecord[] = [];
  for (let i = 0; i < 40; i++) {
    for (let k = 0; k <= i % 5; k++) orders.push(order(String(1000 + i), addDays(AS_OF, -((i * 17) % 90) - 31 * k), 800 + ((i * 7) % 11) * 300));
  }
  orders.push(order(null, addDays(AS_OF, -10), 2500, { email: 'guest@example.com' }));
  orders.push(order('1001', addDays(AS_OF, -3), 900, { cancelled: true }));
  orders.push(order('1002', addDays(AS_OF, -4), 900, { test: true }));
  return orders;
}

function modelsOf(orders: readonly OrderRecord[]): CustomerInsightModels {
  const churn = fitChurnModels(toCountedOrders(orders).orders, { asOfMs, timeZone: 'UTC' });
  return { churn, rfmCutPoints: rfmCutPointsOf(summarizeCustomers(orders, context)) };
}

describe('buildCustomerInsights', () => {
  it('gives each numeric customer the summary and churn-risk figures of core, keys ascending, guests left out', () => {
    const orders = shop();
    const models = modelsOf(orders);
    const insights = buildCustomerInsights(orders, models, context);
    expect(insights.map((c) => c.customerId)).toEqual(Array.from({ length: 40 }, (_, i) => String(1000 + i)));
    const summary = summarizeCustomers(orders, { ...context, rfmCutPoints: models.rfmCutPoints }).find((s) => s.customerKey === '1004')!;
    const risk = scoreChurnRisk(toCountedOrders(orders).orders, models.churn, { asOfMs, timeZone: 'UTC', margin: 1 }).find((r) => r.customerKey === '1004')!;
    const c = insights.find((x) => x.customerId === '1004')!;
    expect(c).toMatchObject({
      currency: 'USD',
      orderCount: 5,
      isRepeat: true,
      historicClvMinor: summary.netSpentMinor,
      averageOrderValueMinor: summary.averageOrderValueMinor,
      firstOrderAtMs: summary.firstOrderAtMs,
      lastOrderAtMs: summary.lastOrderAtMs,
      daysSinceLastOrder: summary.daysSinceLastOrder,
      rfmSegment: summary.rfm.segment,
      predictedClvMinor: risk.predictedClvMinor,
      expectedNextOrderAtMs: risk.expectedNextOrderAtMs,
      overdue: risk.overdue,
      churnTier: risk.churnTier,
      confidence: risk.confidence,
      churnHorizonDays: 90,
    });
    // No English sentences on the wire: every surface words the reasons from these numbers in its own language.
    expect(c).not.toHaveProperty('churnReasons');
    expect(c.pAlive).toBeCloseTo(risk.pAlive, 6);
    expect(c.churnProbability).toBeCloseTo(risk.churnProbability, 6);
    expect(c.orderHistory.map((o) => o.placedAtMs)).toEqual([...c.orderHistory.map((o) => o.placedAtMs)].sort((a, b) => a - b));
  });

  it('lists the orders left out with their reason, newest first', () => {
    const orders = shop();
    const insights = buildCustomerInsights(orders, modelsOf(orders), context);
    expect(insights.find((c) => c.customerId === '1001')!.notCountedOrders).toEqual([
      { placedAtMs: Date.parse(`${addDays(AS_OF, -3)}T12:00:00Z`), reason: 'cancelled' },
    ]);
    expect(insights.find((c) => c.customerId === '1002')!.notCountedOrders).toEqual([
      { placedAtMs: Date.parse(`${addDays(AS_OF, -4)}T12:00:00Z`), reason: 'test' },
    ]);
    expect(insights.find((c) => c.customerId === '1003')!.notCountedOrders).toEqual([]);
  });

  it('gives a customer scored alone the same insight as in the whole shop', () => {
    const orders = shop();
    const models = modelsOf(orders);
    const whole = buildCustomerInsights(orders, models, context);
    for (const id of ['1000', '1013', '1039']) {
      const alone = buildCustomerInsights(
        orders.filter((o) => o.customerId === id),
        models,
        context,
      );
      expect(alone).toEqual([whole.find((c) => c.customerId === id)]);
    }
  });

  it('keeps only the customers `include` accepts', () => {
    const orders = shop();
    const insights = buildCustomerInsights(orders, modelsOf(orders), { ...context, include: (key) => key === '1005' || key.includes('@') });
    expect(insights.map((c) => c.customerId)).toEqual(['1005', 'guest@example.com']);
  });

  it('shows no next-order date for a one-time buyer under the low-confidence rule', () => {
    const orders = [order('1', addDays(AS_OF, -40), 1000), order('2', addDays(AS_OF, -60), 1000), order('2', addDays(AS_OF, -20), 1000)];
    const models = modelsOf(orders);
    expect(models.churn.confidence).toBe('low');
    const [one, two] = buildCustomerInsights(orders, models, context);
    expect(one).toMatchObject({ customerId: '1', orderCount: 1, expectedNextOrderAtMs: null, overdue: false });
    expect(two).toMatchObject({ customerId: '2', orderCount: 2, expectedNextOrderAtMs: Date.parse(`${addDays(AS_OF, 20)}T12:00:00Z`), overdue: false });
  });

  it(`keeps the last ${ORDER_HISTORY_LIMIT} counted orders and the newest ${NOT_COUNTED_LIMIT} not counted`, () => {
    const orders: OrderRecord[] = [];
    for (let d = 1; d <= 70; d++) orders.push(order('9', addDays(AS_OF, -d * 3), 1000));
    for (let d = 1; d <= 30; d++) orders.push(order('9', addDays(AS_OF, -d * 3 - 1), 1000, { cancelled: true }));
    const [c] = buildCustomerInsights(orders, modelsOf(orders), context);
    expect(c!.orderCount).toBe(70);
    expect(c!.orderHistory).toHaveLength(ORDER_HISTORY_LIMIT);
    expect(c!.orderHistory.at(-1)!.placedAtMs).toBe(Date.parse(`${addDays(AS_OF, -3)}T12:00:00Z`));
    expect(c!.notCountedOrders).toHaveLength(NOT_COUNTED_LIMIT);
    expect(c!.notCountedOrders![0]!.placedAtMs).toBe(Date.parse(`${addDays(AS_OF, -4)}T12:00:00Z`));
  });
});

describe('scorePreparedChurnRisk', () => {
  it("gives each customer of a prepared dataset exactly scoreChurnRisk's result on their counted orders", () => {
    const orders = shop();
    const models = modelsOf(orders);
    for (const options of [{ margin: 1 }, { margin: 0.4, tiers: { medium: 0.2, high: 0.5 }, horizonMonths: 6 }]) {
      const prepared = prepareOrders(orders, context);
      const fromPrepared = scorePreparedChurnRisk(prepared, models.churn, options);
      const regrouped = scoreChurnRisk(toCountedOrders(orders).orders, models.churn, { asOfMs, timeZone: 'UTC', ...options });
      expect(fromPrepared.map((r) => r.customerKey)).toEqual(prepared.customerKeys);
      expect(new Map(fromPrepared.map((r) => [r.customerKey, r]))).toEqual(new Map(regrouped.map((r) => [r.customerKey, r])));
    }
  });
});

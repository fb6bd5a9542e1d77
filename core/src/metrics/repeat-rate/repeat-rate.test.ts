import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { computeRepeatPurchaseRate, computeRepeatRateSeries } from './repeat-rate.ts';

const AS_OF = '2024-12-31';

/** `shoppers` customers with one order inside the window, `repeaters` of them with a second. */
function shop(shoppers: number, repeaters: number): OrderRecord[] {
  const orders: OrderRecord[] = [];
  for (let i = 0; i < shoppers; i++) {
    orders.push(order(String(1000 + i), addDays(AS_OF, -(i % 300)), 2500));
    if (i < repeaters) orders.push(order(String(1000 + i), addDays(AS_OF, -(i % 300) - 30), 2500));
  }
  return orders;
}

describe('computeRepeatPurchaseRate', () => {
  it('gives 12.0% for 120 repeat customers among 1,000 shoppers (issue 2 worked example)', () => {
    const data = prepareOrders(shop(1000, 120), { asOfMs: endOfUtcDay(AS_OF) });
    expect(computeRepeatPurchaseRate(data, { windowDays: 365 })).toMatchObject({ value: 0.12, repeatCustomers: 120, customers: 1000 });
  });
  it('gives 20% for 200 of 1,000', () => {
    const data = prepareOrders(shop(1000, 200), { asOfMs: endOfUtcDay(AS_OF) });
    expect(computeRepeatPurchaseRate(data, { windowDays: 365 }).value).toBe(0.2);
  });
  it('needs both orders inside the window', () => {
    const orders = [order('1', '2023-06-01', 1000), order('1', '2024-06-01', 1000), order('2', '2024-03-01', 1000), order('2', '2024-04-01', 1000)];
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay(AS_OF) });
    expect(computeRepeatPurchaseRate(data, { windowDays: 365 })).toMatchObject({ repeatCustomers: 1, customers: 2, value: 0.5 });
    // A 90-day window ending 2024-12-31 starts on 2024-10-03: nobody ordered in it.
    expect(computeRepeatPurchaseRate(data, { windowDays: 90 })).toMatchObject({ value: 0, customers: 0 });
  });
  it('returns 0 when no customer ordered in the window', () => {
    const data = prepareOrders([], { asOfMs: endOfUtcDay(AS_OF) });
    expect(computeRepeatPurchaseRate(data, { windowDays: 365 }).value).toBe(0);
  });
});

describe('computeRepeatRateSeries', () => {
  it('ends with the headline value and matches a brute-force count at every week', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ customer: fc.integer({ min: 1, max: 12 }), daysAgo: fc.integer({ min: 0, max: 200 }) }), { maxLength: 60 }),
        fc.integer({ min: 7, max: 90 }),
        (rows, windowDays) => {
          const orders = rows.map((r) => order(String(r.customer), addDays(AS_OF, -r.daysAgo), 100));
          const data = prepareOrders(orders, { asOfMs: endOfUtcDay(AS_OF) });
          const series = computeRepeatRateSeries(data, { windowDays, weeks: 20 });
          const headline = computeRepeatPurchaseRate(data, { windowDays });
          expect(series.value[series.value.length - 1]).toBe(headline.customers === 0 ? null : headline.value);
          series.weekStartMs.forEach((weekStart, k) => {
            const endMs = Math.min(weekStart + 7 * 86_400_000, endOfUtcDay(AS_OF) + 1) - 1;
            const startMs = Date.parse(new Date(endMs).toISOString().slice(0, 10)) - (windowDays - 1) * 86_400_000;
            const counts = new Map<string, number>();
            for (const o of orders) if (o.placedAtMs >= startMs && o.placedAtMs <= endMs) counts.set(o.customerId!, (counts.get(o.customerId!) ?? 0) + 1);
            const repeat = [...counts.values()].filter((c) => c >= 2).length;
            expect(series.value[k]).toBe(counts.size === 0 ? null : repeat / counts.size);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

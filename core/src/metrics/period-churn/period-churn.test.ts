import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { computePeriodChurn, periodEndingAt } from './period-churn.ts';

describe('computePeriodChurn', () => {
  it('gives 5% when 50 of 1,000 customers active at the start churn (issue 2 worked example)', () => {
    const asOf = '2024-12-31';
    const start = addDays(asOf, -90);
    const orders: OrderRecord[] = [];
    for (let i = 0; i < 1000; i++) {
      orders.push(order(String(i), addDays(start, -1 - (i % 60)), 1000)); // active at the start (<= 90 days before it)
      if (i >= 50) orders.push(order(String(i), addDays(asOf, -(i % 80)), 1000)); // 950 stay active
    }
    orders.push(order('lapsed', addDays(start, -200), 1000)); // not active at the start: not in the denominator
    orders.push(order('new', addDays(asOf, -5), 1000)); // acquired during the period: not in the denominator
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay(asOf) });
    const crr = computePeriodChurn(data, { period: periodEndingAt(data, 90), inactivityDays: 90 });
    expect(crr).toMatchObject({ activeAtStart: 1000, churned: 50, value: 0.05 });
  });
  it('rejects a period that ends after asOf', () => {
    const data = prepareOrders([], { asOfMs: endOfUtcDay('2024-12-31') });
    expect(() => computePeriodChurn(data, { period: { startDay: data.asOfDay - 10, endDay: data.asOfDay + 1 }, inactivityDays: 30 })).toThrow(
      /startDay < endDay/,
    );
  });
});

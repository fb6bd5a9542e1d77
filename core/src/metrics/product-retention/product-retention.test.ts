import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { periodEndingAt } from '../period-churn/period-churn.ts';
import { computeProductRetention } from './product-retention.ts';

describe('computeProductRetention', () => {
  it('computes (CE - CN) / CS: 100 active at start, 20 new, 90 active at end -> 70%', () => {
    const asOf = '2024-12-31';
    const start = addDays(asOf, -30);
    const orders: OrderRecord[] = [];
    for (let i = 0; i < 100; i++) {
      orders.push(order(`s${i}`, addDays(start, -1 - (i % 20)), 1000));
      if (i < 70) orders.push(order(`s${i}`, addDays(asOf, -3), 1000)); // 70 of them still active at the end
    }
    // 20 new customers in the period, all active at the end: CE = 70 + 20 = 90 (the other 30 are within 90 days too).
    for (let i = 0; i < 20; i++) orders.push(order(`n${i}`, addDays(asOf, -10), 1000));
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay(asOf) });
    // With a 30-day threshold, the 30 who did not reorder are inactive at the end (last order 30-49 days before it).
    const result = computeProductRetention(data, { period: periodEndingAt(data, 30), inactivityDays: 30 });
    expect(result.activeAtStart).toBe(100);
    expect(result.newInPeriod).toBe(20);
    expect(result.activeAtEnd).toBe(90);
    expect(result.value).toBeCloseTo(0.7, 12);
  });
});

import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { endOfUtcDay, order } from '../../testing/orders.ts';
import { computeMrr, mrrMinor } from './mrr.ts';

describe('mrrMinor', () => {
  it('gives 100 subscribers x $50 = $5,000 (issue 2 worked example)', () => {
    expect(mrrMinor(100, 5000)).toBe(500_000);
  });
});

describe('computeMrr', () => {
  it('sums subscription orders per month: 100 subscribers paying $50 -> $5,000', () => {
    const orders: OrderRecord[] = [];
    for (let i = 0; i < 100; i++) {
      orders.push(order(String(i), '2024-11-15', 5000, { subscription: true }));
      orders.push(order(String(i), '2024-12-15', 5000, { subscription: true }));
      orders.push(order(String(i), '2024-12-16', 9999)); // one-off order: not recurring revenue
    }
    const mrr = computeMrr(prepareOrders(orders, { asOfMs: endOfUtcDay('2024-12-31') }), { months: 3 });
    expect(mrr.current).toEqual({ spanDays: 30, mrrMinor: 500_000, subscribers: 100, averageRevenuePerSubscriberMinor: 5000 });
    expect(mrr.monthly.monthStartMs).toEqual([Date.UTC(2024, 9, 1), Date.UTC(2024, 10, 1), Date.UTC(2024, 11, 1)]);
    expect(mrr.monthly.mrrMinor).toEqual([0, 500_000, 500_000]);
    expect(mrr.monthly.subscribers).toEqual([0, 100, 100]);
  });
});

import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../orders/order.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { rfmCutPointsOf } from '../rfm/rfm.ts';
import { summarizeCustomers } from './customer-summary.ts';

describe('summarizeCustomers', () => {
  it('gives first/last order, counts, net spent, AOV, mean gap, expected next order and overdue flag', () => {
    const orders = [
      order('7', '2024-01-01', 3000),
      order('7', '2024-01-31', 5000, { refundedMinor: 1000 }),
      order('7', '2024-03-01', 2000),
      order(null, '2024-12-01', 4500, { email: ' Ann@Example.COM ' }),
    ];
    const asOfMs = endOfUtcDay('2024-12-31');
    const all = summarizeCustomers(orders, { asOfMs });
    expect(all.map((c) => c.customerKey)).toEqual(['7', 'ann@example.com']);
    expect(all[0]).toMatchObject({
      firstOrderAtMs: Date.UTC(2024, 0, 1, 12),
      lastOrderAtMs: Date.UTC(2024, 2, 1, 12),
      orderCount: 3,
      netSpentMinor: 9000,
      averageOrderValueMinor: 3000,
      meanDaysBetweenOrders: 30,
      expectedNextOrderAtMs: Date.UTC(2024, 2, 31, 12),
      overdue: true,
      daysSinceLastOrder: 305,
    });
    expect(all[1]).toMatchObject({ orderCount: 1, meanDaysBetweenOrders: null, expectedNextOrderAtMs: null, overdue: false, daysSinceLastOrder: 30 });
    expect(all[1]!.rfm.segment).toBeTypeOf('string');
  });
});

describe('summarizeCustomers with stored RFM cut points', () => {
  it("summarising a subset against the whole shop's cut points gives the same RFM as the full summary", () => {
    const asOf = '2024-12-31';
    const orders: OrderRecord[] = [];
    for (let i = 0; i < 41; i++) {
      for (let k = 0; k <= i % 5; k++) orders.push(order(String(1000 + i), addDays(asOf, -((i * 17) % 90) - 25 * k), 800 + ((i * 7) % 11) * 300));
    }
    const options = { asOfMs: endOfUtcDay(asOf), timeZone: 'Europe/Paris' };
    const full = summarizeCustomers(orders, options);
    const touched = new Set(['1003', '1020', '1037', '1040']);
    const subset = summarizeCustomers(
      orders.filter((o) => touched.has(o.customerId!)),
      { ...options, rfmCutPoints: rfmCutPointsOf(full) },
    );
    expect(subset.map((c) => c.customerKey)).toEqual([...touched]);
    const byKey = new Map(full.map((c) => [c.customerKey, c]));
    for (const c of subset) expect(c).toStrictEqual(byKey.get(c.customerKey));
    // Without the cut points the four are ranked among themselves, which differs.
    const alone = summarizeCustomers(
      orders.filter((o) => touched.has(o.customerId!)),
      options,
    );
    expect(alone.map((c) => c.rfm)).not.toEqual(subset.map((c) => c.rfm));
  });
});

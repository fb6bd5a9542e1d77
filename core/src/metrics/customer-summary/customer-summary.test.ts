import { describe, expect, it } from 'vitest';
import { endOfUtcDay, order } from '../../testing/orders.ts';
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

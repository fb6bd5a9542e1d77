import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import { endOfUtcDay, order } from '../../testing/orders.ts';
import { computeCohortMatrix } from './cohort-matrix.ts';

describe('computeCohortMatrix', () => {
  it('gives the share ordering per month since acquisition and cumulative revenue per cohort customer', () => {
    const orders = [
      order('1', '2024-01-03', 1000),
      order('1', '2024-01-20', 500),
      order('1', '2024-03-05', 2000),
      order('2', '2024-01-15', 3000),
      order('2', '2024-02-01', 1000),
      order('3', '2024-02-10', 4000),
    ];
    const matrix = computeCohortMatrix(prepareOrders(orders, { asOfMs: endOfUtcDay('2024-03-31') }));
    expect(matrix.maxMonthsSince).toBe(2);
    expect(matrix.cohorts.map((c) => [c.cohortMonth, c.customers, c.activeShare, c.cumulativeRevenuePerCustomerMinor])).toEqual([
      ['2024-01', 2, [1, 0.5, 0.5], [2250, 2750, 3750]],
      ['2024-02', 1, [1, 0], [4000, 4000]],
    ]);
    expect(matrix.cohorts[0]!.cohortStartMs).toBe(Date.UTC(2024, 0, 1));
  });
  it('uses months in the shop time zone', () => {
    // 2024-01-31 23:30 UTC is already February in Berlin.
    const orders = [order('1', '2024-01-31T23:30:00Z', 1000)];
    const matrix = computeCohortMatrix(prepareOrders(orders, { asOfMs: endOfUtcDay('2024-03-31'), timeZone: 'Europe/Berlin' }));
    expect(matrix.cohorts[0]!.cohortMonth).toBe('2024-02');
    expect(matrix.cohorts[0]!.cohortStartMs).toBe(Date.UTC(2024, 0, 31, 23));
  });
});

import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import { endOfUtcDay, order } from '../../testing/orders.ts';
import { computeRepurchaseWithin } from './repurchase-window.ts';

describe('computeRepurchaseWithin', () => {
  it('gives the share of each cohort reordering within N days and marks cohorts too young', () => {
    const orders = [
      // January 2024 cohort: 4 customers.
      order('1', '2024-01-05', 1000),
      order('1', '2024-01-20', 1000), // 15 days
      order('2', '2024-01-10', 1000),
      order('2', '2024-03-10', 1000), // 60 days
      order('3', '2024-01-31', 1000),
      order('3', '2024-07-29', 1000), // 180 days
      order('4', '2024-01-15', 1000),
      // June 2024 cohort: 2 customers.
      order('5', '2024-06-02', 1000),
      order('5', '2024-06-12', 1000),
      order('6', '2024-06-20', 1000),
    ];
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay('2024-09-30') });
    const result = computeRepurchaseWithin(data);
    const january = result.cohorts[0]!;
    expect(january.cohortMonth).toBe('2024-01');
    expect(january.customers).toBe(4);
    expect(january.rates.map((r) => r.value)).toEqual([0.25, 0.5, 0.75, null]);
    expect(january.rates[3]).toMatchObject({ days: 365, tooYoung: true, eligible: 0 });
    const june = result.cohorts[1]!;
    // June ends on the 30th; + 90 days = 2024-09-28 <= asOf, + 180 days is after asOf.
    expect(june.rates.map((r) => r.tooYoung)).toEqual([false, false, true, true]);
    expect(june.rates[0]!.value).toBe(0.5);
    expect(result.overall[0]).toMatchObject({ days: 30, eligible: 6, repurchased: 2 });
    expect(result.overall[2]).toMatchObject({ days: 180, eligible: 4, repurchased: 3, value: 0.75 });
    expect(result.overall[3]).toMatchObject({ days: 365, value: null, tooYoung: true });
  });
});

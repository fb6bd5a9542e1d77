import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { computeTimeBetweenOrders } from './time-between-orders.ts';

describe('computeTimeBetweenOrders', () => {
  it('gives the median and quartiles of 1st -> 2nd and 2nd -> 3rd gaps in days', () => {
    const d0 = '2024-01-01';
    const orders = [
      order('1', d0, 100),
      order('1', addDays(d0, 10), 100),
      order('1', addDays(d0, 40), 100),
      order('2', d0, 100),
      order('2', addDays(d0, 20), 100),
      order('2', addDays(d0, 80), 100),
      order('3', d0, 100),
      order('3', addDays(d0, 30), 100),
      order('4', d0, 100),
      order('4', addDays(d0, 400), 100),
      order('5', d0, 100),
    ];
    const result = computeTimeBetweenOrders(prepareOrders(orders, { asOfMs: endOfUtcDay('2025-12-31') }));
    expect(result.firstToSecond).toMatchObject({ customers: 4, p25Days: 17.5, medianDays: 25, p75Days: 122.5, meanDays: 115 });
    expect(result.firstToSecond.histogram).toEqual([0, 1, 2, 0, 0, 0, 0, 1]);
    expect(result.secondToThird).toMatchObject({ customers: 2, medianDays: 45 });
  });
});

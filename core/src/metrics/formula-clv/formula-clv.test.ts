import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import { CoreError } from '../../errors/core-error.ts';
import { endOfUtcDay, order } from '../../testing/orders.ts';
import { computeShopFormulaClv, expectedLifetimeYears, formulaClvMinor } from './formula-clv.ts';

describe('formulaClvMinor', () => {
  it('gives $50 x 4 x 5 = $1,000 (issue 2 worked example)', () => {
    expect(formulaClvMinor({ averageOrderValueMinor: 5000, purchasesPerYear: 4, expectedLifetimeYears: 5, marginFraction: 1 })).toBe(100_000);
  });
  it('gives AOV $75 x 2/yr x 3 yr x 0.40 margin = $180 (issue 2 worked example)', () => {
    expect(formulaClvMinor({ averageOrderValueMinor: 7500, purchasesPerYear: 2, expectedLifetimeYears: 3, marginFraction: 0.4 })).toBeCloseTo(18_000, 9);
  });
  it('rejects a margin outside [0, 1]', () => {
    expect(() => formulaClvMinor({ averageOrderValueMinor: 1, purchasesPerYear: 1, expectedLifetimeYears: 1, marginFraction: 40 })).toThrow(CoreError);
  });
});

describe('expectedLifetimeYears', () => {
  it('is 1 / annual churn, bounded to [1, 10] years', () => {
    expect(expectedLifetimeYears(0.2)).toBe(5);
    expect(expectedLifetimeYears(0.01)).toBe(10);
    expect(expectedLifetimeYears(0)).toBe(10);
    expect(expectedLifetimeYears(1)).toBe(1);
  });
});

describe('computeShopFormulaClv', () => {
  it('takes AOV, frequency and churn from the last year, falling back to 1 - repeat rate for a young shop', () => {
    const orders = [order('1', '2024-03-01', 4000), order('1', '2024-06-01', 6000), order('2', '2024-05-01', 5000), order('3', '2024-09-01', 5000)];
    const result = computeShopFormulaClv(prepareOrders(orders, { asOfMs: endOfUtcDay('2024-12-31') }), { marginFraction: 0.5 });
    expect(result.averageOrderValueMinor).toBe(5000);
    expect(result.purchasesPerYear).toBeCloseTo(4 / 3, 12);
    expect(result.annualChurnSource).toBe('one-minus-repeat-rate');
    expect(result.annualChurnRate).toBeCloseTo(2 / 3, 12);
    expect(result.expectedLifetimeYears).toBeCloseTo(1.5, 12);
    expect(result.valueMinor).toBeCloseTo(5000 * (4 / 3) * 1.5 * 0.5, 6);
  });
  it('uses the 365-day period churn when customers were active a year ago', () => {
    const orders = [
      order('1', '2023-06-01', 1000),
      order('1', '2024-06-01', 1000), // stays
      order('2', '2023-07-01', 1000), // churns
    ];
    const result = computeShopFormulaClv(prepareOrders(orders, { asOfMs: endOfUtcDay('2024-12-31') }), { marginFraction: 1 });
    expect(result).toMatchObject({ annualChurnSource: 'period-churn', annualChurnRate: 0.5, expectedLifetimeYears: 2 });
  });
});

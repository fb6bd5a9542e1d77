import { describe, expect, it } from 'vitest';
import { betaGeoConditionalExpectedPurchases, betaGeoProbabilityAlive, bgNbdConditionalExpectedPurchases } from '../bg-nbd/predict.ts';
import { gammaGammaExpectedAverageValue } from '../gamma-gamma/predict.ts';
import { compressSummaries, summarizeOrders } from '../btyd-summary/btyd-summary.ts';
import { discountedClv, predictCustomers } from './clv.ts';

const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const customer = { x: 2, tx: 30.43, T: 38.86, expectedAverageValue: 24.65 };

describe('discountedClv', () => {
  it('equals E[Y(f)]·E(M) with no discount over one month (lifetimes unit test)', () => {
    const clv = discountedClv('bg-nbd', params, customer, 4.345, { horizonMonths: 1, annualDiscountRate: 0 });
    expect(clv).toBeCloseTo(bgNbdConditionalExpectedPurchases(params, 4.345, 2, 30.43, 38.86) * 24.65, 12);
  });

  it('halves each month with a 100% monthly discount rate', () => {
    const clv = discountedClv('bg-nbd', params, customer, 4.345, { horizonMonths: 1, annualDiscountRate: 2 ** 12 - 1 });
    expect(clv).toBeCloseTo((bgNbdConditionalExpectedPurchases(params, 4.345, 2, 30.43, 38.86) * 24.65) / 2, 10);
  });

  it('applies the margin and sums twelve discounted months by default', () => {
    let expected = 0;
    for (let k = 1; k <= 12; k++) {
      const inc =
        bgNbdConditionalExpectedPurchases(params, k * 4.345, 2, 30.43, 38.86) - bgNbdConditionalExpectedPurchases(params, (k - 1) * 4.345, 2, 30.43, 38.86);
      expected += (inc * 24.65) / 1.01 ** k;
    }
    expect(discountedClv('bg-nbd', params, customer, 4.345, { margin: 0.3 })).toBeCloseTo(0.3 * expected, 10);
  });

  it('rejects a margin above 1', () => {
    expect(() => discountedClv('bg-nbd', params, customer, 4.345, { margin: 30 })).toThrow(RangeError);
  });
});

describe('predictCustomers', () => {
  it('gives every customer the same numbers as evaluating the formulas for that customer alone', () => {
    const day = 86_400_000;
    const orders = [
      ['a', 0, 1000],
      ['a', 10, 3000],
      ['a', 30, 2000],
      ['b', 5, 500],
      ['c', 0, 1200],
      ['c', 10, 800],
      ['c', 30, 4000],
      ['d', 40, 700],
      ['d', 41, 900],
    ].map(([key, d, amount]) => ({ customerKey: String(key), placedAtMs: Number(d) * day + 1, amountMinor: Number(amount) }));
    const summaries = summarizeOrders(orders, { calibrationEndMs: 60 * day, timeZone: 'UTC', timeUnit: 'week' });
    const compressed = compressSummaries(summaries);
    expect(compressed.weight.length).toBe(3);
    const spend = { p: 6, q: 4, gamma: 1500 };
    const predicted = predictCustomers({ model: 'mbg-nbd', params }, spend, summaries, compressed, 10, { margin: 0.5 });
    summaries.customerKeys.forEach((_, i) => {
      const x = summaries.frequency[i]!;
      const tx = summaries.recency[i]!;
      const T = summaries.age[i]!;
      const value = gammaGammaExpectedAverageValue(spend, x, summaries.monetaryValueMinor[i]!);
      expect(predicted.pAlive[i]).toBe(betaGeoProbabilityAlive('mbg-nbd', params, x, tx, T));
      expect(predicted.expectedPurchases[i]).toBe(betaGeoConditionalExpectedPurchases('mbg-nbd', params, 10, x, tx, T));
      expect(predicted.expectedAverageValueMinor[i]).toBe(value);
      expect(predicted.clvMinor[i]).toBeCloseTo(discountedClv('mbg-nbd', params, { x, tx, T, expectedAverageValue: value }, 4.345, { margin: 0.5 }), 9);
    });
    // Customers a and c share a row but not their spend.
    expect(predicted.clvMinor[0]).not.toBe(predicted.clvMinor[2]);
  });
});

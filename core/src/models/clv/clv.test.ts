import { describe, expect, it } from 'vitest';
import { bgNbdConditionalExpectedPurchases } from '../bg-nbd/predict.ts';
import { discountedClv } from './clv.ts';

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

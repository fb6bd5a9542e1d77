import hyp2f1Stdlib from '@stdlib/math-base-special-hyp2f1';
import { describe, expect, it } from 'vitest';
import { hyp2f1OrSeries, hyp2f1Series } from './special-functions.ts';

describe('hyp2f1Series', () => {
  it('matches closed forms: ₂F₁(1, 1; 2; z) = −ln(1−z)/z and ₂F₁(a, b; b; z) = (1−z)^−a', () => {
    for (const z of [-0.9, -0.3, 0.01, 0.5, 0.9]) {
      expect(hyp2f1Series(1, 1, 2, z)).toBeCloseTo(-Math.log1p(-z) / z, 12);
      expect(hyp2f1Series(2.5, 1.7, 1.7, z)).toBeCloseTo(Math.pow(1 - z, -2.5), 10);
    }
  });

  it('agrees with @stdlib wherever @stdlib is finite, on a grid of BTYD-like arguments', () => {
    let compared = 0;
    for (const a of [-0.5, 0.3, 2]) {
      for (const b of [-40.5, -3, 0.7, 12]) {
        for (const c of [0.8, 1.9, 25]) {
          for (const z of [0.001, 0.2, 0.6]) {
            const reference = hyp2f1Stdlib(a, b, c, z);
            const series = hyp2f1Series(a, b, c, z);
            if (!Number.isFinite(reference) || !Number.isFinite(series)) continue;
            expect(Math.abs(series - reference), `₂F₁(${a}, ${b}; ${c}; ${z})`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(reference)));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(80);
  });

  it('says NaN rather than a wrong number when the series cannot be trusted', () => {
    expect(hyp2f1Series(1, 1, 2, 1)).toBeNaN();
    // Alternating terms near e^200 around a sum of order 1: no digit left.
    expect(hyp2f1Series(0.5, -20_000, 1.5, 0.01)).toBeNaN();
  });
});

describe('hyp2f1OrSeries', () => {
  it("falls back to the series where @stdlib gives NaN: a degenerate MBG/NBD fit's point (b ≈ −6·10⁴, tiny z)", () => {
    // From a real fit (r = 57734, α = 6601839, a = 1.322, b = 0.508) on a generated shop: the Euler bracket's ₂F₁.
    const [a, b, c, z] = [0.3220938802072468, -57732.2, 1.8304, 90 / (6601839.76 + 37 + 90)];
    expect(hyp2f1Stdlib(a, b, c, z)).toBeNaN();
    const value = hyp2f1OrSeries(a, b, c, z);
    expect(Number.isFinite(value)).toBe(true);
    // The series is short there: its first terms already give the value to 1e-3.
    const t1 = (a * b * z) / c;
    const t2 = (t1 * (a + 1) * (b + 1) * z) / ((c + 1) * 2);
    expect(value).toBeCloseTo(1 + t1 + t2, 2);
  });
});

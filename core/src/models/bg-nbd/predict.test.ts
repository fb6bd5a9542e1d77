import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hyp2f1 } from '../special-functions/special-functions.ts';
import {
  betaGeoConditionalExpectedPurchases,
  betaGeoProbabilityAlive,
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdProbabilityAlive,
  bgNbdProbabilityNoPurchase,
  bgNbdPurchaseProbability,
} from './predict.ts';
import { BetaGeoVariant, bgNbdLogLikelihood } from './likelihood.ts';

const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/** FHL 2005 eq. 10 written directly with ₂F₁(r+x, b+x; a+b+x−1; z), the form that overflows at extremes. */
function directConditional(p: typeof published, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + T + t);
  const num = ((a + b + x - 1) / (a - 1)) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z));
  const den = 1 + (x > 0 ? 1 : 0) * (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x);
  return num / den;
}

describe('bgNbdConditionalExpectedPurchases', () => {
  it('agrees with the direct (non-Euler) form of FHL 2005 eq. 10 to 1e-9 where that form is finite', () => {
    for (const [t, x, tx, T] of [
      [39, 2, 30.43, 38.86],
      [39, 7, 29.43, 38.86],
      [1, 0, 0, 38.86],
      [52, 26, 30.86, 31],
      [104, 10, 20, 38],
    ] as const) {
      const direct = directConditional(published, t, x, tx, T);
      expect(Math.abs(bgNbdConditionalExpectedPurchases(published, t, x, tx, T) - direct) / direct).toBeLessThan(1e-9);
    }
  });

  it('stays finite where the direct hypergeometric overflows (x = 500, t = 520 weeks)', () => {
    const direct = directConditional(published, 520, 500, 110, 110);
    const stable = bgNbdConditionalExpectedPurchases(published, 520, 500, 110, 110);
    expect(Number.isFinite(direct)).toBe(false);
    expect(Number.isFinite(stable)).toBe(true);
    expect(stable).toBeGreaterThan(100);
  });

  it('is continuous through the removable singularity a = 1', () => {
    const at = (a: number): number => bgNbdConditionalExpectedPurchases({ ...published, a }, 39, 3, 20, 38);
    expect(at(1)).toBeCloseTo((at(1 - 1e-4) + at(1 + 1e-4)) / 2, 6);
    expect(Number.isFinite(betaGeoConditionalExpectedPurchases('mbg-nbd', { ...published, a: 1 }, 39, 3, 20, 38))).toBe(true);
  });

  it('is non-negative and increasing in t (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.5, max: 200, noNaN: true }), (x, frac, T) => {
        const tx = x === 0 ? 0 : Math.max(1e-3, frac * T);
        const e1 = bgNbdConditionalExpectedPurchases(published, 10, x, tx, T);
        const e2 = bgNbdConditionalExpectedPurchases(published, 20, x, tx, T);
        return e1 >= 0 && e2 >= e1 && Number.isFinite(e2);
      }),
    );
  });
});

describe('bgNbdProbabilityAlive', () => {
  it('is exactly 0 for x = 1000, t_x = 10, T = 100 (lifetimes overflow test) and 1 for x = 0', () => {
    expect(bgNbdProbabilityAlive(published, 1000, 10, 100)).toBe(0);
    expect(bgNbdProbabilityAlive(published, 0, 0, 1e6)).toBe(1);
  });

  it('stays within [0, 1] (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1e4, noNaN: true }), (x, frac, T) => {
        const p = bgNbdProbabilityAlive(published, x, frac * T, T);
        return p >= 0 && p <= 1;
      }),
    );
  });
});

describe('bgNbdPurchaseProbability', () => {
  it('sums to 1 over n and its mean equals E[X(t)]', () => {
    for (const t of [1, 39, 78]) {
      let total = 0;
      let mean = 0;
      for (let n = 0; n < 400; n++) {
        const p = bgNbdPurchaseProbability(published, t, n);
        total += p;
        mean += n * p;
      }
      expect(total).toBeCloseTo(1, 8);
      expect(mean).toBeCloseTo(bgNbdExpectedPurchases(published, t), 6);
    }
  });
});

describe('bgNbdProbabilityNoPurchase', () => {
  const histories = [
    [2, 30.43, 38.86],
    [7, 29.43, 38.86],
    [0, 0, 38.86],
    [26, 30.86, 31],
  ] as const;

  it('is 1 at t = 0, non-increasing in t, and tends to 1 − P(alive)', () => {
    for (const [x, tx, T] of histories) {
      expect(bgNbdProbabilityNoPurchase(published, 0, x, tx, T)).toBe(1);
      let previous = 1;
      for (const t of [0.1, 1, 13, 39, 104, 520]) {
        const p = bgNbdProbabilityNoPurchase(published, t, x, tx, T);
        expect(p).toBeLessThanOrEqual(previous);
        previous = p;
      }
      expect(bgNbdProbabilityNoPurchase(published, Number.POSITIVE_INFINITY, x, tx, T)).toBeCloseTo(1 - bgNbdProbabilityAlive(published, x, tx, T), 12);
    }
  });

  it('equals the PMF P(X(39) = 0) = 0.5737864 for a brand-new customer (x = t_x = T = 0; R BTYD tests)', () => {
    expect(bgNbdProbabilityNoPurchase(published, 39, 0, 0, 0)).toBeCloseTo(0.5737864, 7);
    expect(bgNbdProbabilityNoPurchase(published, 39, 0, 0, 0)).toBeCloseTo(bgNbdPurchaseProbability(published, 39, 0), 12);
  });

  it('equals the likelihood ratio L(x, t_x, T+t) / L(x, t_x, T)', () => {
    for (const [x, tx, T] of histories) {
      for (const t of [1, 39, 520]) {
        const ratio = Math.exp(
          bgNbdLogLikelihood(published, { frequency: [x], recency: [tx], age: [T + t] }) -
            bgNbdLogLikelihood(published, { frequency: [x], recency: [tx], age: [T] }),
        );
        expect(bgNbdProbabilityNoPurchase(published, t, x, tx, T)).toBeCloseTo(ratio, 12);
      }
    }
  });
});

describe('a degenerate fit (r and α run off together, the Poisson limit)', () => {
  // Fitted on a generated shop's backtest; @stdlib's ₂F₁ gave NaN for every one-time buyer here, and the shop's whole
  // recompute failed on it.
  const params = { r: 57734.04792111182, alpha: 6601839.758889715, a: 1.3220938802072468, b: 0.5083067589325435 };
  it('still gives finite expected purchases, between 0 and P(alive) times the mean rate times t', () => {
    for (const variant of [BetaGeoVariant.mbgNbd, BetaGeoVariant.bgNbd]) {
      for (const [x, tx, T] of [
        [0, 0, 37],
        [0, 0, 309],
        [1, 20, 309],
        [4, 300, 309],
      ] as const) {
        for (const t of [30, 90, 365]) {
          const e = betaGeoConditionalExpectedPurchases(variant, params, t, x, tx, T);
          const upper = betaGeoProbabilityAlive(variant, params, x, tx, T) * ((params.r + x) / (params.alpha + T)) * t;
          expect(Number.isFinite(e), `${variant} x=${x} T=${T} t=${t}`).toBe(true);
          expect(e).toBeGreaterThan(0);
          expect(e).toBeLessThanOrEqual(upper * (1 + 1e-9));
        }
      }
    }
  });
});

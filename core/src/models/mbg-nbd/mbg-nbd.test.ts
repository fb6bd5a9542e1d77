import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { bgNbdProbabilityAlive } from '../bg-nbd/predict.ts';
import { fitMbgNbd } from './fit.ts';
import { mbgNbdLogLikelihood } from './likelihood.ts';
import { mbgNbdConditionalExpectedPurchases, mbgNbdExpectedPurchases, mbgNbdProbabilityAlive, mbgNbdProbabilityNoPurchase } from './predict.ts';
import { simulateMbgNbd } from './simulate.ts';

const params = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };

describe('fitMbgNbd', () => {
  it('recovers the parameters of data simulated from MBG/NBD (seed 99, 20,000 customers)', () => {
    const truth = { r: 0.6, alpha: 5, a: 0.9, b: 1.8 };
    const rng = createSeededRng(99);
    const sim = simulateMbgNbd(
      truth,
      Float64Array.from({ length: 20_000 }, () => 40 + 12 * rng()),
      rng,
    );
    const fit = fitMbgNbd(sim);
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    const p = fit.value.params;
    expect(Math.abs(p.r / truth.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(p.alpha / truth.alpha - 1)).toBeLessThan(0.15);
    expect(Math.abs(p.a / truth.a - 1)).toBeLessThan(0.25);
    expect(Math.abs(p.b / truth.b - 1)).toBeLessThan(0.3);
    expect(fit.value.logLikelihood).toBeGreaterThanOrEqual(mbgNbdLogLikelihood(truth, sim));
  });
});

describe('mbgNbdProbabilityAlive', () => {
  it('decays with time for one-time buyers, while BG/NBD keeps them alive forever', () => {
    const ages = [1, 30, 90, 365, 1000];
    const mbg = ages.map((T) => mbgNbdProbabilityAlive(params, 0, 0, T));
    const bg = ages.map((T) => bgNbdProbabilityAlive(params, 0, 0, T));
    expect(bg).toEqual([1, 1, 1, 1, 1]);
    for (let i = 1; i < mbg.length; i++) expect(mbg[i]!).toBeLessThan(mbg[i - 1]!);
    expect(mbg[0]!).toBeLessThan(1);
    expect(mbg.at(-1)!).toBeLessThan(0.2);
  });

  it('stays in [0, 1] and is exactly 0 at extreme inactivity', () => {
    expect(mbgNbdProbabilityAlive(params, 1000, 10, 100)).toBe(0);
    expect(mbgNbdProbabilityAlive(params, 5, 50, 50)).toBeLessThanOrEqual(1);
  });
});

describe('mbgNbdExpectedPurchases', () => {
  it('equals the conditional expectation of a customer observed for zero time (x = 0, T = 0)', () => {
    for (const t of [1, 10, 39, 100]) {
      expect(mbgNbdExpectedPurchases(params, t)).toBeCloseTo(mbgNbdConditionalExpectedPurchases(params, t, 0, 0, 0), 10);
    }
  });
});

describe('mbgNbdProbabilityNoPurchase', () => {
  const histories = [
    [2, 30.43, 38.86],
    [0, 0, 38.86],
    [0, 0, 0],
    [26, 30.86, 31],
  ] as const;

  it('is 1 at t = 0, non-increasing in t, and tends to 1 − P(alive) (below 1 even for one-time buyers)', () => {
    for (const [x, tx, T] of histories) {
      expect(mbgNbdProbabilityNoPurchase(params, 0, x, tx, T)).toBe(1);
      let previous = 1;
      for (const t of [0.1, 1, 13, 39, 104, 520]) {
        const p = mbgNbdProbabilityNoPurchase(params, t, x, tx, T);
        expect(p).toBeLessThanOrEqual(previous);
        previous = p;
      }
      expect(mbgNbdProbabilityNoPurchase(params, Number.POSITIVE_INFINITY, x, tx, T)).toBeCloseTo(1 - mbgNbdProbabilityAlive(params, x, tx, T), 12);
    }
  });

  it('equals the likelihood ratio L(x, t_x, T+t) / L(x, t_x, T)', () => {
    for (const [x, tx, T] of histories) {
      for (const t of [1, 39, 520]) {
        const ratio = Math.exp(
          mbgNbdLogLikelihood(params, { frequency: [x], recency: [tx], age: [T + t] }) -
            mbgNbdLogLikelihood(params, { frequency: [x], recency: [tx], age: [T] }),
        );
        expect(mbgNbdProbabilityNoPurchase(params, t, x, tx, T)).toBeCloseTo(ratio, 12);
      }
    }
  });
});

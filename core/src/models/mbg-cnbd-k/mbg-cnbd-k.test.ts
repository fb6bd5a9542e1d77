import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { mbgNbdLogLikelihood } from '../mbg-nbd/likelihood.ts';
import { mbgNbdConditionalExpectedPurchases, mbgNbdExpectedPurchases, mbgNbdProbabilityAlive, mbgNbdProbabilityNoPurchase } from '../mbg-nbd/predict.ts';
import { mbgCnbdCustomerLogLikelihood, mbgCnbdLogLikelihood, mbgCnbdPreparedLogLikelihood, prepareMbgCnbdRows } from './likelihood.ts';
import type { MbgCnbdParams } from './likelihood.ts';
import { mbgCnbdConditionalExpectedPurchases, mbgCnbdExpectedPurchases, mbgCnbdProbabilityAlive, mbgCnbdProbabilityNoPurchase } from './predict.ts';
import { simulateMbgCnbd } from './simulate.ts';

/** BTYDplus's MBG/NBD params on CDNOW (weeks), clv-models.md §6. */
const mbg = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };
/** The regular-buyer params of the BTYDplus MBG/CNBD-k test (tests/testthat/test-mbg-cnbd-k.R). */
const regular: MbgCnbdParams = { k: 3, r: 0.85, alpha: 1.45, a: 0.79, b: 2.42 };

/** Histories (x, t_x, T, litt) in weeks: CDNOW ID 1 (gaps 17 and 196 days), a one-time buyer, a heavy buyer, a new one. */
const histories = [
  [2, 213 / 7, 272 / 7, Math.log(17 / 7) + Math.log(196 / 7)],
  [0, 0, 38.86, 0],
  [26, 30.86, 31, 26 * Math.log(30.86 / 26) - 0.4],
  [0, 0, 0, 0],
  [5, 10, 30, 5 * Math.log(2) - 0.1],
] as const;

describe('mbgCnbdLogLikelihood', () => {
  it('equals the MBG/NBD log-likelihood at k = 1, whatever litt is', () => {
    for (const [x, tx, T, litt] of histories) {
      const mbgLl = mbgNbdLogLikelihood(mbg, { frequency: [x], recency: [tx], age: [T] });
      expect(mbgCnbdCustomerLogLikelihood({ k: 1, ...mbg }, x, tx, T, litt)).toBeCloseTo(mbgLl, 12);
    }
  });

  it('has the analytic gradient of a central finite difference in ln(r, α, a, b), for k = 1, 3 and 7', () => {
    const rows = prepareMbgCnbdRows({
      frequency: histories.map((h) => h[0]),
      recency: histories.map((h) => h[1]),
      age: histories.map((h) => h[2]),
      logIntervalSum: histories.map((h) => h[3]),
      weight: [3, 1, 2, 5, 1],
    });
    for (const k of [1, 3, 7]) {
      const values = [0.7, 4.2, 0.8, 2.1];
      const at = (v: readonly number[], g: Float64Array | null): number =>
        mbgCnbdPreparedLogLikelihood({ k, r: v[0]!, alpha: v[1]!, a: v[2]!, b: v[3]! }, rows, g);
      const gradient = new Float64Array(4);
      at(values, gradient);
      for (let i = 0; i < 4; i++) {
        const h = 1e-6;
        const up = values.map((v, j) => (j === i ? v * Math.exp(h) : v));
        const down = values.map((v, j) => (j === i ? v * Math.exp(-h) : v));
        expect(gradient[i]).toBeCloseTo((at(up, null) - at(down, null)) / (2 * h), 5);
      }
    }
  });

  it("integrates to 1 over one customer's histories in (0, T] for k = 2 (density in t_1 plus the no-purchase mass)", () => {
    // x = 0 mass + ∫ density of x = 1 at t_1 + ∫∫ x = 2 at (t_1, t_2) ≈ 1 when further purchases are unlikely in T.
    const p: MbgCnbdParams = { k: 2, r: 2, alpha: 40, a: 2, b: 1 };
    const T = 4;
    const steps = 400;
    const h = T / steps;
    let total = Math.exp(mbgCnbdCustomerLogLikelihood(p, 0, 0, T, 0));
    for (let i = 0; i < steps; i++) {
      const t1 = (i + 0.5) * h;
      total += h * Math.exp(mbgCnbdCustomerLogLikelihood(p, 1, t1, T, Math.log(t1)));
      for (let j = 0; j < steps - i - 1; j++) {
        const gap = (j + 0.5) * h;
        if (t1 + gap > T) break;
        total += h * h * Math.exp(mbgCnbdCustomerLogLikelihood(p, 2, t1 + gap, T, Math.log(t1) + Math.log(gap)));
      }
    }
    expect(total).toBeGreaterThan(0.995);
    expect(total).toBeLessThan(1.0001);
  });

  it('throws a RangeError naming the row when litt is not in the unit of t_x', () => {
    // Gaps of 7 and 14 days given as days while t_x is in weeks: litt > x·ln(t_x/x).
    expect(() => mbgCnbdLogLikelihood({ k: 2, ...mbg }, { frequency: [2], recency: [3], age: [5], logIntervalSum: [Math.log(7) + Math.log(14)] })).toThrow(
      /Row 0: litt/,
    );
    expect(() => mbgCnbdCustomerLogLikelihood({ k: 1.5, ...mbg }, 0, 0, 1, 0)).toThrow(RangeError);
  });
});

describe('MBG/CNBD-k predictions at k = 1', () => {
  it('equal MBG/NBD P(alive), E[Y(t)], E[X(t)] and P(no purchase)', () => {
    const p = { k: 1, ...mbg };
    for (const [x, tx, T] of histories) {
      expect(mbgCnbdProbabilityAlive(p, x, tx, T)).toBeCloseTo(mbgNbdProbabilityAlive(mbg, x, tx, T), 12);
      for (const t of [0.5, 13, 39, 104, 520]) {
        const expected = mbgNbdConditionalExpectedPurchases(mbg, t, x, tx, T);
        expect(Math.abs(mbgCnbdConditionalExpectedPurchases(p, t, x, tx, T) - expected)).toBeLessThan(1e-10 * (1 + expected));
        expect(mbgCnbdProbabilityNoPurchase(p, t, x, tx, T)).toBeCloseTo(mbgNbdProbabilityNoPurchase(mbg, t, x, tx, T), 12);
      }
    }
    for (const t of [1, 39, 78]) expect(mbgCnbdExpectedPurchases(p, t)).toBeCloseTo(mbgNbdExpectedPurchases(mbg, t), 10);
  });
});

describe('mbgCnbdProbabilityNoPurchase', () => {
  it('is 1 at t = 0, non-increasing in t, and tends to 1 − P(alive)', () => {
    for (const [x, tx, T] of histories) {
      let previous = 1;
      expect(mbgCnbdProbabilityNoPurchase(regular, 0, x, tx, T)).toBe(1);
      for (const t of [0.1, 1, 13, 39, 104, 520]) {
        const p = mbgCnbdProbabilityNoPurchase(regular, t, x, tx, T);
        expect(p).toBeLessThanOrEqual(previous);
        previous = p;
      }
      const dead = 1 - mbgCnbdProbabilityAlive(regular, x, tx, T);
      expect(mbgCnbdProbabilityNoPurchase(regular, 1e12, x, tx, T)).toBeCloseTo(dead, 6);
      expect(mbgCnbdProbabilityNoPurchase(regular, Number.POSITIVE_INFINITY, x, tx, T)).toBe(dead);
    }
  });

  it('for a customer who just bought, equals P(dead) + P(alive)·P(fewer than k phases in t) (the Erlang-k gap starts afresh)', () => {
    // Just bought (t_x = T): alive ⇒ zero phases done, next purchase after k phases of a Gamma(r+kx, α+T)-mixed rate.
    const [x, T, t] = [4, 20, 3];
    const { k, r, alpha } = regular;
    const s = r + k * x;
    const q = t / (alpha + T + t);
    let nbBelowK = 0;
    let lnP = -s * Math.log1p(t / (alpha + T));
    for (let n = 0; n < k; n++) {
      if (n > 0) lnP += Math.log((s + n - 1) / n) + Math.log(q);
      nbBelowK += Math.exp(lnP);
    }
    const alive = mbgCnbdProbabilityAlive(regular, x, T, T);
    expect(mbgCnbdProbabilityNoPurchase(regular, t, x, T, T)).toBeCloseTo(1 - alive + alive * nbBelowK, 12);
  });
});

describe('mbgCnbdConditionalExpectedPurchases', () => {
  it('predicts the holdout purchases of 4,000 simulated regular buyers (seed 7) within 3% in total, with the true params', () => {
    const rng = createSeededRng(7);
    const ages = Float64Array.from({ length: 4000 }, () => 12 + 84 * rng());
    const sim = simulateMbgCnbd(regular, ages, rng, { holdout: 32 });
    let predicted = 0;
    let actual = 0;
    let alive = 0;
    let pAlive = 0;
    for (let i = 0; i < ages.length; i++) {
      predicted += mbgCnbdConditionalExpectedPurchases(regular, 32, sim.frequency[i]!, sim.recency[i]!, sim.age[i]!);
      actual += sim.holdoutFrequency![i]!;
      pAlive += mbgCnbdProbabilityAlive(regular, sim.frequency[i]!, sim.recency[i]!, sim.age[i]!);
      alive += sim.alive[i]!;
    }
    expect(Math.abs(predicted / actual - 1)).toBeLessThan(0.03);
    expect(Math.abs(pAlive / alive - 1)).toBeLessThan(0.03);
  });

  it('equals E[X(t)] for a brand-new customer, and E[X(t)] matches the simulated mean of 20,000 customers (seed 3)', () => {
    const rng = createSeededRng(3);
    const sim = simulateMbgCnbd(regular, new Float64Array(20_000).fill(20), rng);
    let mean = 0;
    for (const x of sim.frequency) mean += x / 20_000;
    expect(mbgCnbdExpectedPurchases(regular, 20)).toBeCloseTo(mbgCnbdConditionalExpectedPurchases(regular, 20, 0, 0, 0), 14);
    expect(Math.abs(mbgCnbdExpectedPurchases(regular, 20) / mean - 1)).toBeLessThan(0.03);
  });

  it('stays finite for a heavy buyer over a long horizon and is 0 at t = 0', () => {
    const value = mbgCnbdConditionalExpectedPurchases({ ...regular, k: 12 }, 520, 200, 100, 104);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
    expect(mbgCnbdConditionalExpectedPurchases(regular, 0, 3, 10, 20)).toBe(0);
  });
});

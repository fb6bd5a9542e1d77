import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { areaUnderRoc, brierScore, calibrationTable, compareAuc, logLoss, meanAbsoluteError, topDecileCapture } from './evaluation.ts';

function value<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.reason}`);
  return result.value;
}

describe('compareAuc', () => {
  /** DeLong's variance from its definition: O(N₁·N₀) placement values and two-pass covariances. */
  function bruteForce(a: Float64Array, b: Float64Array, y: Float64Array): { difference: number; se: number } {
    const pos = [...y.keys()].filter((i) => y[i] === 1);
    const neg = [...y.keys()].filter((i) => y[i] === 0);
    const psi = (s: number, t: number): number => (s > t ? 1 : s === t ? 0.5 : 0);
    const v10 = (s: Float64Array): number[] => pos.map((i) => neg.reduce((sum, j) => sum + psi(s[i]!, s[j]!), 0) / neg.length);
    const v01 = (s: Float64Array): number[] => neg.map((j) => pos.reduce((sum, i) => sum + psi(s[i]!, s[j]!), 0) / pos.length);
    const avg = (v: number[]): number => v.reduce((x, z) => x + z, 0) / v.length;
    const cov = (u: number[], v: number[]): number => {
      const mu = avg(u);
      const mv = avg(v);
      return u.reduce((sum, x, k) => sum + (x - mu) * (v[k]! - mv), 0) / (u.length - 1);
    };
    const [a10, b10, a01, b01] = [v10(a), v10(b), v01(a), v01(b)];
    const variance = (cov(a10, a10) + cov(b10, b10) - 2 * cov(a10, b10)) / pos.length + (cov(a01, a01) + cov(b01, b01) - 2 * cov(a01, b01)) / neg.length;
    return { difference: avg(a10) - avg(b10), se: Math.sqrt(variance) };
  }

  it('matches DeLong computed from its definition, ties included', () => {
    const rng = createSeededRng(7);
    const n = 300;
    const truth = Float64Array.from({ length: n }, () => rng());
    const labels = Float64Array.from(truth, (t) => (rng() < t ? 1 : 0));
    const a = Float64Array.from(truth, (t) => Math.round((t + 0.3 * rng()) * 20) / 20);
    const b = Float64Array.from(truth, (t) => t + 0.8 * rng());
    const got = value(compareAuc(a, b, labels));
    const want = bruteForce(a, b, labels);
    expect(got.aucA).toBeCloseTo(value(areaUnderRoc(a, labels)), 12);
    expect(got.aucB).toBeCloseTo(value(areaUnderRoc(b, labels)), 12);
    expect(got.difference).toBeCloseTo(want.difference, 12);
    expect(got.standardError).toBeCloseTo(want.se, 12);
    expect(got.standardError).toBeGreaterThan(0);
  });

  it('gives no difference and no error for two scores that rank alike', () => {
    const labels = [0, 1, 0, 1, 1, 0];
    const a = [0.1, 0.7, 0.3, 0.9, 0.2, 0.4];
    const got = value(
      compareAuc(
        a,
        a.map((s) => Math.exp(s)),
        labels,
      ),
    );
    expect(got.difference).toBe(0);
    expect(got.standardError).toBe(0);
  });

  it('fails with one-class when every label is the same', () => {
    expect(compareAuc([1, 2], [2, 1], [1, 1])).toEqual({ ok: false, reason: 'one-class' });
  });
});

describe('areaUnderRoc', () => {
  it('counts the ranked pairs (hand-computed: 3 of 4 pairs in order)', () => {
    expect(value(areaUnderRoc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]))).toBe(0.75);
  });

  it('counts a tie between a 1 and a 0 as one half', () => {
    // Positives at 2 and 3, negatives at 1 and 2: pairs (2,1) 1, (2,2) ½, (3,1) 1, (3,2) 1 → 3.5/4.
    expect(value(areaUnderRoc([1, 2, 2, 3], [0, 1, 0, 1]))).toBe(0.875);
    expect(value(areaUnderRoc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]))).toBe(0.5);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, and unchanged by a monotone transform', () => {
    expect(value(areaUnderRoc([1, 2, 3, 4], [0, 0, 1, 1]))).toBe(1);
    expect(value(areaUnderRoc([4, 3, 2, 1], [0, 0, 1, 1]))).toBe(0);
    const s = [0.3, 0.1, 0.7, 0.7, 0.2, 0.9];
    const y = [1, 0, 0, 1, 0, 1];
    expect(
      value(
        areaUnderRoc(
          s.map((v) => Math.exp(10 * v)),
          y,
        ),
      ),
    ).toBe(value(areaUnderRoc(s, y)));
  });

  it('matches the O(n²) pair count on data with many ties (seed 31)', () => {
    const rng = createSeededRng(31);
    const n = 400;
    const scores = Float64Array.from({ length: n }, () => Math.floor(rng() * 12));
    const labels = Float64Array.from(scores, (s) => (rng() < 0.2 + s / 20 ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== 1) continue;
      for (let j = 0; j < n; j++) {
        if (labels[j] !== 0) continue;
        pairs++;
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    expect(value(areaUnderRoc(scores, labels))).toBeCloseTo(wins / pairs, 12);
  });

  it('returns one-class or no-rows, and throws for a label other than 0 or 1', () => {
    expect(areaUnderRoc([1, 2], [1, 1])).toEqual({ ok: false, reason: 'one-class' });
    expect(areaUnderRoc([], [])).toEqual({ ok: false, reason: 'no-rows' });
    expect(() => areaUnderRoc([1, 2], [0, 0.5])).toThrow(/labels\[1\]/);
  });
});

describe('calibrationTable', () => {
  it('cuts rows into equal-count bins by prediction (hand-computed)', () => {
    const table = value(calibrationTable([0.6, 0.1, 0.3, 0.2, 0.5, 0.4], [1, 0, 1, 0, 1, 0], 3));
    expect(table.bins.map((b) => b.count)).toEqual([2, 2, 2]);
    expect(table.bins.map((b) => [b.minPredicted, b.maxPredicted])).toEqual([
      [0.1, 0.2],
      [0.3, 0.4],
      [0.5, 0.6],
    ]);
    expect(table.bins[0]!.meanPredicted).toBeCloseTo(0.15, 12);
    expect(table.bins.map((b) => b.observedShare)).toEqual([0, 0.5, 1]);
    expect(table.bins[2]!.gap).toBeCloseTo(-0.45, 12);
    expect(table.maxAbsoluteGap).toBeCloseTo(0.45, 12);
  });

  it('gives bins that differ in size by at most one and puts tied predictions in index order', () => {
    const table = value(calibrationTable([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [1, 1, 0, 0, 0, 0, 1], 3));
    expect(table.bins.map((b) => b.count)).toEqual([2, 2, 3]);
    expect(table.bins.map((b) => b.observedShare)).toEqual([1, 0, 1 / 3]);
  });

  it('returns too-few-rows or no-rows', () => {
    expect(calibrationTable([0.1, 0.2], [0, 1], 5)).toEqual({ ok: false, reason: 'too-few-rows' });
    expect(calibrationTable([], [], 5)).toEqual({ ok: false, reason: 'no-rows' });
    expect(() => calibrationTable([0.1], [1], 0)).toThrow(/bins/);
  });
});

describe('meanAbsoluteError', () => {
  it('averages the absolute differences', () => {
    expect(value(meanAbsoluteError([1, 2, 3], [2, 2, 0.5]))).toBeCloseTo(3.5 / 3, 12);
    expect(meanAbsoluteError([], [])).toEqual({ ok: false, reason: 'no-rows' });
  });
});

describe('topDecileCapture', () => {
  it('returns the top tenth by prediction’s share of the actual total', () => {
    const predicted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const actual = [5, 5, 5, 5, 5, 5, 5, 5, 5, 55];
    expect(value(topDecileCapture(predicted, actual))).toBe(0.55);
    expect(value(topDecileCapture(predicted, actual, 0.2))).toBe(0.6);
  });

  it('splits a tie at the edge by the places left, whatever the row order', () => {
    // 20 rows → 2 places: the one at 10 (actual 50), then 1 of the 3 tied at 5 (actual 30 + 0 + 0) → (50 + 10)/240.
    const predicted = [5, 1, 10, 5, ...Array.from({ length: 15 }, () => 1), 5];
    const actual = [0, 10, 50, 30, ...Array.from({ length: 15 }, () => 10), 0];
    expect(value(topDecileCapture(predicted, actual))).toBeCloseTo(0.25, 12);
    expect(value(topDecileCapture(predicted.slice().reverse(), actual.slice().reverse()))).toBeCloseTo(0.25, 12);
    // A prediction that ranks nobody captures exactly the fraction.
    expect(value(topDecileCapture(new Float64Array(20), actual))).toBeCloseTo(0.1, 12);
  });

  it('returns no-value when nothing was spent', () => {
    expect(topDecileCapture([1, 2], [0, 0])).toEqual({ ok: false, reason: 'no-value' });
  });
});

describe('logLoss', () => {
  it('is the mean negative log-likelihood in nats, with 0 and 1 clamped', () => {
    expect(value(logLoss([0.5, 0.5], [0, 1]))).toBeCloseTo(Math.LN2, 12);
    expect(value(logLoss([0.8, 0.1], [1, 0]))).toBeCloseTo(-(Math.log(0.8) + Math.log(0.9)) / 2, 12);
    expect(value(logLoss([0], [1]))).toBeCloseTo(-Math.log(1e-15), 6);
    expect(() => logLoss([1.2], [1])).toThrow(/predicted\[0\]/);
  });
});

describe('brierScore', () => {
  it('is the mean squared difference of probability and outcome', () => {
    expect(value(brierScore([0.5, 0.5], [0, 1]))).toBe(0.25);
    expect(value(brierScore([0.8, 0.1, 1], [1, 0, 1]))).toBeCloseTo((0.04 + 0.01 + 0) / 3, 12);
    expect(brierScore([], [])).toEqual({ ok: false, reason: 'no-rows' });
  });
});

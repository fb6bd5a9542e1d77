import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { applyIsotonic, fitIsotonic } from './isotonic.ts';
import type { IsotonicFitOptions, IsotonicModel } from './isotonic.ts';

function fitted(scores: ArrayLike<number>, labels: ArrayLike<number>, options: IsotonicFitOptions = {}): IsotonicModel {
  const fit = fitIsotonic(scores, labels, options);
  if (!fit.ok) throw new Error(`fit failed: ${fit.reason}`);
  return fit.value;
}

describe('fitIsotonic', () => {
  it('pools adjacent violators (textbook example, equal weights)', () => {
    const model = fitted([1, 2, 3, 4, 5, 6], [0.1, 0.3, 0.2, 0.4, 0.3, 0.5]);
    expect(model.scores).toEqual([1, 2.5, 4.5, 6]);
    expect(model.values.map((v) => Number(v.toFixed(12)))).toEqual([0.1, 0.25, 0.35, 0.5]);
  });

  it('pools a violator chain back to the start (0.5, 0.4, 0.3 → one block)', () => {
    const model = fitted([1, 2, 3, 4], [0.5, 0.4, 0.3, 0.9]);
    expect(model.scores).toEqual([2, 4]);
    expect(model.values[0]).toBeCloseTo(0.4, 12);
    expect(model.values[1]).toBe(0.9);
  });

  it('weights the pooled mean and the block centre', () => {
    const model = fitted([1, 2, 3], [0.6, 0.2, 1], { weights: [3, 1, 1] });
    expect(model.scores).toEqual([1.25, 3]);
    expect(model.values[0]).toBeCloseTo(0.5, 12);
    expect(model.values[1]).toBe(1);
  });

  it('pools tied scores first, whatever their order', () => {
    // Score 1 holds a 1 and a 0 (0.5 over weight 2), score 2 a 0: they violate, so all pool to 1/3 at centre 4/3.
    const a = fitted([1, 2, 1], [1, 0, 0]);
    const b = fitted([2, 1, 1], [0, 0, 1]);
    expect(a).toEqual(b);
    expect(a.scores[0]).toBeCloseTo(4 / 3, 12);
    expect(a.values[0]).toBeCloseTo(1 / 3, 12);
    expect(a.scores).toHaveLength(1);
  });

  it('returns an already non-decreasing target unchanged (idempotent)', () => {
    const scores = [0.05, 0.1, 0.2, 0.35, 0.5, 0.9];
    const target = [0, 0.2, 0.2, 0.4, 0.7, 1];
    const model = fitted(scores, target);
    expect(model.scores).toEqual(scores);
    expect(model.values).toEqual(target);
    expect(Array.from(applyIsotonic(model, scores))).toEqual(target);
    const again = fitted(scores, applyIsotonic(model, scores));
    expect(again).toEqual(model);
  });

  it('gives a monotone map inside [0, 1] on noisy 0/1 labels (seed 11)', () => {
    const rng = createSeededRng(11);
    const n = 5000;
    const scores = Float64Array.from({ length: n }, () => rng());
    const labels = Float64Array.from(scores, (s) => (rng() < s * s ? 1 : 0));
    const model = fitted(scores, labels);
    for (let j = 1; j < model.scores.length; j++) {
      expect(model.scores[j]).toBeGreaterThan(model.scores[j - 1]!);
      expect(model.values[j]).toBeGreaterThanOrEqual(model.values[j - 1]!);
    }
    const grid = Float64Array.from({ length: 201 }, (_, i) => -0.5 + i / 100);
    const out = applyIsotonic(model, grid);
    for (let i = 0; i < out.length; i++) {
      expect(out[i]).toBeGreaterThanOrEqual(0);
      expect(out[i]).toBeLessThanOrEqual(1);
      if (i > 0) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1]!);
    }
    // The fitted map tracks the true curve s² away from the ends.
    expect(applyIsotonic(model, [0.5])[0]).toBeCloseTo(0.25, 1);
  });

  it('keeps values away from exact 0 and 1 with a prior count, and stays monotone', () => {
    const scores = [1, 2, 3, 4, 5, 6, 7, 8];
    const labels = [0, 0, 0, 1, 0, 1, 1, 1];
    const plain = fitted(scores, labels);
    expect(plain.values[0]).toBe(0);
    expect(plain.values[plain.values.length - 1]).toBe(1);
    const shrunk = fitted(scores, labels, { priorCount: 1 });
    // Each single-row block of a 0 gets one prior row at ȳ = 0.5 → 0.5/2; of a 1 → 1.5/2; the pooled (1, 0) → 1.5/3.
    expect(shrunk.values.map((v) => Number(v.toFixed(12)))).toEqual([0.25, 0.25, 0.25, 0.5, 0.75, 0.75, 0.75]);
    for (let j = 1; j < shrunk.values.length; j++) expect(shrunk.values[j]).toBeGreaterThanOrEqual(shrunk.values[j - 1]!);
  });

  it('re-pools when shrinking would reorder a small block below a large one', () => {
    // Z: 400 zeros at score 0; A: 100 rows at score 1, 49 of them 1s (0.49); B: one row at score 2 with label 0.5.
    // ȳ = 49.5/501 ≈ 0.099. With a = 10, A shrinks to ≈ 0.45 but B to ≈ 0.14, so A and B must pool again.
    const scores = [...Array.from({ length: 400 }, () => 0), ...Array.from({ length: 100 }, () => 1), 2];
    const labels = [...Array.from({ length: 400 }, () => 0), ...Array.from({ length: 100 }, (_, i) => (i < 49 ? 1 : 0)), 0.5];
    expect(fitted(scores, labels).values).toHaveLength(3);
    const model = fitted(scores, labels, { priorCount: 10 });
    const rate = 49.5 / 501;
    expect(model.values).toHaveLength(2);
    expect(model.values[0]).toBeCloseTo((10 * rate) / 410, 12);
    expect(model.values[1]).toBeCloseTo((49.5 + 20 * rate) / 121, 12);
    expect(model.scores[1]).toBeCloseTo(102 / 101, 12);
  });

  it('returns one-class or no-rows instead of a map', () => {
    expect(fitIsotonic([1, 2], [0, 0])).toEqual({ ok: false, reason: 'one-class' });
    expect(fitIsotonic([], [])).toEqual({ ok: false, reason: 'no-rows' });
    expect(fitIsotonic([1, 2], [0, 1], { weights: [0, 0] })).toEqual({ ok: false, reason: 'no-rows' });
  });

  it('throws CoreError for labels outside [0, 1] or a non-finite score', () => {
    expect(() => fitIsotonic([1, 2], [0, 3])).toThrow(/labels\[1\]/);
    expect(() => fitIsotonic([1, Number.NaN], [0, 1])).toThrow(/scores\[1\]/);
  });
});

describe('applyIsotonic', () => {
  it('interpolates linearly between block centres and clamps outside them', () => {
    const model = { scores: [1, 3, 4], values: [0.2, 0.6, 0.8] };
    expect(Array.from(applyIsotonic(model, [0, 1, 2, 3, 3.5, 4, 9]), (v) => Number(v.toFixed(12)))).toEqual([0.2, 0.2, 0.4, 0.6, 0.7, 0.8, 0.8]);
    expect(Array.from(applyIsotonic({ scores: [5], values: [0.3] }, [1, 5, 9]))).toEqual([0.3, 0.3, 0.3]);
  });
});

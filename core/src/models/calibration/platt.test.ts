import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { applyPlatt, fitPlatt } from './platt.ts';
import type { PlattModel } from './platt.ts';

function fitted(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): PlattModel {
  const fit = fitPlatt(scores, labels, weights === undefined ? {} : { weights });
  if (!fit.ok) throw new Error(`fit failed: ${fit.reason}`);
  return fit.value;
}

const logit = (p: number): number => Math.log(p / (1 - p));

describe('fitPlatt', () => {
  it('recovers the slope and intercept of a miscalibrated score (seed 21, 50,000 rows)', () => {
    const rng = createSeededRng(21);
    const n = 50_000;
    const scores = Float64Array.from({ length: n }, () => 0.02 + 0.96 * rng());
    const labels = Float64Array.from(scores, (s) => (rng() < 1 / (1 + Math.exp(-(2 * logit(s) - 0.5))) ? 1 : 0));
    const model = fitted(scores, labels);
    expect(model.slope).toBeCloseTo(2, 1);
    expect(model.intercept).toBeCloseTo(-0.5, 1);
  });

  it('fits each of two score groups to its smoothed share (solved by hand)', () => {
    // N₊ = 3, N₋ = 5: targets 4/5 for a 1 and 1/7 for a 0. Two distinct scores make the model saturated, so each group
    // gets the mean of its targets: score 0.2 → (4/5 + 3·1/7)/4, score 0.7 → (2·4/5 + 2·1/7)/4.
    const scores = [0.2, 0.2, 0.2, 0.2, 0.7, 0.7, 0.7, 0.7];
    const labels = [1, 0, 0, 0, 1, 1, 0, 0];
    const out = applyPlatt(fitted(scores, labels), [0.2, 0.7]);
    expect(out[0]).toBeCloseTo((4 / 5 + 3 / 7) / 4, 10);
    expect(out[1]).toBeCloseTo((8 / 5 + 2 / 7) / 4, 10);
  });

  it('stays finite when the scores separate the classes, and keeps their order', () => {
    const scores = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9];
    const labels = [0, 0, 0, 1, 1, 1];
    const model = fitted(scores, labels);
    expect(Number.isFinite(model.slope) && Number.isFinite(model.intercept)).toBe(true);
    const out = applyPlatt(model, [0, ...scores, 1]);
    for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThan(out[i - 1]!);
    expect(out[0]).toBeGreaterThan(0);
    expect(out[out.length - 1]).toBeLessThan(1);
  });

  it('treats a weight of 2 as the row twice', () => {
    const a = fitted([0.1, 0.4, 0.6, 0.8], [0, 1, 0, 1], [1, 2, 1, 1]);
    const b = fitted([0.1, 0.4, 0.4, 0.6, 0.8], [0, 1, 1, 0, 1]);
    expect(a.slope).toBeCloseTo(b.slope, 10);
    expect(a.intercept).toBeCloseTo(b.intercept, 10);
  });

  it('returns one-class or no-rows, and throws for a score outside [0, 1]', () => {
    expect(fitPlatt([0.1, 0.9], [1, 1])).toEqual({ ok: false, reason: 'one-class' });
    expect(fitPlatt([], [])).toEqual({ ok: false, reason: 'no-rows' });
    expect(() => fitPlatt([0.1, 1.5], [0, 1])).toThrow(/scores\[1\]/);
  });
});

describe('applyPlatt', () => {
  it('is the identity for slope 1 and intercept 0', () => {
    const out = applyPlatt({ slope: 1, intercept: 0 }, [0.01, 0.5, 0.93]);
    expect(out[0]).toBeCloseTo(0.01, 12);
    expect(out[1]).toBeCloseTo(0.5, 12);
    expect(out[2]).toBeCloseTo(0.93, 12);
  });
});

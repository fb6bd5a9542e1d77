import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { fitLogisticRegression, predictLogistic } from './logistic-regression.ts';
import type { LogisticModel } from './logistic-regression.ts';

function fitted(features: Float64Array[], labels: ArrayLike<number>, l2: number, weights?: ArrayLike<number>): LogisticModel {
  const fit = fitLogisticRegression(features, labels, weights === undefined ? { l2 } : { l2, weights });
  if (!fit.ok) throw new Error(`fit failed: ${fit.reason}`);
  return fit.value;
}

/** Penalised objective on raw features, written independently of the module: standardise, then Σ log-loss + λ/2·|β|². */
function referenceObjective(features: Float64Array[], labels: ArrayLike<number>, l2: number) {
  const n = labels.length;
  const stats = features.map((col) => {
    const mean = col.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(col.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
    return { mean, sd };
  });
  return (theta: number[]): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let eta = theta[0]!;
      features.forEach((col, j) => (eta += (theta[j + 1]! * (col[i]! - stats[j]!.mean)) / stats[j]!.sd));
      const p = 1 / (1 + Math.exp(-eta));
      f -= labels[i]! * Math.log(p) + (1 - labels[i]!) * Math.log(1 - p);
    }
    for (let j = 1; j < theta.length; j++) f += 0.5 * l2 * theta[j]! ** 2;
    return f;
  };
}

/** A slow, independent minimiser: gradient descent with central finite-difference gradients. */
function bruteForceMinimum(objective: (theta: number[]) => number, size: number): number[] {
  const theta = new Array<number>(size).fill(0);
  const h = 1e-6;
  for (let iter = 0; iter < 20_000; iter++) {
    const grad = theta.map((_, j) => {
      const up = theta.slice();
      const down = theta.slice();
      up[j]! += h;
      down[j]! -= h;
      return (objective(up) - objective(down)) / (2 * h);
    });
    theta.forEach((_, j) => (theta[j]! -= 0.05 * grad[j]!));
  }
  return theta;
}

describe('fitLogisticRegression', () => {
  it('reproduces the group shares for one binary feature and no penalty (the saturated model, solved by hand)', () => {
    const x = Float64Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const y = [1, 0, 0, 0, 1, 1, 1, 0];
    const model = fitted([x], y, 0);
    const p = predictLogistic(model, [Float64Array.from([0, 1])]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
    // Standardised x is ±1, so β = (logit 0.75 − logit 0.25)/2 = ln 3 and β_0 = 0.
    expect(model.coefficients[0]).toBeCloseTo(Math.log(3), 12);
    expect(model.intercept).toBeCloseTo(0, 12);
  });

  it('matches an independent brute-force minimiser of the penalised objective (2 features, λ = 0.7)', () => {
    const x1 = Float64Array.from([0.5, 1.2, -0.3, 2.0, 0.1, -1.5, 0.8, 1.7, -0.9, 0.0]);
    const x2 = Float64Array.from([10, 40, 25, 5, 30, 20, 15, 35, 45, 50]);
    const y = [0, 1, 0, 1, 1, 0, 0, 1, 0, 1];
    const model = fitted([x1, x2], y, 0.7);
    const reference = bruteForceMinimum(referenceObjective([x1, x2], y, 0.7), 3);
    expect(model.intercept).toBeCloseTo(reference[0]!, 5);
    expect(model.coefficients[0]).toBeCloseTo(reference[1]!, 5);
    expect(model.coefficients[1]).toBeCloseTo(reference[2]!, 5);
  });

  it('stops where the gradient of the penalised objective is zero (seed 3, 2,000 rows, weights)', () => {
    const rng = createSeededRng(3);
    const n = 2000;
    const cols = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng() * 4 - 2));
    const w = Float64Array.from({ length: n }, () => 1 + Math.floor(3 * rng()));
    const y = Float64Array.from({ length: n }, (_, i) => (rng() < 1 / (1 + Math.exp(-(0.5 + cols[0]![i]! - 2 * cols[1]![i]!))) ? 1 : 0));
    const l2 = 2;
    const model = fitted(cols, y, l2, w);
    const p = predictLogistic(model, cols);
    const grad = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const r = w[i]! * (p[i]! - y[i]!);
      grad[0]! += r;
      for (let j = 0; j < 3; j++) grad[j + 1]! += (r * (cols[j]![i]! - model.means[j]!)) / model.scales[j]!;
    }
    for (let j = 0; j < 3; j++) grad[j + 1]! += l2 * model.coefficients[j]!;
    for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-8);
    expect(model.coefficients[0]).toBeGreaterThan(0.3);
    expect(model.coefficients[1]).toBeLessThan(-0.8);
    expect(Math.abs(model.coefficients[2]!)).toBeLessThan(0.15);
  });

  it('gives the same coefficients and predictions when a feature is rescaled and shifted', () => {
    const rng = createSeededRng(4);
    const n = 500;
    const a = Float64Array.from({ length: n }, () => rng());
    const b = Float64Array.from({ length: n }, () => rng());
    const y = Float64Array.from({ length: n }, (_, i) => (rng() < a[i]! ? 1 : 0));
    const base = fitted([a, b], y, 1);
    const aDollars = a.map((v) => 1e4 * v + 250);
    const scaled = fitted([aDollars, b], y, 1);
    expect(scaled.coefficients[0]).toBeCloseTo(base.coefficients[0]!, 9);
    expect(scaled.coefficients[1]).toBeCloseTo(base.coefficients[1]!, 9);
    expect(scaled.intercept).toBeCloseTo(base.intercept, 9);
    const p0 = predictLogistic(base, [a, b]);
    const p1 = predictLogistic(scaled, [aDollars, b]);
    for (let i = 0; i < n; i += 50) expect(p1[i]).toBeCloseTo(p0[i]!, 10);
  });

  it('treats a weight of 2 as the row twice', () => {
    const x = Float64Array.from([0.1, 0.4, 0.5, 0.9, 0.3]);
    const y = [0, 1, 0, 1, 1];
    const weighted = fitted([x], y, 0.5, [1, 2, 1, 1, 1]);
    const duplicated = fitted([Float64Array.from([0.1, 0.4, 0.4, 0.5, 0.9, 0.3])], [0, 1, 1, 0, 1, 1], 0.5);
    expect(weighted.coefficients[0]).toBeCloseTo(duplicated.coefficients[0]!, 10);
    expect(weighted.intercept).toBeCloseTo(duplicated.intercept, 10);
  });

  it('keeps coefficients finite on perfectly separable data when λ > 0', () => {
    const x = Float64Array.from([-3, -2, -1, -0.5, 0.5, 1, 2, 3]);
    const y = [0, 0, 0, 0, 1, 1, 1, 1];
    const model = fitted([x], y, 1);
    expect(Number.isFinite(model.coefficients[0])).toBe(true);
    expect(model.coefficients[0]).toBeGreaterThan(1);
    const p = predictLogistic(model, [x]);
    for (let i = 1; i < 8; i++) expect(p[i]).toBeGreaterThan(p[i - 1]!);
    expect(fitLogisticRegression([x], y, { l2: 0 })).toEqual({ ok: false, reason: 'did-not-converge' });
  });

  it('gives a constant column coefficient 0 and fits the rest', () => {
    const x = Float64Array.from([0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    const u = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const y = [0, 1, 0, 1, 1, 1];
    const model = fitted([x, u], y, 0);
    expect(model.coefficients[0]).toBe(0);
    expect(model.scales[0]).toBe(1);
    const alone = fitted([u], y, 0);
    expect(model.coefficients[1]).toBeCloseTo(alone.coefficients[0]!, 12);
    // Intercept only: the weighted share of positives.
    const onlyConstant = fitted([x], y, 0, [1, 1, 1, 1, 1, 3]);
    expect(predictLogistic(onlyConstant, [x])[0]).toBeCloseTo(6 / 8, 12);
  });

  it('returns one-class or no-rows instead of fitting nothing', () => {
    const x = Float64Array.from([1, 2, 3]);
    expect(fitLogisticRegression([x], [0, 0, 0], { l2: 1 })).toEqual({ ok: false, reason: 'one-class' });
    expect(fitLogisticRegression([x], [1, 1, 1], { l2: 1 })).toEqual({ ok: false, reason: 'one-class' });
    expect(fitLogisticRegression([x], [0, 1, 1], { l2: 1, weights: [1, 0, 0] })).toEqual({ ok: false, reason: 'one-class' });
    expect(fitLogisticRegression([new Float64Array(0)], [], { l2: 1 })).toEqual({ ok: false, reason: 'no-rows' });
  });

  it('throws CoreError for labels outside [0, 1] or mismatched columns', () => {
    expect(() => fitLogisticRegression([Float64Array.from([1, 2])], [0, 2], { l2: 1 })).toThrow(/labels\[1\]/);
    expect(() => fitLogisticRegression([Float64Array.from([1])], [0, 1], { l2: 1 })).toThrow(/column 0/);
    const model = fitted([Float64Array.from([1, 2, 3])], [0, 1, 1], 1);
    expect(() => predictLogistic(model, [Float64Array.from([1]), Float64Array.from([1])])).toThrow(/1 coefficients/);
  });

  it('returns a plain-JSON model that predicts the same after a round trip', () => {
    const x = Float64Array.from([1, 2, 3, 4]);
    const model = fitted([x], [0, 1, 0, 1], 1);
    const copy = JSON.parse(JSON.stringify(model)) as LogisticModel;
    expect(copy).toEqual(model);
    expect(predictLogistic(copy, [x])).toEqual(predictLogistic(model, [x]));
  });

  it('fits 200,000 rows × 10 features in well under a second (seed 9)', () => {
    const rng = createSeededRng(9);
    const n = 200_000;
    const cols = Array.from({ length: 10 }, () => Float64Array.from({ length: n }, () => rng() * 2 - 1));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let eta = -0.3;
      for (let j = 0; j < 10; j++) eta += (j - 4.5) * 0.2 * cols[j]![i]!;
      y[i] = rng() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    const start = performance.now();
    const model = fitted(cols, y, 1);
    const elapsedMs = performance.now() - start;
    // Loose bound for a shared machine: the fit takes 150–230 ms of CPU once warm, up to ~0.9 s wall when loaded.
    expect(elapsedMs).toBeLessThan(1500);
    // Recovers the generating coefficients (per unit of x, so divide by the scale).
    for (let j = 0; j < 10; j++) expect(model.coefficients[j]! / model.scales[j]!).toBeCloseTo((j - 4.5) * 0.2, 1);
  });
});

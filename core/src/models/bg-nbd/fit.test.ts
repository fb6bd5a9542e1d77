import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitMbgNbd } from '../mbg-nbd/fit.ts';
import { mbgNbdLogLikelihood } from '../mbg-nbd/likelihood.ts';
import { fitBgNbd } from './fit.ts';
import { bgNbdLogLikelihood } from './likelihood.ts';
import { createSeededRng, simulateBgNbd } from './simulate.ts';

const seeded = (seed: number): (() => number) => createSeededRng(seed);

function ages(n: number, rng: () => number): Float64Array {
  // Acquisition spread over 12 weeks, observed until week 52, like a quarterly cohort.
  return Float64Array.from({ length: n }, () => 40 + 12 * rng());
}

describe('fitBgNbd', () => {
  it('recovers the parameters of data simulated from BG/NBD (seed 20240501, 20,000 customers)', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.8, b: 2.5 };
    const rng = seeded(20240501);
    const sim = simulateBgNbd(truth, ages(20_000, rng), rng);
    const fit = fitBgNbd(sim);
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    const p = fit.value.params;
    expect(p.r).toBeGreaterThan(truth.r * 0.9);
    expect(p.r).toBeLessThan(truth.r * 1.1);
    expect(p.alpha).toBeGreaterThan(truth.alpha * 0.85);
    expect(p.alpha).toBeLessThan(truth.alpha * 1.15);
    expect(p.a).toBeGreaterThan(truth.a * 0.75);
    expect(p.a).toBeLessThan(truth.a * 1.25);
    expect(p.b).toBeGreaterThan(truth.b * 0.7);
    expect(p.b).toBeLessThan(truth.b * 1.3);
    // The MLE beats the truth on its own sample.
    expect(fit.value.logLikelihood).toBeGreaterThanOrEqual(bgNbdLogLikelihood(truth, sim));
  });

  it('gives the same MLE on weighted rows, on unweighted rows and on three stacked copies', () => {
    const rng = seeded(7);
    const sim = simulateBgNbd({ r: 0.3, alpha: 4, a: 0.9, b: 3 }, ages(2_000, rng), rng);
    // Round times to whole days so duplicates exist, then compress by hand.
    const rows = Array.from(sim.frequency, (x, i) => [x, Math.ceil(sim.recency[i]! * 7) / 7, Math.ceil(sim.age[i]! * 7) / 7] as const);
    const weightOf = new Map<string, number>();
    for (const row of rows) weightOf.set(row.join(','), (weightOf.get(row.join(',')) ?? 0) + 1);
    const unique = [...weightOf.keys()].map((k) => k.split(',').map(Number));
    const weighted = fitBgNbd({
      frequency: unique.map((u) => u[0]!),
      recency: unique.map((u) => u[1]!),
      age: unique.map((u) => u[2]!),
      weight: [...weightOf.values()],
    });
    const plain = fitBgNbd({ frequency: rows.map((r) => r[0]), recency: rows.map((r) => r[1]), age: rows.map((r) => r[2]) });
    const stacked = fitBgNbd({
      frequency: [...rows, ...rows, ...rows].map((r) => r[0]),
      recency: [...rows, ...rows, ...rows].map((r) => r[1]),
      age: [...rows, ...rows, ...rows].map((r) => r[2]),
    });
    expect(weighted.ok && plain.ok && stacked.ok).toBe(true);
    if (!weighted.ok || !plain.ok || !stacked.ok) return;
    expect(unique.length).toBeLessThan(rows.length);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(weighted.value.params[key]).toBeCloseTo(plain.value.params[key], 5);
      expect(stacked.value.params[key]).toBeCloseTo(plain.value.params[key], 5);
    }
    expect(stacked.value.logLikelihood).toBeCloseTo(3 * plain.value.logLikelihood, 4);
  });

  it('returns no-repeat-customers when nobody bought twice, instead of a degenerate fit', () => {
    expect(fitBgNbd({ frequency: [0, 0, 0], recency: [0, 0, 0], age: [10, 20, 30] })).toEqual({ ok: false, reason: 'no-repeat-customers' });
  });

  it('returns did-not-converge when the optimiser is stopped before a stationary point', () => {
    const rng = seeded(3);
    const sim = simulateBgNbd({ r: 0.3, alpha: 4, a: 0.9, b: 3 }, ages(500, rng), rng);
    expect(fitBgNbd(sim, { maxIterations: 2 })).toEqual({ ok: false, reason: 'did-not-converge' });
  });

  it('returns did-not-converge when the likelihood runs to a boundary (every repeat buyer still buying at T)', () => {
    // No sign of dropout at all: the MLE of a/b goes to 0, which is a boundary, not an estimate.
    const fit = fitBgNbd({ frequency: [5, 5, 5, 0], recency: [50, 50, 50, 0], age: [50, 50, 50, 50] });
    expect(fit).toEqual({ ok: false, reason: 'did-not-converge' });
  });

  it('on small simulated shops returns either finite parameters that beat the truth, or a failure reason (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 10, max: 400 }),
        fc.record({
          r: fc.double({ min: 0.1, max: 3 }),
          alpha: fc.double({ min: 0.5, max: 50 }),
          a: fc.double({ min: 0.2, max: 3 }),
          b: fc.double({ min: 0.2, max: 10 }),
        }),
        (seed, n, truth) => {
          const rng = createSeededRng(seed);
          const sim = simulateBgNbd(truth, ages(n, rng), rng);
          for (const [fit, ll] of [
            [fitBgNbd(sim), bgNbdLogLikelihood],
            [fitMbgNbd(sim), mbgNbdLogLikelihood],
          ] as const) {
            if (!fit.ok) {
              expect(['no-repeat-customers', 'did-not-converge']).toContain(fit.reason);
              continue;
            }
            const p = fit.value.params;
            for (const v of [p.r, p.alpha, p.a, p.b, fit.value.logLikelihood]) expect(Number.isFinite(v)).toBe(true);
            expect(Math.min(p.r, p.alpha, p.a, p.b)).toBeGreaterThan(0);
            if (fit.value.model === 'bg-nbd') expect(fit.value.logLikelihood).toBeGreaterThanOrEqual(ll(truth, sim) - 1e-6);
          }
        },
      ),
      { numRuns: 40, seed: 424242 },
    );
  });

  it('rejects a row with t_x > T', () => {
    expect(() => fitBgNbd({ frequency: [1], recency: [5], age: [4] })).toThrow(RangeError);
  });
});

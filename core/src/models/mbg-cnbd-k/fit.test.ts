import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { meanAbsoluteError } from '../evaluation/evaluation.ts';
import { fitMbgNbd } from '../mbg-nbd/fit.ts';
import { mbgNbdConditionalExpectedPurchases } from '../mbg-nbd/predict.ts';
import { ModelFitFailure } from '../optimize/fit-failure.ts';
import { fitMbgCnbdK } from './fit.ts';
import type { MbgCnbdParams } from './likelihood.ts';
import { mbgCnbdConditionalExpectedPurchases } from './predict.ts';
import { simulateMbgCnbd } from './simulate.ts';

/** The regular-buyer params of the BTYDplus MBG/CNBD-k test (tests/testthat/test-mbg-cnbd-k.R), weeks. */
const truth: MbgCnbdParams = { k: 3, r: 0.85, alpha: 1.45, a: 0.79, b: 2.42 };
const HOLDOUT = 32;

/** 5,000 simulated regular buyers (seed 11), T uniform in 12–96 weeks, with a 32-week holdout. */
const rng = createSeededRng(11);
const panel = simulateMbgCnbd(
  truth,
  Float64Array.from({ length: 5000 }, () => 12 + 84 * rng()),
  rng,
  { holdout: HOLDOUT },
);
const rows = { frequency: panel.frequency, recency: panel.recency, age: panel.age, logIntervalSum: panel.logIntervalSum };
const fitted = fitMbgCnbdK(rows);
if (!fitted.ok) throw new Error(`MBG/CNBD-k fit failed: ${fitted.reason}`);

describe('fitMbgCnbdK', () => {
  it('recovers k = 3 and (r, α, a, b) within 15% from 5,000 simulated regular buyers (seed 11)', () => {
    const p = fitted.value.params;
    expect(p.k).toBe(3);
    expect(Math.abs(p.r / truth.r - 1)).toBeLessThan(0.15);
    expect(Math.abs(p.alpha / truth.alpha - 1)).toBeLessThan(0.15);
    expect(Math.abs(p.a / truth.a - 1)).toBeLessThan(0.15);
    expect(Math.abs(p.b / truth.b - 1)).toBeLessThan(0.15);
  });

  it('chooses the k of highest log-likelihood, above k = 1, and stops after two falls in a row', () => {
    const lls = fitted.value.candidates.map((c) => c.logLikelihood!);
    expect(fitted.value.candidates.map((c) => c.k)).toEqual(lls.map((_, i) => i + 1));
    expect(fitted.value.logLikelihood).toBe(Math.max(...lls));
    expect(fitted.value.logLikelihood).toBeGreaterThan(lls[0]!);
    expect(lls.at(-1)!).toBeLessThan(lls.at(-2)!);
    expect(lls.at(-2)!).toBeLessThan(lls.at(-3)!);
  });

  it('at k = 1 gives the MBG/NBD fit: same params and log-likelihood', () => {
    const k1 = fitMbgCnbdK(rows, { k: 1 });
    const mbg = fitMbgNbd(rows);
    expect(k1.ok && mbg.ok).toBe(true);
    if (!k1.ok || !mbg.ok) return;
    expect(k1.value.params.k).toBe(1);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(k1.value.params[key] / mbg.value.params[key]).toBeCloseTo(1, 4);
    expect(k1.value.logLikelihood).toBeCloseTo(mbg.value.logLikelihood, 4);
  });

  it('predicts holdout purchases per customer with a mean absolute error at least 5% below MBG/NBD (0.727 vs 0.832 purchases)', () => {
    const mbg = fitMbgNbd(rows);
    expect(mbg.ok).toBe(true);
    if (!mbg.ok) return;
    const n = panel.frequency.length;
    const cnbd = new Float64Array(n);
    const nbd = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const [x, tx, T] = [panel.frequency[i]!, panel.recency[i]!, panel.age[i]!];
      cnbd[i] = mbgCnbdConditionalExpectedPurchases(fitted.value.params, HOLDOUT, x, tx, T);
      nbd[i] = mbgNbdConditionalExpectedPurchases(mbg.value.params, HOLDOUT, x, tx, T);
    }
    const maeCnbd = meanAbsoluteError(cnbd, panel.holdoutFrequency!);
    const maeNbd = meanAbsoluteError(nbd, panel.holdoutFrequency!);
    expect(maeCnbd.ok && maeNbd.ok).toBe(true);
    if (!maeCnbd.ok || !maeNbd.ok) return;
    expect(maeCnbd.value).toBeLessThan(0.95 * maeNbd.value);
  });

  it('gives the same k in days as in weeks, α times 7, and ln L lower by Σx·ln 7 (a density over x purchase times)', () => {
    const days = fitMbgCnbdK({
      frequency: rows.frequency,
      recency: rows.recency.map((t) => 7 * t),
      age: rows.age.map((t) => 7 * t),
      logIntervalSum: rows.logIntervalSum.map((l, i) => l + rows.frequency[i]! * Math.log(7)),
    });
    expect(days.ok).toBe(true);
    if (!days.ok) return;
    const sumX = rows.frequency.reduce((s, x) => s + x, 0);
    expect(days.value.params.k).toBe(fitted.value.params.k);
    expect(days.value.params.alpha / (7 * fitted.value.params.alpha)).toBeCloseTo(1, 5);
    expect(days.value.params.r / fitted.value.params.r).toBeCloseTo(1, 5);
    expect(days.value.logLikelihood).toBeCloseTo(fitted.value.logLikelihood - sumX * Math.log(7), 4);
  });

  it('returns no-repeat-customers when nobody bought twice, and throws on a non-integer k', () => {
    const none = { frequency: [0, 0], recency: [0, 0], age: [5, 9], logIntervalSum: [0, 0] };
    expect(fitMbgCnbdK(none)).toEqual({ ok: false, reason: ModelFitFailure.noRepeatCustomers });
    expect(() => fitMbgCnbdK(rows, { k: 2.5 })).toThrow(RangeError);
  });
});

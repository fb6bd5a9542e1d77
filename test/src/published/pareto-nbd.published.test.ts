import {
  fitParetoNbd,
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
  paretoNbdProbabilityNoPurchase,
} from '@clvlens/core/models';
import { describe, expect, it } from 'vitest';
import { cdnowSummaries, loadCdnow, relativeError } from './cdnow-fixture.ts';

const orders = loadCdnow('CDNOW_sample.txt');
const { summaries, compressed } = cdnowSummaries(orders);
const fitted = fitParetoNbd(compressed);
if (!fitted.ok) throw new Error(`Pareto/NBD fit on CDNOW failed: ${fitted.reason}`);
const mle = fitted.value.params;
const btyd = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };

describe('fitParetoNbd on CDNOW_sample (weeks)', () => {
  it('matches Fader-Hardie-Lee 2005 Pareto/NBD params r, α, s, β = 0.553, 10.578, 0.606, 11.669 within 0.5%', () => {
    expect(relativeError(mle.r, 0.553)).toBeLessThan(0.005);
    expect(relativeError(mle.alpha, 10.578)).toBeLessThan(0.005);
    expect(relativeError(mle.s, 0.606)).toBeLessThan(0.005);
    expect(relativeError(mle.beta, 11.669)).toBeLessThan(0.005);
    expect(fitted.value.penalizer).toBe(0);
  });

  it('matches the R BTYD params 0.5534, 10.5802, 0.6061, 11.6562 within 0.5%', () => {
    expect(relativeError(mle.r, btyd.r)).toBeLessThan(0.005);
    expect(relativeError(mle.alpha, btyd.alpha)).toBeLessThan(0.005);
    expect(relativeError(mle.s, btyd.s)).toBeLessThan(0.005);
    expect(relativeError(mle.beta, btyd.beta)).toBeLessThan(0.005);
  });

  it('has log-likelihood -9,595.0 ± 0.1 (FHL 2005), at least as high as at the published params', () => {
    expect(Math.abs(fitted.value.logLikelihood - -9595.0)).toBeLessThan(0.1);
    expect(fitted.value.logLikelihood).toBeGreaterThanOrEqual(paretoNbdLogLikelihood({ r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 }, summaries));
    expect(fitted.value.logLikelihood).toBeGreaterThanOrEqual(paretoNbdLogLikelihood(btyd, summaries));
  });

  it('gives the same r, s and α, β × 7 when fitted in days instead of weeks (unit invariance)', () => {
    const days = fitParetoNbd(cdnowSummaries(orders, 'day').compressed);
    expect(days.ok).toBe(true);
    if (!days.ok) return;
    expect(relativeError(days.value.params.r, mle.r)).toBeLessThan(1e-4);
    expect(relativeError(days.value.params.s, mle.s)).toBeLessThan(1e-4);
    expect(relativeError(days.value.params.alpha, mle.alpha * 7)).toBeLessThan(1e-4);
    expect(relativeError(days.value.params.beta, mle.beta * 7)).toBeLessThan(1e-4);
  });
});

describe('Pareto/NBD spot values (R BTYD walkthrough, clv-models.md §6.2)', () => {
  it("gives E[Y(52) | x = 26, t_x = 30.86, T = 31] = 25.46 at the fitted params (25.45 at BTYD's 4 digits)", () => {
    expect(paretoNbdConditionalExpectedPurchases(mle, 52, 26, 30.86, 31)).toBeCloseTo(25.46, 2);
    expect(Math.abs(paretoNbdConditionalExpectedPurchases(btyd, 52, 26, 30.86, 31) - 25.45)).toBeLessThan(0.01);
  });

  it('gives P(alive | x = 26, t_x = 30.86, T = 31) = 0.9979 at the BTYD params', () => {
    expect(paretoNbdProbabilityAlive(btyd, 26, 30.86, 31)).toBeCloseTo(0.9979, 4);
  });

  it('gives E[X(t)] for t = 0..9 within 0.01', () => {
    const published = [0, 0.05077821, 0.09916088, 0.14542507, 0.1897993, 0.23247466, 0.27361274, 0.31335159, 0.35181024, 0.38909211];
    published.forEach((value, t) => expect(Math.abs(paretoNbdExpectedPurchases(mle, t) - value)).toBeLessThan(0.01));
  });
});

describe('paretoNbdProbabilityNoPurchase on CDNOW_sample', () => {
  it('stays in [0, 1] and at or above 1 − P(alive) for every customer over the 39-week holdout', () => {
    for (let i = 0; i < summaries.customerKeys.length; i++) {
      const [x, tx, T] = [summaries.frequency[i]!, summaries.recency[i]!, summaries.age[i]!];
      const p0 = paretoNbdProbabilityNoPurchase(mle, 39, x, tx, T);
      expect(p0).toBeGreaterThanOrEqual(1 - paretoNbdProbabilityAlive(mle, x, tx, T) - 1e-12);
      expect(p0).toBeLessThanOrEqual(1);
    }
  });
});

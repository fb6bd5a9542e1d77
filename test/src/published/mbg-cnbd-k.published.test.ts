import { computeLogIntervalSums, fitMbgCnbdK, fitMbgNbd, mbgCnbdConditionalExpectedPurchases, mbgNbdConditionalExpectedPurchases } from '@clvlens/core/models';
import type { MbgCnbdParams } from '@clvlens/core/models';
import { describe, expect, it } from 'vitest';
import { cdnowSummaries, loadCdnow, relativeError } from './cdnow-fixture.ts';

const orders = loadCdnow('CDNOW_sample.txt');
const { summaries } = cdnowSummaries(orders);
const litt = computeLogIntervalSums(orders, summaries);
const rows = { frequency: summaries.frequency, recency: summaries.recency, age: summaries.age, logIntervalSum: litt };
const fitted = fitMbgCnbdK(rows);
const mbg = fitMbgNbd(rows);
if (!fitted.ok || !mbg.ok) throw new Error('MBG/CNBD-k or MBG/NBD fit on CDNOW failed');

function holdoutPredictions(predict: (t: number, x: number, tx: number, T: number) => number): Float64Array {
  return Float64Array.from(summaries.frequency, (x, i) => predict(39, x, summaries.recency[i]!, summaries.age[i]!));
}
const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((s, v) => s + v, 0);

describe('computeLogIntervalSums on CDNOW_sample (weeks)', () => {
  it('gives customer ID 1 (purchases on 01-01, 01-18, 08-02) litt = ln(17/7) + ln(196/7)', () => {
    expect(summaries.customerKeys[0]).toBe('0001');
    expect(litt[0]).toBeCloseTo(Math.log(17 / 7) + Math.log(196 / 7), 12);
  });

  it('is 0 for the 1,411 one-time buyers and at most x·ln(t_x/x) for everyone else', () => {
    let zeros = 0;
    for (let i = 0; i < litt.length; i++) {
      const x = summaries.frequency[i]!;
      if (x === 0) {
        expect(litt[i]).toBe(0);
        zeros++;
      } else {
        expect(litt[i]!).toBeLessThanOrEqual(x * Math.log(summaries.recency[i]! / x) + 1e-9);
      }
    }
    expect(zeros).toBe(1411);
  });
});

describe('fitMbgCnbdK on CDNOW_sample (weeks, calibration to 1997-09-30)', () => {
  it('chooses k = 1, as the BTYDplus demo reports ("k=1 -> no regularity detected for CDNow")', () => {
    expect(fitted.value.params.k).toBe(1);
  });

  it('so matches the BTYDplus MBG/NBD params r, α, a, b = 0.525, 6.183, 0.891, 1.614 within 0.5% and its log-likelihood', () => {
    const p = fitted.value.params;
    expect(relativeError(p.r, 0.525)).toBeLessThan(0.005);
    expect(relativeError(p.alpha, 6.183)).toBeLessThan(0.005);
    expect(relativeError(p.a, 0.891)).toBeLessThan(0.005);
    expect(relativeError(p.b, 1.614)).toBeLessThan(0.005);
    expect(fitted.value.logLikelihood).toBeCloseTo(mbg.value.logLikelihood, 4);
    expect(fitted.value.logLikelihood).toBeCloseTo(-9582.14, 1);
  });

  it('stops after k = 3 because the log-likelihood falls twice (−9,582.1, −9,853.3, −10,394.4)', () => {
    const trace = fitted.value.candidates.map((c) => [c.k, c.logLikelihood] as const);
    expect(trace.map(([k]) => k)).toEqual([1, 2, 3]);
    expect(trace[1]![1]!).toBeCloseTo(-9853.3, 0);
    expect(trace[2]![1]!).toBeCloseTo(-10394.4, 0);
  });
});

describe('mbgCnbdConditionalExpectedPurchases on the CDNOW holdout (39 weeks, 1,882 actual repeat purchases)', () => {
  it('gives the MBG/NBD predictions customer by customer at the chosen k = 1 (total 1,577, an under-forecast like MBG/NBD)', () => {
    const cnbd = holdoutPredictions((t, x, tx, T) => mbgCnbdConditionalExpectedPurchases(fitted.value.params, t, x, tx, T));
    const nbd = holdoutPredictions((t, x, tx, T) => mbgNbdConditionalExpectedPurchases(mbg.value.params, t, x, tx, T));
    for (let i = 0; i < cnbd.length; i++) expect(Math.abs(cnbd[i]! - nbd[i]!)).toBeLessThan(1e-9);
    expect(sum(summaries.holdout!.frequency)).toBe(1882);
    expect(sum(cnbd)).toBeGreaterThan(1400);
    expect(sum(cnbd)).toBeLessThan(1882);
  });

  it('forced to k = 2 fits worse and under-forecasts the holdout total more (about 1,350)', () => {
    const k2 = fitMbgCnbdK(rows, { k: 2 });
    expect(k2.ok).toBe(true);
    if (!k2.ok) return;
    const params: MbgCnbdParams = k2.value.params;
    expect(k2.value.logLikelihood).toBeLessThan(fitted.value.logLikelihood - 200);
    const total = sum(holdoutPredictions((t, x, tx, T) => mbgCnbdConditionalExpectedPurchases(params, t, x, tx, T)));
    expect(total).toBeGreaterThan(1250);
    expect(total).toBeLessThan(1450);
  });
});

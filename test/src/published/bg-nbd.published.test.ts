import {
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  bgNbdPurchaseProbability,
  fitBgNbd,
} from '@clvlens/core/models';
import { describe, expect, it } from 'vitest';
import { cdnowSummaries, loadCdnow, relativeError } from './cdnow-fixture.ts';

const orders = loadCdnow('CDNOW_sample.txt');
const { summaries, compressed } = cdnowSummaries(orders);
const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const fitted = fitBgNbd(compressed);
if (!fitted.ok) throw new Error(`BG/NBD fit on CDNOW failed: ${fitted.reason}`);
const mle = fitted.value.params;

describe('summarizeOrders on CDNOW_sample (clv-models.md §1 data checks)', () => {
  it('counts 2,357 customers, 1,411 with x = 0, 2,457 calibration and 1,882 holdout repeat purchase days', () => {
    const x = Array.from(summaries.frequency);
    expect(summaries.customerKeys).toHaveLength(2357);
    expect(x.filter((v) => v === 0)).toHaveLength(1411);
    expect(x.reduce((s, v) => s + v, 0)).toBe(2457);
    expect(Array.from(summaries.holdout!.frequency).reduce((s, v) => s + v, 0)).toBe(1882);
    expect(Math.max(...summaries.age)).toBeCloseTo(272 / 7, 12);
    expect(Math.min(...summaries.age)).toBeCloseTo(27, 12);
  });

  it('gives customer ID 1 x = 2, t_x = 30.43, T = 38.86, m = 22.345 (worked example)', () => {
    const i = summaries.customerKeys.indexOf('0001');
    expect(summaries.frequency[i]).toBe(2);
    expect(summaries.recency[i]).toBeCloseTo(30.43, 2);
    expect(summaries.age[i]).toBeCloseTo(38.86, 2);
    expect(summaries.monetaryValueMinor[i]! / 100).toBeCloseTo(22.345, 10);
  });
});

describe('fitBgNbd on CDNOW_sample (weeks)', () => {
  it('matches Fader-Hardie-Lee 2005 BG/NBD params r, α, a, b = 0.243, 4.414, 0.793, 2.426 within 0.5%', () => {
    expect(relativeError(mle.r, 0.243)).toBeLessThan(0.005);
    expect(relativeError(mle.alpha, 4.414)).toBeLessThan(0.005);
    expect(relativeError(mle.a, 0.793)).toBeLessThan(0.005);
    expect(relativeError(mle.b, 2.426)).toBeLessThan(0.005);
  });

  it('matches the CLVTools MLE digits 0.2425945, 4.4136019, 0.7929199, 2.4258881 within 0.01%', () => {
    expect(relativeError(mle.r, 0.2425945)).toBeLessThan(1e-4);
    expect(relativeError(mle.alpha, 4.4136019)).toBeLessThan(1e-4);
    expect(relativeError(mle.a, 0.7929199)).toBeLessThan(1e-4);
    expect(relativeError(mle.b, 2.4258881)).toBeLessThan(1e-4);
  });

  it('has log-likelihood -9,582.4 (FHL 2005; CLVTools -9,582.429)', () => {
    expect(fitted.value.logLikelihood).toBeCloseTo(-9582.429, 2);
    expect(relativeError(bgNbdLogLikelihood(published, summaries), -9582.4)).toBeLessThan(0.005);
  });

  it('gives the same r, a, b and α × 7 when fitted in days instead of weeks (unit invariance)', () => {
    const days = fitBgNbd(cdnowSummaries(orders, 'day').compressed);
    expect(days.ok).toBe(true);
    if (!days.ok) return;
    expect(days.value.params.r).toBeCloseTo(mle.r, 6);
    expect(days.value.params.alpha / 7).toBeCloseTo(mle.alpha, 5);
    expect(days.value.params.a).toBeCloseTo(mle.a, 6);
    expect(days.value.params.b).toBeCloseTo(mle.b, 6);
    // Densities of purchase times scale by 1/7 per repeat purchase: LL_days = LL_weeks − Σx·ln 7.
    expect(days.value.logLikelihood).toBeCloseTo(fitted.value.logLikelihood - 2457 * Math.log(7), 4);
  });

  it('gives the same MLE on the 2,357 uncompressed rows as on the weighted unique rows', () => {
    expect(compressed.weight.length).toBeLessThan(1100);
    const plain = fitBgNbd(summaries);
    expect(plain.ok).toBe(true);
    if (!plain.ok) return;
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(plain.value.params[key]).toBeCloseTo(mle[key], 6);
  });
});

describe('BG/NBD spot values on CDNOW_sample (clv-models.md §6.2)', () => {
  it('ID 1 (x = 2, t_x = 30.43, T = 38.86): E[Y(39)] = 1.226 and P(alive) = 0.7266 (Hardie sheet)', () => {
    expect(relativeError(bgNbdConditionalExpectedPurchases(published, 39, 2, 30.43, 38.86), 1.22603)).toBeLessThan(1e-4);
    expect(relativeError(bgNbdProbabilityAlive(published, 2, 30.43, 38.86), 0.7266)).toBeLessThan(1e-4);
  });

  it('ID 6 (x = 7, t_x = 29.43): P(alive) = 0.6418 and E[Y(39)] = 3.3371, the increasing-frequency paradox', () => {
    expect(bgNbdProbabilityAlive(published, 7, 29.43, 38.86)).toBeCloseTo(0.6418, 4);
    expect(bgNbdConditionalExpectedPurchases(published, 39, 7, 29.43, 38.86)).toBeCloseTo(3.3371, 4);
    expect(bgNbdProbabilityAlive(published, 7, 29.43, 38.86)).toBeLessThan(bgNbdProbabilityAlive(published, 2, 30.43, 38.86));
  });

  it('x = 0, T = 38.86: P(alive) = 1 exactly and E[Y(39)] = 0.19510', () => {
    expect(bgNbdProbabilityAlive(published, 0, 0, 38.86)).toBe(1);
    expect(bgNbdConditionalExpectedPurchases(published, 39, 0, 0, 38.86)).toBeCloseTo(0.1951, 5);
  });

  it('unconditional E[X(t)] at the MLE: 0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576 (Hardie sheet, 3 decimals)', () => {
    const ts = [0.1429, 1, 3, 31.8571, 32, 78];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    ts.forEach((t, i) => expect(bgNbdExpectedPurchases(mle, t)).toBeCloseTo(expected[i]!, 3));
    expect(bgNbdExpectedPurchases(mle, 78)).toBeCloseTo(1.858, 3);
    expect(bgNbdExpectedPurchases(published, 78)).toBeCloseTo(1.8605, 3);
  });

  it('PMF at the rounded params: P(X(39) = 0) = 0.5737864, P(X(2) = 10) = 1.07869e-7, P(X(30) = 11..20) (R BTYD)', () => {
    expect(bgNbdPurchaseProbability(published, 39, 0)).toBeCloseTo(0.57378635, 7);
    expect(relativeError(bgNbdPurchaseProbability(published, 2, 10), 1.07869e-7)).toBeLessThan(1e-4);
    const p30 = [0.0019995214, 0.0015170236, 0.001163315, 0.0009003148, 0.0007023638, 0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.000222226];
    p30.forEach((p, k) => expect(relativeError(bgNbdPurchaseProbability(published, 30, 11 + k), p)).toBeLessThan(1e-6));
  });

  it('top five customers by E[Y(1)] (lifetimes documentation) within 3e-6 at the rounded params', () => {
    const top: [string, number, number, number, number][] = [
      ['509', 18, 35.14, 35.86, 0.424877],
      ['841', 19, 34.0, 34.14, 0.474738],
      ['1981', 17, 28.43, 28.86, 0.486526],
      ['157', 29, 37.71, 38.0, 0.662396],
      ['1516', 26, 30.86, 31.0, 0.710623],
    ];
    for (const [id, x, tx, T, value] of top) {
      expect(Math.abs(bgNbdConditionalExpectedPurchases(published, 1, x, tx, T) - value), id).toBeLessThan(3e-6);
      const i = summaries.customerKeys.indexOf(id.padStart(4, '0'));
      expect(summaries.frequency[i], id).toBe(x);
    }
  });
});

import { fitGammaGamma, gammaGammaExpectedAverageValue, gammaGammaLogLikelihood, gammaGammaPopulationMean } from '@clvlens/core/models';
import { describe, expect, it } from 'vitest';
import { cdnowSummaries, loadCdnow, relativeError } from './cdnow-fixture.ts';

const { summaries } = cdnowSummaries(loadCdnow('CDNOW_sample.txt'));
const dollars = Array.from(summaries.monetaryValueMinor, (m) => m / 100);
const spend = { frequency: summaries.frequency, monetaryValue: dollars };
const fitted = fitGammaGamma(spend);
if (!fitted.ok) throw new Error(`Gamma-Gamma fit on CDNOW failed: ${fitted.reason}`);
const params = fitted.value.params;

describe('fitGammaGamma on the 946 CDNOW repeat buyers (Fader & Hardie 2013 note 025)', () => {
  it('matches p, q, γ = 6.25, 3.74, 15.44 within 0.5%', () => {
    expect(fitted.value.customers).toBe(946);
    expect(fitted.value.excluded).toBe(1411);
    expect(relativeError(params.p, 6.25)).toBeLessThan(0.005);
    expect(relativeError(params.q, 3.74)).toBeLessThan(0.005);
    expect(relativeError(params.gamma, 15.44)).toBeLessThan(0.005);
  });

  it('reports the frequency-spend correlation 0.11 among repeat buyers, the independence check of note 025', () => {
    expect(fitted.value.frequencySpendCorrelation).toBeCloseTo(0.11, 2);
  });

  it('gives the same p, q and γ × 100 when spend is in cents (core works in minor units)', () => {
    const cents = fitGammaGamma({ frequency: summaries.frequency, monetaryValue: summaries.monetaryValueMinor });
    expect(cents.ok).toBe(true);
    if (!cents.ok) return;
    expect(cents.value.params.p).toBeCloseTo(params.p, 6);
    expect(cents.value.params.q).toBeCloseTo(params.q, 6);
    expect(cents.value.params.gamma / 100).toBeCloseTo(params.gamma, 5);
  });

  it('has log-likelihood -4,659 in the total-spend convention of FHL 2005 JMR (mean-spend LL − Σ ln x)', () => {
    let sumLnX = 0;
    for (const x of summaries.frequency) if (x > 0) sumLnX += Math.log(x);
    const meanConvention = gammaGammaLogLikelihood(params, {
      frequency: Array.from(summaries.frequency).filter((x) => x > 0),
      monetaryValue: dollars.filter((_, i) => summaries.frequency[i]! > 0),
    });
    expect(meanConvention).toBeCloseTo(fitted.value.logLikelihood, 6);
    expect(relativeError(meanConvention - sumLnX, -4659)).toBeLessThan(0.005);
  });

  it('has mean observed repeat spend $35.08 and a model mean within $0.09 of it (note 025)', () => {
    const repeat = dollars.filter((_, i) => summaries.frequency[i]! > 0);
    const observed = repeat.reduce((s, m) => s + m, 0) / repeat.length;
    expect(observed).toBeCloseTo(35.08, 2);
    expect(Math.abs(gammaGammaPopulationMean(params) - observed)).toBeLessThan(0.1);
    expect(gammaGammaPopulationMean({ p: 6.25, q: 3.74, gamma: 15.44 })).toBeCloseTo(35.219, 3);
  });

  it('expected average spend E(M) for IDs 1..10 = 24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17', () => {
    const expected = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
    expected.forEach((value, k) => {
      const i = summaries.customerKeys.indexOf(String(k + 1).padStart(4, '0'));
      expect(Math.abs(gammaGammaExpectedAverageValue(params, summaries.frequency[i]!, dollars[i]!) - value)).toBeLessThan(0.01);
    });
  });
});

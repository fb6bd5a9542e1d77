import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { fitGammaGamma } from './fit.ts';
import { gammaGammaExpectedAverageValue, gammaGammaPopulationMean } from './predict.ts';
import { simulateGammaGamma } from './simulate.ts';

describe('fitGammaGamma', () => {
  it('recovers p, q, γ from simulated spend (seed 5, 20,000 repeat buyers, γ in minor units)', () => {
    const truth = { p: 6, q: 4, gamma: 1500 };
    const rng = createSeededRng(5);
    const frequency = Float64Array.from({ length: 20_000 }, () => 1 + Math.floor(6 * rng()));
    const m = simulateGammaGamma(truth, frequency, rng);
    const fit = fitGammaGamma({ frequency, monetaryValue: m });
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(Math.abs(fit.value.params.p / truth.p - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.value.params.q / truth.q - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.value.params.gamma / truth.gamma - 1)).toBeLessThan(0.15);
  });

  it('leaves out one-time buyers and zero spend, and counts them', () => {
    const rng = createSeededRng(6);
    const frequency = Float64Array.from({ length: 3_000 }, (_, i) => (i % 3 === 0 ? 0 : 2));
    const m = simulateGammaGamma({ p: 5, q: 3, gamma: 20 }, frequency, rng);
    m[1] = 0;
    const fit = fitGammaGamma({ frequency, monetaryValue: m });
    expect(fit.ok && fit.value.excluded).toBe(1001);
  });

  it('returns no-repeat-customers without any repeat spend', () => {
    expect(fitGammaGamma({ frequency: [0, 0], monetaryValue: [0, 0] })).toEqual({ ok: false, reason: 'no-repeat-customers' });
  });
});

describe('gammaGammaExpectedAverageValue', () => {
  it('shrinks a customer mean towards the population mean, weight p·x/(p·x+q−1)', () => {
    const params = { p: 6.25, q: 3.74, gamma: 15.44 };
    const pop = gammaGammaPopulationMean(params);
    expect(pop).toBeCloseTo(35.219, 3);
    expect(gammaGammaExpectedAverageValue(params, 0, 0)).toBe(pop);
    const w = (6.25 * 2) / (6.25 * 2 + 3.74 - 1);
    expect(gammaGammaExpectedAverageValue(params, 2, 22.345)).toBeCloseTo((1 - w) * pop + w * 22.345, 10);
  });
});

import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { fitGammaGamma, GAMMA_GAMMA_PENALIZER_STEPS } from './fit.ts';
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

  it('keeps p finite with a penalty when every customer pays one price (the unpenalised MLE runs to p → ∞)', () => {
    // p = 1e9: each customer's orders all cost the same (a single-product shop), prices spread across customers. The
    // model reaches "no spread within a customer" only at p → ∞, so the unpenalised fit runs past the bound.
    const rng = createSeededRng(7);
    const frequency = Float64Array.from({ length: 300 }, (_, i) => 1 + (i % 4));
    const monetaryValue = Float64Array.from(simulateGammaGamma({ p: 1e9, q: 4, gamma: (8000 * 3) / 1e9 }, frequency, rng), Math.round);
    expect(fitGammaGamma({ frequency, monetaryValue }, { penalizer: 0 })).toEqual({ ok: false, reason: 'did-not-converge' });
    const fit = fitGammaGamma({ frequency, monetaryValue });
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(fit.value.penalizer).toBe(GAMMA_GAMMA_PENALIZER_STEPS[1]);
    // A usable model: finite parameters, and a population mean near the customers' mean price.
    const mean = monetaryValue.reduce((a, b) => a + b, 0) / monetaryValue.length;
    expect(Math.abs(gammaGammaPopulationMean(fit.value.params) / mean - 1)).toBeLessThan(0.1);
  });

  it('fits at penalty 0 when the data allow it, and says so', () => {
    const rng = createSeededRng(8);
    const frequency = Float64Array.from({ length: 5_000 }, () => 1 + Math.floor(4 * rng()));
    const fit = fitGammaGamma({ frequency, monetaryValue: simulateGammaGamma({ p: 6, q: 4, gamma: 1500 }, frequency, rng) });
    expect(fit.ok && fit.value.penalizer).toBe(0);
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

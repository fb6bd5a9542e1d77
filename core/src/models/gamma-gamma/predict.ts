import type { GammaGammaParams } from './likelihood.ts';

/**
 * E(M | p, q, γ, m, x) = p·(γ + m·x)/(p·x + q − 1): the expected average transaction value of a customer with x repeat
 * transactions of mean m (Fader & Hardie 2013 note 025 eq. 5), a weighted mean of the population mean p·γ/(q−1) and m.
 * For x = 0 it is the population mean. Same currency unit as γ and m.
 * (The form (p·γ + x·m)/(p·q + x) seen in circulation is wrong; clv-models.md §4.4.)
 */
export function gammaGammaExpectedAverageValue(params: GammaGammaParams, x: number, m: number): number {
  const { p, q, gamma } = params;
  if (x <= 0) return (p * gamma) / (q - 1);
  return (p * (gamma + m * x)) / (p * x + q - 1);
}

/** Population mean spend per transaction p·γ/(q−1) (needs q > 1). */
export function gammaGammaPopulationMean(params: GammaGammaParams): number {
  return (params.p * params.gamma) / (params.q - 1);
}

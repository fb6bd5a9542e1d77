import gammaRandom from '@stdlib/random-base-gamma';
import type { UniformRng } from '../bg-nbd/simulate.ts';
import type { GammaGammaParams } from './likelihood.ts';

/**
 * Draws each customer's mean spend over `frequency[i]` transactions from Gamma-Gamma (note 025 §2): ν ~ Gamma(q, γ)
 * per customer, each transaction value ~ Gamma(p, ν). Customers with x = 0 get m = 0.
 */
export function simulateGammaGamma(params: GammaGammaParams, frequency: ArrayLike<number>, rng: UniformRng): Float64Array {
  const drawGamma = gammaRandom.factory({ prng: rng });
  const n = frequency.length;
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = frequency[i]!;
    if (x <= 0) continue;
    const nu = drawGamma(params.q, params.gamma);
    let sum = 0;
    for (let k = 0; k < x; k++) sum += drawGamma(params.p, nu);
    mean[i] = sum / x;
  }
  return mean;
}

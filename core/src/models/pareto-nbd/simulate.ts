import gammaRandom from '@stdlib/random-base-gamma';
import type { SimulatedCustomers, UniformRng } from '../bg-nbd/simulate.ts';
import type { ParetoNbdParams } from './likelihood.ts';

/**
 * Draws customers from Pareto/NBD (Schmittlein, Morrison & Colombo 1987): λ ~ Gamma(r, α), μ ~ Gamma(s, β) (rates);
 * the lifetime is exponential(μ) from the first purchase at 0, and purchases follow a Poisson process with rate λ until
 * the lifetime or T ends. `ages` are the observation lengths T, in the params' time unit.
 */
export function simulateParetoNbd(
  params: ParetoNbdParams,
  ages: ArrayLike<number>,
  rng: UniformRng,
  options: { keepPurchaseTimes?: boolean } = {},
): SimulatedCustomers {
  const drawGamma = gammaRandom.factory({ prng: rng });
  const n = ages.length;
  const frequency = new Float64Array(n);
  const recency = new Float64Array(n);
  const age = new Float64Array(n);
  const alive = new Uint8Array(n);
  const purchaseTimes: number[][] | null = options.keepPurchaseTimes === true ? [] : null;
  for (let i = 0; i < n; i++) {
    const times: number[] = [];
    const T = ages[i]!;
    const lambda = drawGamma(params.r, params.alpha);
    const mu = drawGamma(params.s, params.beta);
    const lifetime = -Math.log(1 - rng()) / mu;
    const end = Math.min(lifetime, T);
    let t = 0;
    let x = 0;
    let last = 0;
    for (;;) {
      t += -Math.log(1 - rng()) / lambda;
      if (t > end) break;
      x++;
      last = t;
      if (purchaseTimes !== null) times.push(t);
    }
    frequency[i] = x;
    recency[i] = last;
    age[i] = T;
    alive[i] = lifetime > T ? 1 : 0;
    purchaseTimes?.push(times);
  }
  return { frequency, recency, age, alive, purchaseTimes };
}

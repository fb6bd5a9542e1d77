import betaRandom from '@stdlib/random-base-beta';
import gammaRandom from '@stdlib/random-base-gamma';
import type { UniformRng } from '../bg-nbd/simulate.ts';
import type { MbgCnbdParams } from './likelihood.ts';

/** Simulated MBG/CNBD-k customers: calibration statistics (x, t_x, T, litt), latent state, optional holdout counts. */
export interface SimulatedMbgCnbdCustomers {
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
  /** litt: Σ ln(gap) over the calibration gaps, params' time unit. */
  logIntervalSum: Float64Array;
  /** Whether each customer is still alive at T. */
  alive: Uint8Array;
  /** Purchases in (T, T + holdout], when `holdout` was given. */
  holdoutFrequency: Float64Array | null;
}

/**
 * Draws customers from MBG/CNBD-k (Platzer & Reutterer 2016's assumptions): λ ~ Gamma(r, α) (rate), p ~ Beta(a, b);
 * first purchase at 0, then Erlang-k gaps (sums of k exponential(λ) phases); right after every purchase, the first
 * included, the customer drops out with probability p. `ages` are the observation lengths T and `holdout` an optional
 * period after each T, in the params' time unit. All randomness comes from `rng`.
 */
export function simulateMbgCnbd(
  params: MbgCnbdParams,
  ages: ArrayLike<number>,
  rng: UniformRng,
  options: { holdout?: number } = {},
): SimulatedMbgCnbdCustomers {
  const drawGamma = gammaRandom.factory({ prng: rng });
  const drawBeta = betaRandom.factory({ prng: rng });
  const n = ages.length;
  const holdout = options.holdout ?? 0;
  const frequency = new Float64Array(n);
  const recency = new Float64Array(n);
  const age = new Float64Array(n);
  const logIntervalSum = new Float64Array(n);
  const alive = new Uint8Array(n);
  const holdoutFrequency = options.holdout === undefined ? null : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const T = ages[i]!;
    const lambda = drawGamma(params.r, params.alpha);
    const p = drawBeta(params.a, params.b);
    let isAlive = rng() >= p;
    let aliveAtT = isAlive;
    let t = 0;
    let x = 0;
    let litt = 0;
    let future = 0;
    while (isAlive) {
      let gap = 0;
      for (let phase = 0; phase < params.k; phase++) gap -= Math.log(1 - rng()) / lambda;
      t += gap;
      if (t > T + holdout) break;
      if (t <= T) {
        x++;
        litt += Math.log(gap);
        recency[i] = t;
      } else {
        future++;
      }
      isAlive = rng() >= p;
      if (t <= T) aliveAtT = isAlive;
    }
    frequency[i] = x;
    age[i] = T;
    logIntervalSum[i] = litt;
    alive[i] = aliveAtT ? 1 : 0;
    if (holdoutFrequency !== null) holdoutFrequency[i] = future;
  }
  return { frequency, recency, age, logIntervalSum, alive, holdoutFrequency };
}

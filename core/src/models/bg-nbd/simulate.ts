import betaRandom from '@stdlib/random-base-beta';
import gammaRandom from '@stdlib/random-base-gamma';
import mt19937 from '@stdlib/random-base-mt19937';
import { BetaGeoVariant } from './likelihood.ts';
import type { BgNbdParams } from './likelihood.ts';

/** A seeded generator of uniform numbers in [0, 1); core never calls Math.random. */
export type UniformRng = () => number;

/** A Mersenne Twister (MT19937) uniform generator in [0, 1): the same seed gives the same sequence. */
export function createSeededRng(seed: number): UniformRng {
  // stdlib's typings omit the `normalized` property that its factory attaches to the generator.
  const generator = mt19937.factory({ seed }) as unknown as { normalized: UniformRng };
  return generator.normalized;
}

/** Simulated (x, t_x, T) per customer, plus the latent truth for checks. */
export interface SimulatedCustomers {
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
  /** Whether each customer is still alive at T. */
  alive: Uint8Array;
  /** Repeat purchase times per customer (after the first purchase at 0), when `keepPurchaseTimes` was set. */
  purchaseTimes: number[][] | null;
}

/**
 * Draws customers from BG/NBD or MBG/NBD (FHL 2005 §2 assumptions i–v): λ ~ Gamma(r, α), p ~ Beta(a, b); purchases
 * follow a Poisson process with rate λ; after each repeat purchase (MBG/NBD: also right after the first) the customer
 * drops out with probability p. `ages` are the observation lengths T, in the params' time unit.
 */
export function simulateBetaGeo(
  variant: BetaGeoVariant,
  params: BgNbdParams,
  ages: ArrayLike<number>,
  rng: UniformRng,
  options: { keepPurchaseTimes?: boolean } = {},
): SimulatedCustomers {
  const drawGamma = gammaRandom.factory({ prng: rng });
  const drawBeta = betaRandom.factory({ prng: rng });
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
    const p = drawBeta(params.a, params.b);
    let isAlive = !(variant === BetaGeoVariant.mbgNbd && rng() < p);
    let t = 0;
    let x = 0;
    let last = 0;
    while (isAlive) {
      t += -Math.log(1 - rng()) / lambda;
      if (t > T) break;
      x++;
      last = t;
      if (purchaseTimes !== null) times.push(t);
      if (rng() < p) isAlive = false;
    }
    frequency[i] = x;
    recency[i] = last;
    age[i] = T;
    alive[i] = isAlive ? 1 : 0;
    purchaseTimes?.push(times);
  }
  return { frequency, recency, age, alive, purchaseTimes };
}

/** Draws customers from BG/NBD; see {@link simulateBetaGeo}. */
export function simulateBgNbd(
  params: BgNbdParams,
  ages: ArrayLike<number>,
  rng: UniformRng,
  options: { keepPurchaseTimes?: boolean } = {},
): SimulatedCustomers {
  return simulateBetaGeo(BetaGeoVariant.bgNbd, params, ages, rng, options);
}

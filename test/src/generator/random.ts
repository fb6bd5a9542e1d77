/**
 * Seeded randomness for the shop generator: the sfc32 generator (Chris Doty-Humphrey's "Small Fast Counting" PRNG
 * from PractRand, 128-bit state, passes PractRand and BigCrush) seeded through splitmix32, plus the samplers the
 * buy-till-you-die process needs (Gamma, Beta, Poisson, exponential, normal).
 *
 * Every stream is a pure function of its seed (only 32-bit integer maths and IEEE doubles), so the same seed gives
 * byte-identical shops wherever the same Node version runs. Independent sub-streams are derived with {@link Random.derive},
 * which hashes (seed, labels...) rather than sharing one sequence: a change in how many numbers one part of the
 * generator draws does not shift every other part.
 */

/** Finalizer of MurmurHash3 (fmix32): a fast bijective 32-bit avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a string seed to 32 bits (FNV-1a, then fmix32). */
export function hashSeed(seed: string | number): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number or a string, got ${seed}`);
    // Fold the high bits of large integer seeds in instead of truncating them away.
    const hi = Math.floor(Math.abs(seed) / 4294967296) >>> 0;
    return fmix32((seed >>> 0) ^ fmix32(hi ^ 0x9e3779b9));
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Mixes 32-bit labels into a 32-bit seed; used to name independent sub-streams. */
export function mixSeed(seed: number, ...labels: number[]): number {
  let h = seed >>> 0;
  for (const label of labels) h = fmix32(h ^ fmix32((label >>> 0) + 0x9e3779b9 + Math.floor(label / 4294967296)));
  return h;
}

/** The output function of splitmix32 for one counter value. */
function splitmixOutput(x: number): number {
  let z = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** `mixSeed(seed, a, b)` without the rest-parameter array. */
function mixSeed2(seed: number, a: number, b: number): number {
  let h = seed >>> 0;
  h = fmix32(h ^ fmix32((a >>> 0) + 0x9e3779b9 + Math.floor(a / 4294967296)));
  return fmix32(h ^ fmix32((b >>> 0) + 0x9e3779b9 + Math.floor(b / 4294967296)));
}

/**
 * A seeded sfc32 generator with distribution samplers. Not cryptographic.
 * @example const rng = new Random(42); rng.gamma(2, 0.5); rng.int(6);
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spareNormal = Number.NaN;
  #seed = 0;

  constructor(seed: string | number) {
    this.#a = 0;
    this.#b = 0;
    this.#c = 0;
    this.#d = 1;
    this.#init(hashSeed(seed));
  }

  /** The 32-bit seed this stream was built from. */
  get seed(): number {
    return this.#seed;
  }

  #init(s: number): void {
    this.#seed = s;
    this.#spareNormal = Number.NaN;
    // splitmix32 fills the 128-bit state from the 32-bit seed, as PractRand recommends for sfc32.
    const x1 = (s + 0x9e3779b9) | 0;
    const x2 = (x1 + 0x9e3779b9) | 0;
    const x3 = (x2 + 0x9e3779b9) | 0;
    this.#a = splitmixOutput(x1);
    this.#b = splitmixOutput(x2);
    this.#c = splitmixOutput(x3);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /**
   * Turns this generator into `parent.derive(label1, label2)` without allocating: for hot loops that need one
   * independent stream per item (a million orders).
   */
  resetToDerived(parent: Random, label1: number, label2: number): this {
    this.#init(hashSeed(mixSeed2(parent.seed, label1, label2)));
    return this;
  }

  /** An independent stream named by integer labels (e.g. `derive(ORDER_STREAM, orderIndex)`). */
  derive(...labels: number[]): Random {
    return new Random(mixSeed(this.seed, ...labels));
  }

  /** Next 32-bit unsigned integer. */
  uint32(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.#c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32-bit resolution. */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform in (0, 1): safe for logarithms. */
  nextOpen(): number {
    return (this.uint32() + 0.5) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('pick() needs a non-empty array');
    return item;
  }

  /** Index drawn from cumulative weights (`cumulative[i]` = sum of weights 0..i), by binary search. */
  weightedIndex(cumulative: ArrayLike<number>): number {
    const n = cumulative.length;
    const u = this.next() * (cumulative[n - 1] ?? 0);
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] ?? 0) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    const spare = this.#spareNormal;
    if (spare === spare) {
      this.#spareNormal = Number.NaN;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spareNormal = v * f;
    return u * f;
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(this.nextOpen()) / rate;
  }

  /**
   * Gamma(shape k, rate θ⁻¹ = `rate`), mean k/rate. Marsaglia & Tsang (2000), ACM TOMS 26(3):363-372; for k < 1 the
   * boost Gamma(k) = Gamma(k+1)·U^(1/k) from the same paper.
   */
  gamma(shape: number, rate: number): number {
    if (!(shape > 0) || !(rate > 0)) throw new RangeError(`gamma needs shape > 0 and rate > 0, got ${shape}, ${rate}`);
    let boost = 1;
    let k = shape;
    if (k < 1) {
      boost = Math.pow(this.nextOpen(), 1 / k);
      k += 1;
    }
    const d = k - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.nextOpen();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
        return (boost * d * v) / rate;
      }
    }
  }

  /** Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a, 1);
    const y = this.gamma(b, 1);
    return x / (x + y);
  }

  /**
   * Poisson(mean). Inversion by multiplication for mean < 30; Hörmann's PTRS transformed rejection (1993, Insurance:
   * Mathematics and Economics 12(1):39-45) above.
   */
  poisson(mean: number): number {
    if (!(mean >= 0)) throw new RangeError(`poisson needs mean >= 0, got ${mean}`);
    if (mean === 0) return 0;
    if (mean < 30) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    const slam = Math.sqrt(mean);
    const loglam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.nextOpen();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k)) {
        return k;
      }
    }
  }

  /** Geometric number of failures before the first success, success probability `p` (mean (1-p)/p). */
  geometric(p: number): number {
    if (p >= 1) return 0;
    return Math.floor(Math.log(this.nextOpen()) / Math.log(1 - p));
  }
}

/** ln(k!) via Stirling's series for k >= 10 (error < 1e-10), exact table below. */
function logFactorial(k: number): number {
  if (k < 10) {
    let f = 1;
    for (let i = 2; i <= k; i++) f *= i;
    return Math.log(f);
  }
  const n = k + 1;
  return (n - 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * n) - 1 / (360 * n * n * n);
}

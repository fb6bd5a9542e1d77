import { eulerBracket, expit, lnGamma } from '../special-functions/special-functions.ts';
import { BetaGeoVariant } from './likelihood.ts';
import type { BgNbdParams } from './likelihood.ts';

// a = 1 is a removable singularity of (a+b+x−1)/(a−1)·[1 − (1−z)^(a−1)·₂F₁(a−1, ·; ·; z)] (clv-models.md §5): near it
// the bracket is evaluated at a−1 = ±ε and the two quotients averaged, which is exact to O(ε²).
const A_SINGULARITY_EPS = 1e-6;

function bracketOverAMinus1(aMinus1: number, B: number, C: number, z: number): number {
  if (Math.abs(aMinus1) >= A_SINGULARITY_EPS) return eulerBracket(aMinus1, B, C, z) / aMinus1;
  const e = A_SINGULARITY_EPS;
  return (eulerBracket(e, B, C, z) / e + eulerBracket(-e, B, C, z) / -e) / 2;
}

/**
 * Log-odds of being dead, (r+x)·ln((α+T)/(α+t_x)) + ln(a/(b+x−1)) (MBG/NBD: b+x), so that P(alive) = expit(−odds)
 * stays exact at the extremes (Fader-Hardie note 021; clv-models.md §4.1, §5).
 */
function logOddsDead(variant: BetaGeoVariant, p: BgNbdParams, x: number, tx: number, T: number): number {
  const denom = variant === BetaGeoVariant.mbgNbd ? p.b + x : p.b + x - 1;
  return (p.r + x) * Math.log((p.alpha + T) / (p.alpha + tx)) + Math.log(p.a / denom);
}

/**
 * P(alive | x, t_x, T) for BG/NBD or MBG/NBD. BG/NBD returns exactly 1 for x = 0 (no dropout before the first repeat
 * purchase, FHL 2005 §3); MBG/NBD does not, so one-time buyers age out (Batislam et al. 2007).
 */
export function betaGeoProbabilityAlive(variant: BetaGeoVariant, params: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0 && variant === BetaGeoVariant.bgNbd) return 1;
  return expit(-logOddsDead(variant, params, x, tx, T));
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in (T, T+t] for a customer with that history (FHL 2005 eq. 10; MBG/NBD as
 * in BTYDplus), with the Euler-transformed numerator that stays finite for heavy buyers and long horizons.
 * t, t_x, T in the params' time unit.
 */
export function betaGeoConditionalExpectedPurchases(variant: BetaGeoVariant, params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  const pAlive = betaGeoProbabilityAlive(variant, params, x, tx, T);
  if (pAlive === 0) return 0;
  const c = variant === BetaGeoVariant.mbgNbd ? a + b + x : a + b + x - 1;
  // Euler: ₂F₁(r+x, b+x(+1); c; z) = (1−z)^(a−1−r−x) ₂F₁(c−r−x, a−1; c; z).
  const num = c * bracketOverAMinus1(a - 1, c - r - x, c, z);
  return num * pAlive;
}

/**
 * E[X(t)]: expected repeat purchases in (0, t] for a customer who just made a first purchase (FHL 2005 eq. 9; MBG/NBD:
 * b/(a−1)·[1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))]).
 */
export function betaGeoExpectedPurchases(variant: BetaGeoVariant, params: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const z = t / (alpha + t);
  if (variant === BetaGeoVariant.mbgNbd) return b * bracketOverAMinus1(a - 1, a + b - r, a + b, z);
  return (a + b - 1) * bracketOverAMinus1(a - 1, a + b - 1 - r, a + b - 1, z);
}

/**
 * P(no purchase in (T, T+t] | x, t_x, T) for BG/NBD or MBG/NBD = 1 − P(alive) + P(alive)·((α+T)/(α+T+t))^(r+x):
 * given alive at T, λ ~ Gamma(r+x, α+T), and in this family a customer can drop out only right after a purchase,
 * so a live customer makes no purchase in t with probability E[e^−λt]. It equals L(x, t_x, T+t) / L(x, t_x, T).
 * t, t_x, T in the params' time unit; 1 at t = 0, non-increasing in t, and 1 − P(alive) as t → ∞.
 */
export function betaGeoProbabilityNoPurchase(variant: BetaGeoVariant, params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 1;
  const { r, alpha } = params;
  const quiet = Math.exp(-(r + x) * Math.log1p(t / (alpha + T)));
  if (x === 0 && variant === BetaGeoVariant.bgNbd) return quiet;
  const odds = logOddsDead(variant, params, x, tx, T);
  // P(dead) + P(alive)·E[e^−λt]: two non-negative terms, so no cancellation near 0 or 1.
  return Math.min(1, expit(odds) + expit(-odds) * quiet);
}

/** P(alive | x, t_x, T) under BG/NBD (Fader-Hardie note 021): exactly 1 for x = 0, however long ago. */
export function bgNbdProbabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  return betaGeoProbabilityAlive(BetaGeoVariant.bgNbd, params, x, tx, T);
}

/** BG/NBD E[Y(t) | x, t_x, T] (FHL 2005 eq. 10). CDNOW ID 1 at the published params, t = 39 weeks: 1.226. */
export function bgNbdConditionalExpectedPurchases(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  return betaGeoConditionalExpectedPurchases(BetaGeoVariant.bgNbd, params, t, x, tx, T);
}

/** BG/NBD E[X(t)] (FHL 2005 eq. 9). */
export function bgNbdExpectedPurchases(params: BgNbdParams, t: number): number {
  return betaGeoExpectedPurchases(BetaGeoVariant.bgNbd, params, t);
}

/**
 * P(no purchase in (T, T+t] | x, t_x, T) under BG/NBD (see {@link betaGeoProbabilityNoPurchase}). For a brand-new
 * customer (x = t_x = T = 0) it is the PMF P(X(t) = 0) = (α/(α+t))^r: 0.5737864 at t = 39 weeks, published params.
 */
export function bgNbdProbabilityNoPurchase(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  return betaGeoProbabilityNoPurchase(BetaGeoVariant.bgNbd, params, t, x, tx, T);
}

/**
 * P(X(t) = n) under BG/NBD (FHL 2005 eq. 8), evaluated with log-Gamma terms. On CDNOW at the published params
 * P(X(39) = 0) = 0.5737864.
 */
export function bgNbdPurchaseProbability(params: BgNbdParams, t: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}.`);
  const { r, alpha, a, b } = params;
  const lnBeta = (u: number, v: number): number => lnGamma(u) + lnGamma(v) - lnGamma(u + v);
  const lnB = lnBeta(a, b);
  const lnQ = Math.log(alpha / (alpha + t));
  const lnZ = Math.log(t / (alpha + t));
  const lnNbd = (j: number): number => lnGamma(r + j) - lnGamma(r) - lnGamma(j + 1) + r * lnQ + (j === 0 ? 0 : j * lnZ);
  let p = Math.exp(lnBeta(a, b + n) - lnB + lnNbd(n));
  if (n > 0) {
    let cumulative = 0;
    for (let j = 0; j < n; j++) cumulative += Math.exp(lnNbd(j));
    p += Math.exp(lnBeta(a + 1, b + n - 1) - lnB) * Math.max(0, 1 - cumulative);
  }
  return p;
}

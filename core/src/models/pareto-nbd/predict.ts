import { expit } from '../special-functions/special-functions.ts';
import { paretoNbdLogA0 } from './likelihood.ts';
import type { ParetoNbdParams } from './likelihood.ts';

/**
 * [1 − (1 + t/c)^−(s−1)] / (s−1), the lifetime factor of both expectations; s = 1 is a removable singularity whose
 * limit is ln(1 + t/c). expm1 keeps it exact for s close to 1.
 */
function lifetimeFactor(s: number, t: number, c: number): number {
  const u = Math.log1p(t / c);
  return s === 1 ? u : -Math.expm1(-(s - 1) * u) / (s - 1);
}

/**
 * Log-odds of being dead, ln(s/(r+s+x)) + (r+x) ln(α+T) + s ln(β+T) + ln A0, so that P(alive) = expit(−odds) stays
 * exact at the extremes (clv-models.md §4.3, §5). −∞ when t_x = T (nothing since the last purchase: alive for sure).
 */
function logOddsDead(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = params;
  const lnA0 = paretoNbdLogA0(params, x, tx, T);
  return Math.log(s / (r + s + x)) + (r + x) * Math.log(alpha + T) + s * Math.log(beta + T) + lnA0;
}

/**
 * P(alive at T | x, t_x, T) under Pareto/NBD = 1 / (1 + s/(r+s+x)·(α+T)^(r+x)·(β+T)^s·A0) (Fader-Hardie note 009;
 * clv-models.md §4.3). x, t_x, T in the params' time unit. CDNOW x = 26, t_x = 30.86, T = 31 weeks at the BTYD
 * params: 0.9979.
 */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  return expit(-logOddsDead(params, x, tx, T));
}

/**
 * E[X(t)]: expected repeat purchases in (0, t] for a customer who just made a first purchase,
 * r·β/(α·(s−1))·[1 − (β/(β+t))^(s−1)] (Schmittlein, Morrison & Colombo 1987; clv-models.md §4.3). t in the params' unit.
 */
export function paretoNbdExpectedPurchases(params: ParetoNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, s, beta } = params;
  return ((r * beta) / alpha) * lifetimeFactor(s, t, beta);
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in (T, T+t] = P(alive)·(r+x)(β+T)/((α+T)(s−1))·[1 − ((β+T)/(β+T+t))^(s−1)]
 * (Schmittlein et al. 1987; clv-models.md §4.3). t, t_x, T in the params' unit. CDNOW x = 26, t_x = 30.86,
 * T = 31, t = 52 weeks at the fitted params: 25.46.
 */
export function paretoNbdConditionalExpectedPurchases(params: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, s, beta } = params;
  const pAlive = paretoNbdProbabilityAlive(params, x, tx, T);
  if (pAlive === 0) return 0;
  return (pAlive * (r + x) * (beta + T) * lifetimeFactor(s, t, beta + T)) / (alpha + T);
}

/**
 * P(no purchase in (T, T+t] | x, t_x, T) under Pareto/NBD: 1 − P(alive) + P(alive)·E[P(no purchase in t | λ, μ)],
 * where, given alive at T, λ ~ Gamma(r+x, α+T) and μ ~ Gamma(s, β+T) independently, and a live customer makes no
 * purchase in t with probability e^−(λ+μ)t + μ/(λ+μ)·(1 − e^−(λ+μ)t) (dies first, or survives without buying).
 * Integrating over the posterior gives a closed form in the same A0 as the likelihood, over (T, T+t]:
 * ((α+T)/(α+T+t))^(r+x)·((β+T)/(β+T+t))^s + s/(r+s+x)·(α+T)^(r+x)·(β+T)^s·A0(T, T+t).
 * It equals L(x, t_x, T+t) / L(x, t_x, T). t, t_x, T in the params' unit; t = ∞ is allowed (never buys again).
 */
export function paretoNbdProbabilityNoPurchase(params: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 1;
  const { r, alpha, s, beta } = params;
  const odds = logOddsDead(params, x, tx, T);
  const survive = Math.exp(-(r + x) * Math.log1p(t / (alpha + T)) - s * Math.log1p(t / (beta + T)));
  const lnA0 = paretoNbdLogA0(params, x, T, T + t);
  const dieFirst = Math.exp(Math.log(s / (r + s + x)) + (r + x) * Math.log(alpha + T) + s * Math.log(beta + T) + lnA0);
  // P(dead) + P(alive)·P0: both terms are non-negative, so there is no cancellation near 0 or 1.
  return Math.min(1, expit(odds) + expit(-odds) * (survive + dieFirst));
}

import { expit, logAddExp } from '../special-functions/special-functions.ts';
import { checkMbgCnbdParams } from './likelihood.ts';
import type { MbgCnbdParams } from './likelihood.ts';

/**
 * Predictions of MBG/CNBD-k for one customer with history (x, t_x, T), times in the params' unit. litt is not needed:
 * it cancels from every posterior quantity.
 *
 * Given the history, the posterior is a finite mixture (derived here from the model of Platzer & Reutterer 2016; the
 * weights are the branches of its likelihood): dead with weight S₁, or alive with j ∈ {0, …, k−1} Erlang phases of
 * the next gap already completed, weight S₂ⱼ = (r+kx)_j/j!·(Δ/(α+T))^j, Δ = T − t_x. Alive with j phases, λ ~ Gamma(r+kx+j, α+T) and p ~ Beta(a, b+x+1); the phases after T form a Poisson
 * process of rate λ, the m-th future purchase is the (mk−j)-th phase, and it happens only if the customer survived
 * m−1 dropout draws, which has probability c_m = E[(1−p)^(m−1)] = B(a, b+x+m)/B(a, b+x+1).
 */

/**
 * Posterior mixture at T, both branches relative to the alive j = 0 term: ln S₁ (dead), the phase weights S₂ⱼ
 * (S₂₀ = 1) and ln S₂ = ln Σ_j S₂ⱼ (alive).
 */
interface Posterior {
  lnDead: number;
  phaseWeights: Float64Array;
  lnAlive: number;
}

function posterior(params: MbgCnbdParams, x: number, tx: number, T: number): Posterior {
  checkMbgCnbdParams(params);
  if (!(Number.isInteger(x) && x >= 0 && tx >= 0 && T >= tx && Number.isFinite(T))) {
    throw new RangeError(`Need integer x >= 0 and 0 <= t_x <= T finite; got x=${x}, t_x=${tx}, T=${T}.`);
  }
  const { k, r, alpha, a, b } = params;
  const rkx = r + k * x;
  const ratio = (T - tx) / (alpha + T);
  const phaseWeights = new Float64Array(k);
  phaseWeights[0] = 1;
  let sum = 1;
  for (let j = 1; j < k; j++) {
    phaseWeights[j] = phaseWeights[j - 1]! * ((rkx + j - 1) / j) * ratio;
    sum += phaseWeights[j]!;
  }
  return {
    lnDead: Math.log(a) - Math.log(b + x) + rkx * (Math.log(alpha + T) - Math.log(alpha + tx)),
    phaseWeights,
    lnAlive: Math.log(sum),
  };
}

/**
 * P(alive at T | x, t_x, T) = 1 / (1 + S₁/S₂) (Platzer & Reutterer 2016; BTYDplus `mbgcnbd.PAlive`), evaluated as expit
 * of a log-odds so it is exactly 0 or 1 at the extremes. Below 1 for x = 0 (dropout at time zero). k = 1 gives MBG/NBD.
 */
export function mbgCnbdProbabilityAlive(params: MbgCnbdParams, x: number, tx: number, T: number): number {
  const post = posterior(params, x, tx, T);
  return expit(post.lnAlive - post.lnDead);
}

/** ln of the likelihood's history-dependent part: ln[a/(b+x)·(α+t_x)^−(r+kx) + S₂(T)·(α+T)^−(r+kx)]. */
function lnHistoryTerm(params: MbgCnbdParams, x: number, tx: number, T: number): number {
  const post = posterior(params, x, tx, T);
  // Both branches were kept relative to (α+T)^−(r+kx); put that factor back.
  const lnScale = (params.r + params.k * x) * Math.log(params.alpha + T);
  return logAddExp(post.lnAlive - lnScale, post.lnDead - lnScale);
}

/**
 * P(no purchase in (T, T+t] | x, t_x, T) = L(x, t_x, T+t) / L(x, t_x, T): observing the history up to T and then no
 * purchase until T+t is exactly the event whose likelihood is L(x, t_x, T+t). 1 at t = 0, non-increasing, and
 * 1 − P(alive) as t → ∞. t in the params' time unit.
 */
export function mbgCnbdProbabilityNoPurchase(params: MbgCnbdParams, t: number, x: number, tx: number, T: number): number {
  if (!(t >= 0)) throw new RangeError(`t must be >= 0, got ${t}.`);
  if (t === 0) return 1;
  if (t === Number.POSITIVE_INFINITY) return 1 - mbgCnbdProbabilityAlive(params, x, tx, T);
  const post = posterior(params, x, tx, T);
  const ratio = Math.exp(lnHistoryTerm(params, x, tx, T + t) - lnHistoryTerm(params, x, tx, T));
  // The dead branch is the same at T and T+t and the alive one only shrinks: the ratio lies in [P(dead), 1] but for
  // rounding.
  return Math.min(1, Math.max(ratio, expit(post.lnDead - post.lnAlive)));
}

/** Relative accuracy of the truncated negative-binomial sums (their tail is bounded by a geometric series). */
const SERIES_TOLERANCE = 1e-15;
/**
 * Terms before the sums give up. The count of terms is about k·(expected purchases) plus a tail of a few times
 * 1/(1 − t/(α+T+t)): tens to thousands for horizons up to many times α+T.
 */
const MAX_SERIES_TERMS = 5_000_000;

/**
 * E[purchases in (T, T+t] | alive, j phases done] = Σ_n NB(n; r+kx+j, q) · Σ_{m ≤ (n+j)/k} c_m, q = t/(α+T+t): the
 * number of future phases N(t) is negative binomial once λ is integrated out, and the m-th purchase needs
 * N ≥ mk − j and m−1 survived dropout draws.
 */
function expectedPurchasesGivenPhase(params: MbgCnbdParams, t: number, x: number, T: number, j: number): number {
  const { k, r, alpha, a, b } = params;
  const s = r + k * x + j;
  const beta = alpha + T;
  const lnQ = Math.log(t) - Math.log(beta + t);
  const q = t / (beta + t);
  const bPost = b + x + 1;
  let lnP = -s * Math.log1p(t / beta);
  let cumulative = 0;
  let nextC = 1;
  let purchases = 0;
  let sum = 0;
  for (let n = 0; n < MAX_SERIES_TERMS; n++) {
    if (n > 0) lnP += Math.log(s + n - 1) - Math.log(n) + lnQ;
    if ((n + j) % k === 0 && n + j > 0) {
      cumulative += nextC;
      nextC *= (bPost + purchases) / (a + bPost + purchases);
      purchases++;
    }
    const p = Math.exp(lnP);
    sum += p * cumulative;
    // Ratios of consecutive NB terms, (s+n)q/(n+1), fall towards q when s ≥ 1 and rise towards q when s < 1.
    const rho = s >= 1 ? ((s + n) * q) / (n + 1) : q;
    if (rho < 1) {
      // Later terms: pmf ≤ p·ρ^i and cumulative ≤ cumulative + i (each c_m ≤ 1).
      const tail = ((p * rho) / (1 - rho)) * (cumulative + 1 / (1 - rho));
      if (tail <= SERIES_TOLERANCE * sum || (p === 0 && n > s * (q / (1 - q)))) return sum;
    }
  }
  throw new RangeError(`The horizon t=${t} is too long for MBG/CNBD-k's series (${MAX_SERIES_TERMS} terms); use a shorter one.`);
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in (T, T+t] for a customer with that history, computed exactly from the
 * posterior mixture (see the top of this file) as P(alive) · Σ_j w_j · E[Y | alive, j], each term a negative-binomial
 * series truncated once its geometric tail bound is below 1e−15 of the sum. Deterministic, no cohort-level rescaling:
 * BTYDplus instead approximates this with the MBG/NBD formula at α → kα and rescales the whole cohort's predictions to
 * match the unconditional expectation. k = 1 equals the MBG/NBD closed form of clv-models.md §4.2.
 * t, t_x, T in the params' time unit; t finite.
 */
export function mbgCnbdConditionalExpectedPurchases(params: MbgCnbdParams, t: number, x: number, tx: number, T: number): number {
  if (!(t >= 0 && Number.isFinite(t))) throw new RangeError(`t must be finite and >= 0, got ${t}.`);
  const post = posterior(params, x, tx, T);
  if (t === 0) return 0;
  const pAlive = expit(post.lnAlive - post.lnDead);
  if (pAlive === 0) return 0;
  const total = Math.exp(post.lnAlive);
  let expected = 0;
  for (let j = 0; j < params.k; j++) {
    const weight = post.phaseWeights[j]! / total;
    if (weight < 1e-18) continue;
    expected += weight * expectedPurchasesGivenPhase(params, t, x, T, j);
  }
  return pAlive * expected;
}

/**
 * E[X(t)]: expected repeat purchases in (0, t] for a customer who just made a first purchase, i.e. the conditional
 * expectation with x = t_x = T = 0 (alive with probability b/(a+b), at the start of a gap). t in the params' unit.
 */
export function mbgCnbdExpectedPurchases(params: MbgCnbdParams, t: number): number {
  return mbgCnbdConditionalExpectedPurchases(params, t, 0, 0, 0);
}

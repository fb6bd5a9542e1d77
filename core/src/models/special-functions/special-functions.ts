import digammaStdlib from '@stdlib/math-base-special-digamma';
import gammalnStdlib from '@stdlib/math-base-special-gammaln';
import hyp2f1Stdlib from '@stdlib/math-base-special-hyp2f1';

/**
 * Special functions used by the buy-till-you-die models (clv-models.md §3). The numerics come from `@stdlib`
 * (gammaln, digamma, hyp2f1 verified against SciPy); this file only adds the log-space helpers and the
 * overflow-safe Euler form of the hypergeometric term.
 */

/** ln Γ(x) for x > 0. */
export const lnGamma: (x: number) => number = gammalnStdlib;

/** ψ(x) = d/dx ln Γ(x). */
export const digamma: (x: number) => number = digammaStdlib;

/** Gauss hypergeometric ₂F₁(a, b; c; z) (series definition, converges for |z| < 1). */
export const hyp2f1: (a: number, b: number, c: number, z: number) => number = hyp2f1Stdlib;

/**
 * {@link hyp2f1}, and where `@stdlib` returns a non-finite value, the power series summed directly
 * ({@link hyp2f1Series}). The BTYD expectations meet such points when a fit runs r and α off together (r ≈ 6·10⁴,
 * α ≈ 7·10⁶: the Poisson limit of the Gamma mixing), which puts b = c − r − x near −6·10⁴ at a tiny z: the series is
 * short and well conditioned there, while `@stdlib`'s transformations give NaN. Only the predictions use it: inside a
 * likelihood a NaN is how the optimizer learns a step went too far, and summing there would only cost time.
 */
export function hyp2f1OrSeries(a: number, b: number, c: number, z: number): number {
  const value = hyp2f1Stdlib(a, b, c, z);
  return Number.isFinite(value) ? value : hyp2f1Series(a, b, c, z);
}

/** Largest term over the sum's magnitude beyond which cancellation has eaten the double's digits (1e8: 8 left). */
const SERIES_CANCELLATION_LIMIT = 1e8;
const SERIES_MAX_TERMS = 2_000;

/**
 * ₂F₁(a, b; c; z) = Σ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ, summed term by term (term ratio (a+n)(b+n)z / ((c+n)(n+1))) until a
 * term no longer changes the sum. NaN, not a wrong number, when it does not converge within 2,000 terms or when
 * alternating terms far larger than the sum leave fewer than 8 significant digits.
 */
export function hyp2f1Series(a: number, b: number, c: number, z: number): number {
  if (!(Math.abs(z) < 1)) return Number.NaN;
  let term = 1;
  let sum = 1;
  let largest = 1;
  for (let n = 0; n < SERIES_MAX_TERMS; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    if (!Number.isFinite(term)) return Number.NaN;
    sum += term;
    largest = Math.max(largest, Math.abs(term));
    if (Math.abs(term) <= Number.EPSILON * Math.abs(sum)) return largest > SERIES_CANCELLATION_LIMIT * Math.abs(sum) ? Number.NaN : sum;
  }
  return Number.NaN;
}

/** ln(e^u + e^v) without overflow. */
export function logAddExp(u: number, v: number): number {
  if (u === Number.NEGATIVE_INFINITY) return v;
  if (v === Number.NEGATIVE_INFINITY) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/** Logistic function 1 / (1 + e^-u), exact 0 and 1 at the extremes instead of NaN. */
export function expit(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/**
 * 1 − (1−z)^A · ₂F₁(A, B; C; z) for 0 ≤ z < 1, the bracket of the BG/NBD and MBG/NBD expectations after the Euler
 * transformation ₂F₁(α, β; γ; z) = (1−z)^(γ−α−β) ₂F₁(γ−α, γ−β; γ; z) (clv-models.md §4.1). With A = a − 1 ∈ (−1, ∞)
 * the transformed series stays finite where the direct ₂F₁(r+x, b+x; a+b+x−1; z) overflows (large x, long t).
 */
export function eulerBracket(A: number, B: number, C: number, z: number): number {
  if (z <= 0) return 0;
  return 1 - Math.exp(A * Math.log1p(-z)) * hyp2f1OrSeries(A, B, C, z);
}

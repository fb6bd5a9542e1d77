import { prepareRows, type PreparedRows } from '../bg-nbd/likelihood.ts';
import type { FrequencyRecencyRows } from '../btyd-summary/btyd-summary.ts';
import { hyp2f1, lnGamma, logAddExp } from '../special-functions/special-functions.ts';

/**
 * Pareto/NBD parameters (Schmittlein, Morrison & Colombo 1987, Management Science 33(1):1–24): while alive a customer
 * buys as Poisson(λ), λ ~ Gamma(r, α), and the lifetime is exponential(μ), μ ~ Gamma(s, β).
 */
export interface ParetoNbdParams {
  /** r: shape of the Gamma heterogeneity of the purchase rate λ. */
  r: number;
  /** α: rate (scale) of that Gamma, in model time units (weeks or days). */
  alpha: number;
  /** s: shape of the Gamma heterogeneity of the dropout rate μ. */
  s: number;
  /** β: rate (scale) of that Gamma, in model time units. */
  beta: number;
}

/**
 * ln F(y) = ln[₂F₁(r+s+x, b; r+s+x+1; z) / y^(r+s+x)], z = |α−β| / y, with b = s+1 when α ≥ β and b = r+x otherwise
 * (Fader-Hardie note 009, 2005). The ₂F₁ is evaluated in its Euler form (1−z)^(1−b)·₂F₁(1, r+s+x+1−b; r+s+x+1; z):
 * the same value, but the remaining series is bounded by 1/(1−z), so heavy buyers (large x) cannot overflow it.
 */
function lnF(rsx: number, b: number, z: number, y: number): number {
  const head = z === 0 ? 0 : (1 - b) * Math.log1p(-z);
  return head + Math.log(hyp2f1(1, rsx + 1 - b, rsx + 1, z)) - rsx * Math.log(y);
}

/** Nodes and log weights of 16-point Gauss-Legendre quadrature on [−1, 1], by Newton's method on P₁₆ at module load. */
const GAUSS_LEGENDRE_16 = ((): { nodes: Float64Array; logWeights: Float64Array } => {
  const n = 16;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k];
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const step = p1 / dp;
      z -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = z;
    weights[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { nodes, logWeights: weights.map((w) => Math.log(w)) };
})();

/** Panels of {@link logA0ByQuadrature} stop once the integrand is this many e-folds below its start (e^−60 ≈ 1e−26). */
const QUADRATURE_TAIL_EFOLDS = 60;
/** At most this many panels per call: only reached far outside any fitted region. */
const QUADRATURE_MAX_PANELS = 4096;

/**
 * ln A0 by quadrature of its integral, where the ₂F₁ route is slow or fails (z near 1: thousands of series terms, or
 * NaN from stdlib's ₂F₁; the optimiser visits there when dropout looks homogeneous, s and β large, or purchase rates
 * do, r and α large). With m = min(α, β), d = |α−β| and b = s+1 when α < β, r+x otherwise, the integrand of
 * A0/(r+s+x) on u = ln(m+τ) is exp(φ(u)), φ(u) = −(r+s+x)·u − b·ln(1 + d·e^−u): smooth (its nearest singularity is
 * π off the real axis) and concave, φ' decreasing. It is summed panel by panel from the lower end, 16-point
 * Gauss-Legendre on each, a panel at most 2 wide in u and spanning at most 8 e-folds at its steeper end (|φ'| is
 * largest at an end of any interval, φ' being monotone); the walk stops at the upper end, or once φ falls and is
 * {@link QUADRATURE_TAIL_EFOLDS} below its largest value, beyond which the rest adds less than double precision
 * holds. Panels of one width over the whole interval, as before, needed thousands per customer when r+s+x is large:
 * one 193-order shop's fit then held a thread for minutes. Where the ₂F₁ works the two agree to about 1e−13 in ln A0
 * (tested). `stats.panels`, when given, counts the panels summed.
 */
export function logA0ByQuadrature(params: ParetoNbdParams, x: number, from: number, to: number, stats?: { panels: number }): number {
  const { r, alpha, s, beta } = params;
  const rsx = r + s + x;
  const low = alpha < beta;
  const m = low ? alpha : beta;
  const d = Math.abs(alpha - beta);
  const b = low ? s + 1 : r + x;
  const u0 = Math.log(m + from);
  const u1 = Number.isFinite(to) ? Math.log(m + to) : Number.POSITIVE_INFINITY;
  const phi = (u: number): number => -rsx * u - b * Math.log1p(d * Math.exp(-u));
  const derivative = (u: number): number => -rsx + (b * d) / (d + Math.exp(u));
  const { nodes, logWeights } = GAUSS_LEGENDRE_16;
  // ln Σ exp(v) with one exp per node: the sum is kept relative to the largest term so far, rescaled when a larger one
  // comes (rarely: φ mostly falls along u). A log-sum-exp per node made this loop most of a large shop's fit.
  let top = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let peak = phi(u0);
  let start = u0;
  for (let panel = 0; panel < QUADRATURE_MAX_PANELS && start < u1; panel++) {
    const here = phi(start);
    peak = Math.max(peak, here);
    if (here < peak - QUADRATURE_TAIL_EFOLDS && derivative(start) < 0) break;
    let width = Math.min(2, u1 - start, 8 / Math.max(Math.abs(derivative(start)), 1e-300));
    width = Math.min(width, 8 / Math.max(Math.abs(derivative(start + width)), 1e-300));
    const mid = start + 0.5 * width;
    const lnHalfWidth = Math.log(0.5 * width);
    for (let i = 0; i < nodes.length; i++) {
      const v = lnHalfWidth + logWeights[i]! + phi(mid + 0.5 * width * nodes[i]!);
      if (v === Number.NEGATIVE_INFINITY) continue;
      if (v > top) {
        sum = sum * Math.exp(top - v) + 1;
        top = v;
      } else sum += Math.exp(v - top);
    }
    start += width;
    if (stats) stats.panels++;
  }
  return Math.log(rsx) + top + Math.log(sum);
}

/**
 * ln A0 of Fader-Hardie note 009 for one customer, in general for the interval (from, to]:
 * A0 = (r+s+x)·∫_from^to (α+τ)^−(r+x) (β+τ)^−(s+1) dτ = F(from) − F(to) (clv-models.md §4.3). A difference of two
 * positive terms, so it is combined as a signed log-sum-exp; −∞ when from = to. Uses quadrature of the integral
 * where the ₂F₁ is slow or fails.
 */
export function paretoNbdLogA0(params: ParetoNbdParams, x: number, from: number, to: number): number {
  if (!(to > from)) return Number.NEGATIVE_INFINITY;
  const { r, alpha, s, beta } = params;
  const rsx = r + s + x;
  const high = alpha >= beta;
  const b = high ? s + 1 : r + x;
  const base = high ? alpha : beta;
  const diff = Math.abs(alpha - beta);
  const zNear = diff / (base + from);
  // With z near 1 stdlib's ₂F₁ slows down (about 1 ms a call at s ≈ 100 when α < β, thousands of series terms at
  // r+s+x in the thousands when α ≥ β) and then returns NaN (s ≳ 200), while the quadrature's integrand is at its
  // smoothest there: use the quadrature.
  if (zNear > 0.9) return logA0ByQuadrature(params, x, from, to);
  const lnNear = lnF(rsx, b, zNear, base + from);
  const lnFar = lnF(rsx, b, diff / (base + to), base + to);
  // F is decreasing in y, so lnFar < lnNear; otherwise the ₂F₁ failed or the interval is below double precision.
  const gap = lnFar - lnNear;
  if (!(gap < 0) || !Number.isFinite(lnNear)) return logA0ByQuadrature(params, x, from, to);
  return lnNear + Math.log(-Math.expm1(gap));
}

/**
 * ln L of one customer minus its parameter-only part, i.e. logsumexp(−(r+x) ln(α+T) − s ln(β+T),
 * ln s − ln(r+s+x) + ln A0) (Fader-Hardie note 009 eq. 3).
 */
export function paretoNbdLogBracket(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = params;
  const survive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const lnA0 = paretoNbdLogA0(params, x, tx, T);
  return logAddExp(survive, Math.log(s) - Math.log(r + s + x) + lnA0);
}

/**
 * Σ w·ln L over prepared rows (Fader-Hardie note 009, 2005; clv-models.md §4.3):
 * ln L = lnΓ(r+x) − lnΓ(r) + r ln α + s ln β + logsumexp(−(r+x) ln(α+T) − s ln(β+T), ln s − ln(r+s+x) + ln A0).
 * Times are those of `data` (divided by its time scale), so α and β must be in the same scale.
 */
export function paretoNbdPreparedLogLikelihood(params: ParetoNbdParams, data: PreparedRows): number {
  const { r, alpha, s, beta } = params;
  const lgR = lnGamma(r);
  let ll = data.totalWeight * (r * Math.log(alpha) + s * Math.log(beta));
  for (let k = 0; k < data.distinctX.length; k++) {
    ll += data.distinctWeight[k]! * (lnGamma(r + data.distinctX[k]!) - lgR);
  }
  for (let i = 0; i < data.x.length; i++) {
    const w = data.w[i]!;
    if (w === 0) continue;
    ll += w * paretoNbdLogBracket(params, data.x[i]!, data.tx[i]!, data.T[i]!);
  }
  return ll;
}

/**
 * Total log-likelihood Σ w·ln L of Pareto/NBD at `params` (Fader-Hardie note 009), time in the params' units.
 * On the CDNOW sample in weeks at the FHL 2005 parameters this is −9,595.0 (clv-models.md §6.1).
 */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, rows: FrequencyRecencyRows): number {
  return paretoNbdPreparedLogLikelihood(params, prepareRows(rows));
}

import { groupByFrequency, type FrequencyGroups } from '../frequency-groups/frequency-groups.ts';
import type { FrequencyRecencyRows } from '../btyd-summary/btyd-summary.ts';
import { digamma, lnGamma, logAddExp } from '../special-functions/special-functions.ts';

/**
 * MBG/CNBD-k parameters (Platzer & Reutterer 2016, "Ticking Away the Moments", Marketing Science 35(5):779–799;
 * BTYDplus `mbgcnbd.*`). While alive a customer's inter-purchase times are Erlang-k with rate λ (mean k/λ), so the
 * purchase rate is λ/k; λ ~ Gamma(r, α); right after every purchase, the first one at time 0 included, the customer
 * drops out with probability p ~ Beta(a, b). k = 1 is MBG/NBD (Batislam, Denizel & Filiztekin 2007).
 */
export interface MbgCnbdParams {
  /** k: regularity, the integer Erlang shape of the inter-purchase times (1 = exponential, i.e. MBG/NBD). */
  k: number;
  /** r: shape of the Gamma heterogeneity of the Erlang rate λ. */
  r: number;
  /** α: rate of that Gamma, in model time units (weeks or days). For k > 1 not comparable with MBG/NBD's α. */
  alpha: number;
  /** a: first shape of the Beta heterogeneity of the dropout probability p. */
  a: number;
  /** b: second shape of that Beta. */
  b: number;
}

/**
 * (x, t_x, T, litt) rows with optional weights: the likelihood input of MBG/CNBD-k. For k > 1 the likelihood needs the
 * timing of the purchases, not only x and t_x; its sufficient statistic is litt (BTYDplus `elog2cbs`).
 */
export interface MbgCnbdRows extends FrequencyRecencyRows {
  /**
   * litt: Σ ln(gap) over the x gaps between consecutive purchase periods, each gap in the rows' time unit (the same
   * unit as t_x and T); 0 when x = 0. The gaps sum to t_x, so litt ≤ x·ln(t_x/x). See `computeLogIntervalSums`.
   */
  logIntervalSum: ArrayLike<number>;
}

/** Rows prepared for repeated likelihood evaluation, times divided by a scale (terms in x alone cached per distinct x). */
export interface PreparedMbgCnbdRows extends FrequencyGroups {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  w: Float64Array;
  /** Σ_i w_i·litt_i in the scaled time unit: ln L depends on it only through the constant (k−1)·Σ w·litt. */
  weightedLitt: number;
  /** Σ_i w_i·x_i. */
  weightedX: number;
}

/** Checks one row's contract (one rule per check, as the BG/NBD fit does); throws RangeError naming the row. */
export function checkMbgCnbdRow(i: number, x: number, tx: number, T: number, litt: number, w: number): void {
  if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`Row ${i}: x must be an integer >= 0, got ${x}.`);
  if (!(tx >= 0 && T >= tx && Number.isFinite(T))) throw new RangeError(`Row ${i}: need 0 <= t_x <= T finite, got t_x=${tx}, T=${T}.`);
  if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`Row ${i}: weight must be finite and >= 0, got ${w}.`);
  if (x > 0 && !(tx > 0)) throw new RangeError(`Row ${i}: t_x must be > 0 when x > 0 (got x=${x}, t_x=${tx}).`);
  if (x === 0 && litt !== 0) throw new RangeError(`Row ${i}: litt must be 0 when x = 0, got ${litt}.`);
  // Jensen: the mean of ln(gap) is at most ln of the mean gap t_x/x. A violation means litt is in another time unit.
  if (x > 0 && !(Number.isFinite(litt) && litt <= x * Math.log(tx / x) + 1e-9 * (1 + Math.abs(litt)))) {
    throw new RangeError(`Row ${i}: litt=${litt} exceeds x·ln(t_x/x)=${x * Math.log(tx / x)}; is it in the unit of t_x and T?`);
  }
}

/** Checks k (integer >= 1) and the positivity of r, α, a, b; throws RangeError. */
export function checkMbgCnbdParams(params: MbgCnbdParams): void {
  const { k, r, alpha, a, b } = params;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be an integer >= 1, got ${k}.`);
  for (const [name, v] of [
    ['r', r],
    ['alpha', alpha],
    ['a', a],
    ['b', b],
  ] as const) {
    if (!(v > 0 && Number.isFinite(v))) throw new RangeError(`${name} must be finite and > 0, got ${v}.`);
  }
}

/** Validates and copies rows, dividing times by `timeScale` (litt shifts by −x·ln timeScale). */
export function prepareMbgCnbdRows(rows: MbgCnbdRows, timeScale = 1): PreparedMbgCnbdRows {
  const n = rows.frequency.length;
  if (rows.recency.length !== n || rows.age.length !== n || rows.logIntervalSum.length !== n) {
    throw new RangeError(`frequency, recency, age and logIntervalSum must have one entry per row (${n}).`);
  }
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const w = new Float64Array(n);
  const lnScale = Math.log(timeScale);
  let weightedLitt = 0;
  let weightedX = 0;
  for (let i = 0; i < n; i++) {
    const wi = rows.weight === undefined ? 1 : rows.weight[i]!;
    const xi = rows.frequency[i]!;
    const litt = rows.logIntervalSum[i]!;
    checkMbgCnbdRow(i, xi, rows.recency[i]!, rows.age[i]!, litt, wi);
    x[i] = xi;
    tx[i] = rows.recency[i]! / timeScale;
    T[i] = rows.age[i]! / timeScale;
    w[i] = wi;
    weightedLitt += wi * (litt - xi * lnScale);
    weightedX += wi * xi;
  }
  return { x, tx, T, w, weightedLitt, weightedX, ...groupByFrequency(x, w) };
}

/**
 * ln S₂ and ∂S₂/∂r / S₂, ∂S₂/∂α / S₂ where S₂ = Σ_{j=0}^{k−1} (r+kx)_j/j! · (Δ/(α+T))^j, Δ = T − t_x: the Gamma mixture
 * of P(Erlang-k gap > Δ) = Σ_j e^{−λΔ}(λΔ)^j/j!, relative to its j = 0 term (Platzer & Reutterer 2016; the same
 * sum as BTYDplus `xbgcnbd.LL`). Each term is built from the previous, so nothing overflows for realistic k and x.
 */
function survivalSum(k: number, rkx: number, alpha: number, T: number, tx: number, out: Float64Array): number {
  const ratio = (T - tx) / (alpha + T);
  if (k === 1 || ratio === 0) {
    out[0] = 0;
    out[1] = 0;
    return 0;
  }
  let term = 1;
  let sum = 1;
  let dr = 0;
  let dAlpha = 0;
  let harmonic = 0;
  for (let j = 1; j < k; j++) {
    harmonic += 1 / (rkx + j - 1);
    term *= ((rkx + j - 1) / j) * ratio;
    sum += term;
    dr += term * harmonic;
    dAlpha -= (term * j) / (alpha + T);
  }
  out[0] = dr / sum;
  out[1] = dAlpha / sum;
  return Math.log(sum);
}

/**
 * Σ w·ln L of MBG/CNBD-k over prepared rows, and optionally its gradient with respect to (ln r, ln α, ln a, ln b) for
 * the fixed integer k. Per customer (Platzer & Reutterer 2016, the MBG/CNBD-k likelihood; the form BTYDplus
 * `xbgcnbd.LL` evaluates with dropout at zero; also Reutterer, Platzer & Schröder 2021, IJRM):
 *   ln L = (k−1)·litt − x·ln((k−1)!) + ln B(a, b+x+1) − ln B(a, b) + lnΓ(r+kx) − lnΓ(r) + r ln α − (r+kx) ln(α+T)
 *        + ln(S₁ + S₂),   S₁ = a/(b+x) · ((α+T)/(α+t_x))^(r+kx)   (dropped out right after the last purchase),
 * S₂ as in {@link survivalSum} (still alive, no purchase in (t_x, T]). ln(S₁ + S₂) is a log-sum-exp. k = 1 gives the
 * MBG/NBD likelihood of clv-models.md §4.2 exactly.
 */
export function mbgCnbdPreparedLogLikelihood(params: MbgCnbdParams, data: PreparedMbgCnbdRows, gradient: Float64Array | null): number {
  const { k, r, alpha, a, b } = params;
  const lnAlpha = Math.log(alpha);
  const m = data.distinctX.length;
  const lnOddsX = new Float64Array(m);
  let ll = (k - 1) * data.weightedLitt - data.weightedX * lnGamma(k);
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  const lgR = lnGamma(r);
  const lgAB = lnGamma(a + b);
  const lgB = lnGamma(b);
  const withGradient = gradient !== null;
  const psiR = withGradient ? digamma(r) : 0;
  const psiAB = withGradient ? digamma(a + b) : 0;
  const psiB = withGradient ? digamma(b) : 0;
  for (let g = 0; g < m; g++) {
    const x = data.distinctX[g]!;
    const wg = data.distinctWeight[g]!;
    ll += wg * (lnGamma(r + k * x) - lgR + lgAB + lnGamma(b + x + 1) - lgB - lnGamma(a + b + x + 1));
    lnOddsX[g] = Math.log(a) - Math.log(b + x);
    if (withGradient) {
      const psiABX = digamma(a + b + x + 1);
      gr += wg * (digamma(r + k * x) - psiR);
      ga += wg * (psiAB - psiABX);
      gb += wg * (psiAB + digamma(b + x + 1) - psiB - psiABX);
    }
  }
  const s2Derivatives = new Float64Array(2);
  for (let i = 0; i < data.x.length; i++) {
    const w = data.w[i]!;
    if (w === 0) continue;
    const x = data.x[i]!;
    const T = data.T[i]!;
    const tx = data.tx[i]!;
    const rkx = r + k * x;
    const lT = Math.log(alpha + T);
    const lTx = Math.log(alpha + tx);
    const lnS1 = lnOddsX[data.xIndex[i]!]! + rkx * (lT - lTx);
    const lnS2 = survivalSum(k, rkx, alpha, T, tx, s2Derivatives);
    const lnS = logAddExp(lnS1, lnS2);
    ll += w * (r * lnAlpha - rkx * lT + lnS);
    if (withGradient) {
      const p1 = Math.exp(lnS1 - lnS);
      const p2 = Math.exp(lnS2 - lnS);
      gr += w * (lnAlpha - lT + p1 * (lT - lTx) + p2 * s2Derivatives[0]!);
      gAlpha += w * (r / alpha - rkx / (alpha + T) + p1 * rkx * (1 / (alpha + T) - 1 / (alpha + tx)) + p2 * s2Derivatives[1]!);
      ga += (w * p1) / a;
      gb -= (w * p1) / (b + x);
    }
  }
  if (gradient !== null) {
    gradient[0] = gr * r;
    gradient[1] = gAlpha * alpha;
    gradient[2] = ga * a;
    gradient[3] = gb * b;
  }
  return ll;
}

/**
 * Total log-likelihood Σ w·ln L of MBG/CNBD-k at `params`, times and litt in the params' time unit (see
 * {@link mbgCnbdPreparedLogLikelihood} for the formula). Log-likelihoods of different k are comparable only because
 * litt enters: always pass the real litt.
 */
export function mbgCnbdLogLikelihood(params: MbgCnbdParams, rows: MbgCnbdRows): number {
  checkMbgCnbdParams(params);
  return mbgCnbdPreparedLogLikelihood(params, prepareMbgCnbdRows(rows), null);
}

/**
 * ln L of one customer under MBG/CNBD-k: x repeat purchases, the last at t_x, observed for T since the first purchase,
 * litt = Σ ln(gaps); all times in the params' unit.
 * @example mbgCnbdCustomerLogLikelihood({ k: 2, r: 0.5, alpha: 5, a: 0.9, b: 1.6 }, 2, 30.43, 38.86, Math.log(17 / 7) + Math.log(196 / 7))
 */
export function mbgCnbdCustomerLogLikelihood(params: MbgCnbdParams, x: number, tx: number, T: number, litt: number): number {
  return mbgCnbdLogLikelihood(params, { frequency: [x], recency: [tx], age: [T], logIntervalSum: [litt] });
}

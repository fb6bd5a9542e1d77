import { digamma, lnGamma, logAddExp } from '../special-functions/special-functions.ts';
import { groupByFrequency, type FrequencyGroups } from '../frequency-groups/frequency-groups.ts';
import type { FrequencyRecencyRows } from '../btyd-summary/btyd-summary.ts';
import { ModelFitFailure } from '../optimize/fit-failure.ts';
import type { Result } from '../../result.ts';

/**
 * BG/NBD parameters (Fader, Hardie & Lee 2005, Marketing Science 24(2):275–284). The same shape serves MBG/NBD
 * (Batislam, Denizel & Filiztekin 2007).
 */
export interface BgNbdParams {
  /** r: shape of the Gamma heterogeneity of the purchase rate λ. */
  r: number;
  /** α: rate (scale) of that Gamma, in model time units (weeks or days). */
  alpha: number;
  /** a: first shape of the Beta heterogeneity of the dropout probability p. */
  a: number;
  /** b: second shape of that Beta. */
  b: number;
}

/**
 * Which member of the beta-geometric family: BG/NBD (no dropout before the first repeat purchase) or MBG/NBD (a
 * customer may also drop out right after the first purchase, so P(alive) < 1 when x = 0).
 */
export const BetaGeoVariant = { bgNbd: 'bg-nbd', mbgNbd: 'mbg-nbd' } as const;
export type BetaGeoVariant = (typeof BetaGeoVariant)[keyof typeof BetaGeoVariant];

/**
 * Rows prepared for repeated likelihood evaluation: the terms that depend on x alone are evaluated once per distinct x
 * (a few hundred at most), the time terms once per row.
 */
export interface PreparedRows extends FrequencyGroups {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  w: Float64Array;
}

/** Copies rows (dividing times by `timeScale`) and indexes their distinct x values. */
export function prepareRows(rows: FrequencyRecencyRows, timeScale = 1): PreparedRows {
  const n = rows.frequency.length;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rows.frequency[i]!;
    tx[i] = rows.recency[i]! / timeScale;
    T[i] = rows.age[i]! / timeScale;
    w[i] = rows.weight === undefined ? 1 : rows.weight[i]!;
  }
  return { x, tx, T, w, ...groupByFrequency(x, w) };
}

/** Rows a BTYD fit can start from, prepared on time divided by their longest age (`maxT`, in the rows' unit). */
export interface FitRows {
  data: PreparedRows;
  maxT: number;
}

/**
 * Checks and prepares the rows of a BG/NBD, MBG/NBD or Pareto/NBD fit: every row needs integer x ≥ 0,
 * 0 ≤ t_x ≤ T (t_x > 0 when x > 0), finite T and weight ≥ 0; times are divided by the longest age for conditioning.
 * The expected failures are values: no weight, no observation time, nobody bought twice.
 * @throws RangeError naming the row when one breaks those rules (summaries never make such rows: a caller's bug).
 */
export function prepareFitRows(rows: FrequencyRecencyRows): Result<FitRows, ModelFitFailure> {
  let maxT = 0;
  let repeaters = 0;
  for (let i = 0; i < rows.age.length; i++) {
    const T = rows.age[i]!;
    const tx = rows.recency[i]!;
    const x = rows.frequency[i]!;
    const w = rows.weight === undefined ? 1 : rows.weight[i]!;
    if (!(x >= 0 && Number.isInteger(x) && tx >= 0 && T >= tx && w >= 0 && Number.isFinite(T) && Number.isFinite(w))) {
      throw new RangeError(`Row ${i}: need integer x >= 0 and 0 <= t_x <= T, weight >= 0; got x=${x}, t_x=${tx}, T=${T}, w=${w}.`);
    }
    if (x > 0 && !(tx > 0)) throw new RangeError(`Row ${i}: t_x must be > 0 when x > 0 (got x=${x}, t_x=${tx}).`);
    if (T > maxT) maxT = T;
    if (x > 0) repeaters += w;
  }
  const data = prepareRows(rows, maxT > 0 ? maxT : 1);
  if (data.totalWeight <= 0) return { ok: false, reason: ModelFitFailure.noCustomers };
  if (maxT <= 0) return { ok: false, reason: ModelFitFailure.noHistory };
  if (repeaters <= 0) return { ok: false, reason: ModelFitFailure.noRepeatCustomers };
  return { ok: true, value: { data, maxT } };
}

/**
 * Σ w·ln L and its gradient with respect to (ln r, ln α, ln a, ln b) (FHL 2005 eq. 6; MBG/NBD: Batislam et al. 2007,
 * as in BTYDplus and lifetimes). The two-term likelihood is combined in log space (clv-models.md §4.1, §4.2, §5).
 * `gradient` may be null when only the value is needed.
 */
export function betaGeoLogLikelihood(variant: BetaGeoVariant, params: BgNbdParams, data: PreparedRows, gradient: Float64Array | null): number {
  const { r, alpha, a, b } = params;
  const modified = variant === BetaGeoVariant.mbgNbd;
  const lnAlpha = Math.log(alpha);
  const lnA = Math.log(a);
  const m = data.distinctX.length;
  // Per distinct x: the constant part of ln L, its partial derivatives, and ln a − ln(b + x − 1) (or b + x for MBG).
  const constX = new Float64Array(m);
  const logOddsX = new Float64Array(m);
  const dbOddsX = new Float64Array(m);
  let gr = 0;
  let ga = 0;
  let gb = 0;
  let ll = 0;
  const psiR = gradient === null ? 0 : digamma(r);
  const psiB = gradient === null ? 0 : digamma(b);
  const psiAB = gradient === null ? 0 : digamma(a + b);
  const lgR = lnGamma(r);
  const lgB = lnGamma(b);
  const lgAB = lnGamma(a + b);
  const shift = modified ? 1 : 0;
  for (let k = 0; k < m; k++) {
    const x = data.distinctX[k]!;
    const wk = data.distinctWeight[k]!;
    constX[k] = lnGamma(r + x) - lgR + lgAB + lnGamma(b + x + shift) - lgB - lnGamma(a + b + x + shift);
    ll += wk * constX[k]!;
    const denom = b + x - 1 + shift;
    logOddsX[k] = modified || x > 0 ? lnA - Math.log(denom) : Number.NEGATIVE_INFINITY;
    dbOddsX[k] = -1 / denom;
    if (gradient !== null) {
      gr += wk * (digamma(r + x) - psiR);
      const psiABX = digamma(a + b + x + shift);
      ga += wk * (psiAB - psiABX);
      gb += wk * (psiAB + digamma(b + x + shift) - psiB - psiABX);
    }
  }
  let gAlpha = 0;
  const n = data.x.length;
  for (let i = 0; i < n; i++) {
    const x = data.x[i]!;
    const w = data.w[i]!;
    const k = data.xIndex[i]!;
    const rx = r + x;
    const lT = Math.log(alpha + data.T[i]!);
    const A3 = -rx * lT;
    const logOdds = logOddsX[k]!;
    if (logOdds === Number.NEGATIVE_INFINITY) {
      ll += w * (r * lnAlpha + A3);
      if (gradient !== null) {
        gr += w * (lnAlpha - lT);
        gAlpha += w * (r / alpha - rx / (alpha + data.T[i]!));
      }
      continue;
    }
    const lTx = Math.log(alpha + data.tx[i]!);
    const A4 = logOdds - rx * lTx;
    const l = logAddExp(A3, A4);
    ll += w * (r * lnAlpha + l);
    if (gradient !== null) {
      const p3 = Math.exp(A3 - l);
      const p4 = Math.exp(A4 - l);
      gr += w * (lnAlpha - p3 * lT - p4 * lTx);
      gAlpha += w * (r / alpha - rx * (p3 / (alpha + data.T[i]!) + p4 / (alpha + data.tx[i]!)));
      ga += w * (p4 / a);
      gb += w * (p4 * dbOddsX[k]!);
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
 * Total log-likelihood Σ w·ln L of BG/NBD at `params` (FHL 2005 eq. 6), time in the params' units.
 * On the CDNOW sample in weeks at the MLE this is −9,582.43 (clv-models.md §6.1).
 */
export function bgNbdLogLikelihood(params: BgNbdParams, rows: FrequencyRecencyRows): number {
  return betaGeoLogLikelihood(BetaGeoVariant.bgNbd, params, prepareRows(rows), null);
}

import { groupByFrequency, type FrequencyGroups } from '../frequency-groups/frequency-groups.ts';
import { digamma, lnGamma } from '../special-functions/special-functions.ts';

/**
 * Gamma-Gamma spend-model parameters (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value", note 025;
 * FHL 2005, JMR 42(4):415–430). Transaction values are Gamma(p, ν), ν ~ Gamma(q, γ).
 */
export interface GammaGammaParams {
  /** p: shape of each transaction value. */
  p: number;
  /** q: shape of the across-customer Gamma of ν; must exceed 1 for the mean spend to exist. */
  q: number;
  /** γ (written v in lifetimes): rate of that Gamma, in the currency unit of the spend data (minor units in core). */
  gamma: number;
}

/** Repeat buyers with their number of repeat transactions and mean repeat spend, optionally weighted. */
export interface SpendRows {
  /** x >= 1 per row. */
  frequency: ArrayLike<number>;
  /** m > 0 per row: mean value of the repeat transactions. */
  monetaryValue: ArrayLike<number>;
  weight?: ArrayLike<number>;
}

/** Spend rows prepared for repeated evaluation (x-only terms once per distinct x). */
export interface PreparedSpendRows extends FrequencyGroups {
  x: Float64Array;
  m: Float64Array;
  w: Float64Array;
  lnM: Float64Array;
  lnX: Float64Array;
}

/** Copies the rows, dividing spend by `valueScale`. Rows must already satisfy x >= 1, m > 0. */
export function prepareSpendRows(rows: SpendRows, valueScale = 1): PreparedSpendRows {
  const n = rows.frequency.length;
  const x = new Float64Array(n);
  const m = new Float64Array(n);
  const w = new Float64Array(n);
  const lnM = new Float64Array(n);
  const lnX = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xi = rows.frequency[i]!;
    const mi = rows.monetaryValue[i]! / valueScale;
    if (!(xi >= 1) || !(mi > 0) || !Number.isFinite(mi)) {
      throw new RangeError(`Spend row ${i}: need x >= 1 and m > 0 (Gamma-Gamma uses repeat buyers only), got x=${xi}, m=${rows.monetaryValue[i]}.`);
    }
    x[i] = xi;
    m[i] = mi;
    w[i] = rows.weight === undefined ? 1 : rows.weight[i]!;
    lnM[i] = Math.log(mi);
    lnX[i] = Math.log(xi);
  }
  return { x, m, w, lnM, lnX, ...groupByFrequency(x, w) };
}

/**
 * Σ w·ln f(m | p, q, γ, x), the density of the MEAN repeat spend (note 025 eq. 3, clv-models.md §4.4), and its
 * gradient with respect to (ln p, ln q, ln γ). The JMR 2005 figure −4,659 is the density of the TOTAL x·m, i.e. this
 * value minus Σ w·ln x.
 */
export function gammaGammaLogLikelihoodPrepared(params: GammaGammaParams, data: PreparedSpendRows, gradient: Float64Array | null): number {
  const { p, q, gamma } = params;
  const lnGammaRate = Math.log(gamma);
  const k = data.distinctX.length;
  let ll = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  const psiQ = gradient === null ? 0 : digamma(q);
  const lgQ = lnGamma(q);
  // Per distinct x: ψ(px+q) − ψ(px) for ∂p, ψ(px+q) for ∂q.
  const dpX = new Float64Array(k);
  const psiPXQ = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const px = p * data.distinctX[j]!;
    const wj = data.distinctWeight[j]!;
    ll += wj * (lnGamma(px + q) - lnGamma(px) - lgQ + q * lnGammaRate);
    if (gradient !== null) {
      psiPXQ[j] = digamma(px + q);
      dpX[j] = psiPXQ[j]! - digamma(px);
      gq += wj * (psiPXQ[j]! - psiQ + lnGammaRate);
    }
  }
  const n = data.x.length;
  for (let i = 0; i < n; i++) {
    const x = data.x[i]!;
    const w = data.w[i]!;
    const px = p * x;
    const lnGM = Math.log(gamma + data.m[i]! * x);
    ll += w * ((px - 1) * data.lnM[i]! + px * data.lnX[i]! - (px + q) * lnGM);
    if (gradient !== null) {
      gp += w * x * (dpX[data.xIndex[i]!]! + data.lnM[i]! + data.lnX[i]! - lnGM);
      gq -= w * lnGM;
      gg += w * (q / gamma - (px + q) / (gamma + data.m[i]! * x));
    }
  }
  if (gradient !== null) {
    gradient[0] = gp * p;
    gradient[1] = gq * q;
    gradient[2] = gg * gamma;
  }
  return ll;
}

/** Σ ln f(m | p, q, γ, x) over repeat buyers, mean-spend density convention (see {@link gammaGammaLogLikelihoodPrepared}). */
export function gammaGammaLogLikelihood(params: GammaGammaParams, rows: SpendRows): number {
  return gammaGammaLogLikelihoodPrepared(params, prepareSpendRows(rows), null);
}

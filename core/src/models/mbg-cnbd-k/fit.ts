import type { Result } from '../../result.ts';
import { minimizeBfgs } from '../optimize/bfgs.ts';
import { LOG_PARAMETER_BOUND, ModelFitFailure } from '../optimize/fit-failure.ts';
import { penalizedNegativeLogLikelihood } from '../optimize/penalized-likelihood.ts';
import { mbgCnbdPreparedLogLikelihood, prepareMbgCnbdRows } from './likelihood.ts';
import type { MbgCnbdParams, MbgCnbdRows, PreparedMbgCnbdRows } from './likelihood.ts';

/** The model tag of an MBG/CNBD-k fit, beside BG/NBD's and MBG/NBD's `BetaGeoVariant` and `PARETO_NBD`. */
export const MBG_CNBD_K = 'mbg-cnbd-k';

/** Largest regularity k tried by default, as in BTYDplus `mbgcnbd.EstimateParameters`. */
export const MBG_CNBD_MAX_K = 12;

/** The maximised log-likelihood at one k of the grid search. */
export interface MbgCnbdCandidate {
  k: number;
  /** Σ w·ln L at the MLE for this k, rows' time unit; null when that fit did not converge. */
  logLikelihood: number | null;
}

/** A fitted MBG/CNBD-k model. */
export interface MbgCnbdFit {
  model: typeof MBG_CNBD_K;
  /** Maximum-likelihood parameters at the chosen k; α is in the rows' time unit. */
  params: MbgCnbdParams;
  /** Σ w·ln L at the MLE, rows' time unit, litt included (comparable across k and with MBG/NBD's when k = 1). */
  logLikelihood: number;
  /** Σ w: customers fitted. */
  customers: number;
  /** BFGS iterations of the accepted fit. */
  iterations: number;
  /** Every k tried, in order: the grid search's trace. */
  candidates: MbgCnbdCandidate[];
}

export interface MbgCnbdFitOptions {
  /** Fit this k only (integer >= 1). By default k = 1, 2, … up to `maxK` are fitted and the best is kept. */
  k?: number;
  /** Default {@link MBG_CNBD_MAX_K}. */
  maxK?: number;
  /** Penalty λ·Σ params² on the mean negative log-likelihood, time rescaled to max T = 1. Default 0. */
  penalizer?: number;
  /** Per k. Default 400. */
  maxIterations?: number;
}

const DEFAULT_START = [0.1, 0.1, 0.1, 0.1] as const;

/** BFGS on θ = ln(r, α/maxT, a, b) for one k; null when it does not reach an interior stationary point. */
function fitOneK(
  k: number,
  data: PreparedMbgCnbdRows,
  start: readonly number[],
  options: MbgCnbdFitOptions,
): { theta: Float64Array; iterations: number } | null {
  const outcome = minimizeBfgs(
    penalizedNegativeLogLikelihood(4, data.totalWeight, options.penalizer ?? 0, ([r, alpha, a, b], gradient) =>
      mbgCnbdPreparedLogLikelihood({ k, r: r!, alpha: alpha!, a: a!, b: b! }, data, gradient),
    ),
    start,
    options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations },
  );
  const theta = outcome.theta;
  if (!outcome.converged || theta.some((t) => !Number.isFinite(t) || Math.abs(t) > LOG_PARAMETER_BOUND)) return null;
  return { theta, iterations: outcome.iterations };
}

/**
 * Fits MBG/CNBD-k by maximum likelihood (Platzer & Reutterer 2016; BTYDplus `mbgcnbd.EstimateParameters`): for each
 * integer k, BFGS with analytic gradients on ln(r, α, a, b), time divided by max T for conditioning (α scaled back),
 * objective the per-customer mean. k is chosen over 1..maxK by log-likelihood (litt makes them comparable); like
 * BTYDplus the search stops once the log-likelihood fell twice in a row. Each k starts from the previous k's MLE with
 * the mean purchase rate r/(kα) kept. `did-not-converge` when no k reaches an interior maximum.
 * On the CDNOW sample (weeks, calibration to 1997-09-30) it chooses k = 1, i.e. MBG/NBD (BTYDplus demo "cdnow").
 * @example fitMbgCnbdK({ frequency, recency, age, logIntervalSum: computeLogIntervalSums(orders, summaries) })
 */
export function fitMbgCnbdK(rows: MbgCnbdRows, options: MbgCnbdFitOptions = {}): Result<MbgCnbdFit, ModelFitFailure> {
  const maxK = options.k ?? options.maxK ?? MBG_CNBD_MAX_K;
  const minK = options.k ?? 1;
  if (!(Number.isInteger(minK) && minK >= 1 && Number.isInteger(maxK) && maxK >= minK)) {
    throw new RangeError(`k and maxK must be integers >= 1 (got k=${options.k}, maxK=${options.maxK}).`);
  }
  let maxT = 0;
  let repeaters = 0;
  for (let i = 0; i < rows.age.length; i++) {
    maxT = Math.max(maxT, rows.age[i]!);
    if (rows.frequency[i]! > 0) repeaters += rows.weight === undefined ? 1 : rows.weight[i]!;
  }
  const original = prepareMbgCnbdRows(rows);
  if (original.totalWeight <= 0) return { ok: false, reason: ModelFitFailure.noCustomers };
  if (maxT <= 0) return { ok: false, reason: ModelFitFailure.noHistory };
  if (repeaters <= 0) return { ok: false, reason: ModelFitFailure.noRepeatCustomers };
  const scaled = prepareMbgCnbdRows(rows, maxT);

  const candidates: MbgCnbdCandidate[] = [];
  let best: MbgCnbdFit | null = null;
  let previous: { k: number; theta: Float64Array } | null = null;
  let falls = 0;
  let lastLl = Number.NEGATIVE_INFINITY;
  for (let k = minK; k <= maxK; k++) {
    // Warm start from the previous k, keeping the mean purchase rate r/(kα): α scales by previous k / k.
    const warm: number[] | null =
      previous === null ? null : [previous.theta[0]!, previous.theta[1]! + Math.log(previous.k / k), previous.theta[2]!, previous.theta[3]!];
    const fitted: { theta: Float64Array; iterations: number } | null =
      (warm === null ? null : fitOneK(k, scaled, warm, options)) ?? fitOneK(k, scaled, DEFAULT_START, options);
    if (fitted === null) {
      candidates.push({ k, logLikelihood: null });
      continue;
    }
    const theta: Float64Array = fitted.theta;
    const params: MbgCnbdParams = { k, r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!) * maxT, a: Math.exp(theta[2]!), b: Math.exp(theta[3]!) };
    const logLikelihood = mbgCnbdPreparedLogLikelihood(params, original, null);
    candidates.push({ k, logLikelihood });
    if (best === null || logLikelihood > best.logLikelihood) {
      best = { model: MBG_CNBD_K, params, logLikelihood, customers: original.totalWeight, iterations: fitted.iterations, candidates };
    }
    falls = logLikelihood < lastLl ? falls + 1 : 0;
    lastLl = logLikelihood;
    previous = { k, theta };
    if (falls >= 2) break;
  }
  if (best === null) return { ok: false, reason: ModelFitFailure.didNotConverge };
  return { ok: true, value: best };
}

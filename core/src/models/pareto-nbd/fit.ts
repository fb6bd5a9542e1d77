import type { Result } from '../../result.ts';
import { prepareFitRows, prepareRows, type PreparedRows } from '../bg-nbd/likelihood.ts';
import { minimizeBfgs } from '../optimize/bfgs.ts';
import { LOG_PARAMETER_BOUND, ModelFitFailure } from '../optimize/fit-failure.ts';
import { penalizedNegativeLogLikelihood } from '../optimize/penalized-likelihood.ts';
import type { FrequencyRecencyRows } from '../btyd-summary/btyd-summary.ts';
import { paretoNbdPreparedLogLikelihood } from './likelihood.ts';
import type { ParetoNbdParams } from './likelihood.ts';

/** The model tag of a Pareto/NBD fit, beside BG/NBD's and MBG/NBD's `BetaGeoVariant`. */
export const PARETO_NBD = 'pareto-nbd';

/** A fitted Pareto/NBD model. */
export interface ParetoNbdFit {
  model: typeof PARETO_NBD;
  /** Maximum-likelihood parameters; α and β are in the rows' time unit. */
  params: ParetoNbdParams;
  /** Σ w·ln L at the MLE, in the rows' time unit (the papers' convention: −9,595.0 on CDNOW weeks). */
  logLikelihood: number;
  /** Σ w: customers fitted. */
  customers: number;
  /** BFGS iterations used by the accepted fit. */
  iterations: number;
  /** The penalty λ the accepted fit used (0 unless the unpenalised MLE ran to a boundary). */
  penalizer: number;
}

export interface ParetoNbdFitOptions {
  /**
   * Penalty λ·Σ params² added to the mean negative log-likelihood, on time rescaled to max T = 1 (lifetimes'
   * penalizer_coef). When set, only this λ is tried; by default {@link PARETO_NBD_PENALIZER_STEPS} are tried in turn.
   */
  penalizer?: number;
  /** Per attempt. Default 400. */
  maxIterations?: number;
  /**
   * Where the optimiser starts, in the rows' time unit; default r = α/max T = s = β/max T = e^0.1. A nearby earlier
   * fit (the same shop some days before) saves most of the iterations; the MLE does not depend on it.
   */
  start?: ParetoNbdParams;
}

/**
 * Penalties tried in turn when the unpenalised fit runs to a boundary, the same retry idea as churn-risk's
 * PENALIZER_STEPS: Pareto/NBD typically runs off with s, β → ∞ at a fixed ratio (no sign of heterogeneous dropout).
 */
export const PARETO_NBD_PENALIZER_STEPS: readonly number[] = [0, 0.001, 0.01];

/**
 * Step in ln-parameter space of the central differences that give the gradient. The ₂F₁ in A0 has no cheap analytic
 * derivative in r and s; with the objective a per-customer mean of size ~1, h = 1e-5 balances truncation (h² ≈ 1e-10)
 * against rounding (ε/h ≈ 1e-11), well below the optimiser's tolerance.
 */
const GRADIENT_STEP = 1e-5;

/** Gradient tolerance of the fit: finite-difference gradients are not trusted below about 1e-9. */
const GRADIENT_TOLERANCE = 1e-7;

function paramsOf(values: readonly number[]): ParetoNbdParams {
  return { r: values[0]!, alpha: values[1]!, s: values[2]!, beta: values[3]! };
}

/** Σ w·ln L at exp(θ) and its central-difference gradient with respect to θ = ln(params). */
function logLikelihoodWithGradient(data: PreparedRows, values: readonly number[], gradient: Float64Array): number {
  // Beyond the bound the fit is rejected anyway; stopping the line search there also keeps a runaway (s, β → ∞) cheap.
  if (values.some((v) => Math.abs(Math.log(v)) > LOG_PARAMETER_BOUND + 1)) return Number.NEGATIVE_INFINITY;
  const ll = paretoNbdPreparedLogLikelihood(paramsOf(values), data);
  const up = Math.exp(GRADIENT_STEP);
  for (let i = 0; i < 4; i++) {
    const plus = values.slice();
    const minus = values.slice();
    plus[i] = values[i]! * up;
    minus[i] = values[i]! / up;
    const lp = paretoNbdPreparedLogLikelihood(paramsOf(plus), data);
    const lm = paretoNbdPreparedLogLikelihood(paramsOf(minus), data);
    gradient[i] = (lp - lm) / (2 * GRADIENT_STEP);
  }
  return ll;
}

/**
 * Fits Pareto/NBD by maximum likelihood (Fader-Hardie note 009 likelihood; clv-models.md §4.3, §4.7): BFGS on
 * θ = ln(r, α, s, β) with central-difference gradients, time divided by max T for conditioning (α and β are scaled
 * back; the MLE is unchanged), weighted compressed rows, objective the per-customer mean. When the unpenalised MLE
 * runs to a boundary the fit is retried with the {@link PARETO_NBD_PENALIZER_STEPS}; `did-not-converge` when none
 * reaches an interior stationary point. On the CDNOW sample (weeks, calibration to 1997-09-30) this gives
 * r, α, s, β = 0.553, 10.578, 0.606, 11.669 (FHL 2005) and ln L = −9,595.0.
 * @example fitParetoNbd(compressSummaries(summaries)) // rows with weights, times in weeks
 */
export function fitParetoNbd(rows: FrequencyRecencyRows, options: ParetoNbdFitOptions = {}): Result<ParetoNbdFit, ModelFitFailure> {
  const prepared = prepareFitRows(rows);
  if (!prepared.ok) return prepared;
  const { data, maxT } = prepared.value;
  const steps = options.penalizer === undefined ? PARETO_NBD_PENALIZER_STEPS : [options.penalizer];
  const W = data.totalWeight;
  for (const penalizer of steps) {
    const outcome = minimizeBfgs(
      penalizedNegativeLogLikelihood(4, W, penalizer, (values, gradient) => logLikelihoodWithGradient(data, values, gradient)),
      options.start === undefined
        ? [0.1, 0.1, 0.1, 0.1]
        : [Math.log(options.start.r), Math.log(options.start.alpha / maxT), Math.log(options.start.s), Math.log(options.start.beta / maxT)],
      { gradientTolerance: GRADIENT_TOLERANCE, ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }) },
    );
    const theta = outcome.theta;
    if (!outcome.converged || theta.some((t) => !Number.isFinite(t) || Math.abs(t) > LOG_PARAMETER_BOUND)) continue;
    const params: ParetoNbdParams = {
      r: Math.exp(theta[0]!),
      alpha: Math.exp(theta[1]!) * maxT,
      s: Math.exp(theta[2]!),
      beta: Math.exp(theta[3]!) * maxT,
    };
    const logLikelihood = paretoNbdPreparedLogLikelihood(params, prepareRows(rows));
    return { ok: true, value: { model: PARETO_NBD, params, logLikelihood, customers: W, iterations: outcome.iterations, penalizer } };
  }
  return { ok: false, reason: ModelFitFailure.didNotConverge };
}

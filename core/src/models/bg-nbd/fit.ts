import type { Result } from '../../result.ts';
import { minimizeBfgs } from '../optimize/bfgs.ts';
import { LOG_PARAMETER_BOUND, ModelFitFailure } from '../optimize/fit-failure.ts';
import { penalizedNegativeLogLikelihood } from '../optimize/penalized-likelihood.ts';
import type { FrequencyRecencyRows } from '../btyd-summary/btyd-summary.ts';
import { betaGeoLogLikelihood, BetaGeoVariant, prepareFitRows, prepareRows } from './likelihood.ts';
import type { BgNbdParams } from './likelihood.ts';

/** A fitted BG/NBD or MBG/NBD model. */
export interface BgNbdFit {
  model: BetaGeoVariant;
  /** Maximum-likelihood parameters; α is in the rows' time unit. */
  params: BgNbdParams;
  /** Σ w·ln L at the MLE, in the rows' time unit (the papers' convention: −9,582.43 on CDNOW weeks). */
  logLikelihood: number;
  /** Σ w: customers fitted. */
  customers: number;
  /** BFGS iterations used. */
  iterations: number;
}

export interface BetaGeoFitOptions {
  /** Penalty λ·Σ params² added to the mean negative log-likelihood (lifetimes' penalizer_coef). Default 0. */
  penalizer?: number;
  /** Default 400. */
  maxIterations?: number;
}

/**
 * Maximum-likelihood fit of BG/NBD or MBG/NBD (clv-models.md §4.7): BFGS with analytic gradients on log-parameters,
 * time divided by max T for conditioning (α is scaled back, the MLE is unchanged), objective the per-customer mean.
 * A fit that does not reach a stationary point, or runs to a boundary, returns `did-not-converge`.
 */
export function fitBetaGeo(variant: BetaGeoVariant, rows: FrequencyRecencyRows, options: BetaGeoFitOptions = {}): Result<BgNbdFit, ModelFitFailure> {
  const prepared = prepareFitRows(rows);
  if (!prepared.ok) return prepared;
  const { data, maxT } = prepared.value;
  const penalizer = options.penalizer ?? 0;
  const W = data.totalWeight;
  const outcome = minimizeBfgs(
    penalizedNegativeLogLikelihood(4, W, penalizer, ([r, alpha, a, b], gradient) =>
      betaGeoLogLikelihood(variant, { r: r!, alpha: alpha!, a: a!, b: b! }, data, gradient),
    ),
    [0.1, 0.1, 0.1, 0.1],
    options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations },
  );
  const theta = outcome.theta;
  if (!outcome.converged || theta.some((t) => !Number.isFinite(t) || Math.abs(t) > LOG_PARAMETER_BOUND)) {
    return { ok: false, reason: ModelFitFailure.didNotConverge };
  }
  const params: BgNbdParams = {
    r: Math.exp(theta[0]!),
    alpha: Math.exp(theta[1]!) * maxT,
    a: Math.exp(theta[2]!),
    b: Math.exp(theta[3]!),
  };
  const logLikelihood = betaGeoLogLikelihood(variant, params, prepareRows(rows), null);
  return { ok: true, value: { model: variant, params, logLikelihood, customers: W, iterations: outcome.iterations } };
}

/**
 * Fits BG/NBD by maximum likelihood (Fader, Hardie & Lee 2005, Marketing Science 24(2), eq. 6).
 * On the CDNOW sample (weeks, calibration to 1997-09-30) this gives r, α, a, b = 0.243, 4.414, 0.793, 2.426.
 * @example fitBgNbd(compressSummaries(summaries)) // rows with weights
 */
export function fitBgNbd(rows: FrequencyRecencyRows, options: BetaGeoFitOptions = {}): Result<BgNbdFit, ModelFitFailure> {
  return fitBetaGeo(BetaGeoVariant.bgNbd, rows, options);
}

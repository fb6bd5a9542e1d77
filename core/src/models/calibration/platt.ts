import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import type { Result } from '../../result.ts';
import { ClassifierFitFailure, fitLogisticRegression, sigmoid } from '../logistic-regression/logistic-regression.ts';

/** A fitted Platt scaling, plain JSON: P(y = 1 | s) = σ(slope·logit(s) + intercept). */
export interface PlattModel {
  /** Log-odds of the output per unit of logit(score); 1 with intercept 0 is the identity map. */
  slope: number;
  /** Output log-odds at score 0.5. */
  intercept: number;
}

export interface PlattFitOptions {
  /** Non-negative weight per row. Default 1 each. */
  weights?: ArrayLike<number>;
}

/** Scores are clamped to [ε, 1 − ε] before the logit, so a model's exact 0 or 1 (BG/NBD's P(alive) = 1) stays finite. */
export const PLATT_SCORE_EPSILON = 1e-12;

/**
 * Platt scaling (Platt 1999, "Probabilistic outputs for support vector machines"; Niculescu-Mizil & Caruana 2005): a
 * one-feature logistic regression of the label on logit(score). As Platt recommends, the 0/1 targets are replaced by
 * (N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2) (N₊, N₋ = weight of positives and negatives), which keeps the fit finite when the
 * scores separate the classes and matters little beyond a few hundred rows.
 *
 * Scores are probabilities in [0, 1]; labels are 0/1 (soft labels in [0, 1] mix the two targets). Fails with
 * `no-rows` or `one-class`. Throws CoreError ('invalid-argument') for a score outside [0, 1] or other bad input.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>, options: PlattFitOptions = {}): Result<PlattModel, ClassifierFitFailure> {
  const n = scores.length;
  const { weights } = options;
  if (labels.length !== n) throw invalid(`scores has ${n} entries, labels ${labels.length}.`);
  if (weights !== undefined && weights.length !== n) throw invalid(`weights has ${weights.length} entries for ${n} scores.`);
  let positiveW = 0;
  let negativeW = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    const w = weights === undefined ? 1 : weights[i]!;
    if (!(y >= 0 && y <= 1)) throw invalid(`labels[${i}] must be in [0, 1], got ${y}.`);
    if (!(w >= 0) || !Number.isFinite(w)) throw invalid(`weights[${i}] must be finite and >= 0, got ${w}.`);
    positiveW += w * y;
    negativeW += w * (1 - y);
  }
  if (!(positiveW + negativeW > 0)) return { ok: false, reason: ClassifierFitFailure.noRows };
  if (!(positiveW > 0) || !(negativeW > 0)) return { ok: false, reason: ClassifierFitFailure.oneClass };
  const positiveTarget = (positiveW + 1) / (positiveW + 2);
  const negativeTarget = 1 / (negativeW + 2);
  const targets = new Float64Array(n);
  for (let i = 0; i < n; i++) targets[i] = labels[i]! * positiveTarget + (1 - labels[i]!) * negativeTarget;
  const fit = fitLogisticRegression([logitScores(scores)], targets, weights === undefined ? { l2: 0 } : { l2: 0, weights });
  if (!fit.ok) return fit;
  // Back from the standardised feature to logit(score) itself.
  const { coefficients, intercept, means, scales } = fit.value;
  const slope = coefficients[0]! / scales[0]!;
  return { ok: true, value: { slope, intercept: intercept - slope * means[0]! } };
}

/** Calibrated probability σ(slope·logit(s) + intercept) per score in [0, 1]. Throws CoreError for a score outside [0, 1]. */
export function applyPlatt(model: PlattModel, scores: ArrayLike<number>): Float64Array {
  const out = logitScores(scores);
  for (let i = 0; i < out.length; i++) out[i] = sigmoid(model.slope * out[i]! + model.intercept);
  return out;
}

function logitScores(scores: ArrayLike<number>): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!(s >= 0 && s <= 1)) throw invalid(`scores[${i}] must be a probability in [0, 1], got ${s}.`);
    const c = Math.min(1 - PLATT_SCORE_EPSILON, Math.max(PLATT_SCORE_EPSILON, s));
    out[i] = Math.log(c / (1 - c));
  }
  return out;
}

function invalid(message: string): CoreError {
  return new CoreError(CoreErrorCode.invalidArgument, message);
}

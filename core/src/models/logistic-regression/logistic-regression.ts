import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import type { Result } from '../../result.ts';

/** Why a classifier or calibrator could not be fitted to a data set: expected outcomes of the data, never bugs. */
export const ClassifierFitFailure = {
  /** No rows, or every weight is 0. */
  noRows: 'no-rows',
  /** Every label is 0, or every label is 1: there is nothing to tell apart. */
  oneClass: 'one-class',
  /** Newton's method did not settle (only possible with `l2` = 0 on separable or collinear data). */
  didNotConverge: 'did-not-converge',
} as const;
export type ClassifierFitFailure = (typeof ClassifierFitFailure)[keyof typeof ClassifierFitFailure];

/**
 * Feature matrix stored by column: `features[j][i]` is feature j of row i (a Float64Array per feature, as the models'
 * CustomerSummaries are columnar). Every column has one entry per row.
 */
export type FeatureColumns = readonly ArrayLike<number>[];

/**
 * A fitted L2-regularised logistic regression, plain JSON (numbers and number arrays only) so it can be stored as is.
 * The model works on standardised features z_j = (x_j − means[j]) / scales[j]:
 * P(y = 1 | x) = σ(intercept + Σ_j coefficients[j]·z_j), σ(t) = 1/(1 + e^(−t)).
 */
export interface LogisticModel {
  /** β_j per feature, in log-odds per standard deviation of feature j (0 for a constant feature). */
  coefficients: number[];
  /** β_0: log-odds of y = 1 for a row at the feature means. */
  intercept: number;
  /** Weighted mean of each feature over the training rows, in the feature's own unit. */
  means: number[];
  /** Weighted standard deviation (population) of each feature, in its own unit; 1 for a constant feature. */
  scales: number[];
  /** The penalty λ the model was fitted with (see {@link LogisticFitOptions.l2}). */
  l2: number;
  /** Newton iterations taken. */
  iterations: number;
}

export interface LogisticFitOptions {
  /**
   * λ ≥ 0 in the objective −Σ w_i·ln L_i + (λ/2)·Σ_j β_j² over the standardised coefficients (the intercept is not
   * penalised). It is a sum over rows, so a fixed λ matters less as the data grows (λ = 1/C of scikit-learn's
   * `LogisticRegression` on standardised features). A Gaussian prior N(0, 1/λ) on each β_j.
   */
  l2: number;
  /** Non-negative weight per row (a weight of 2 is the same as the row twice). Default 1 each. */
  weights?: ArrayLike<number>;
  /** Newton iterations before giving up with `did-not-converge`. Default 100 (it usually takes 5–10). */
  maxIterations?: number;
}

/** Rows per block of the Hessian sums: 11 columns × 4,096 rows × 8 bytes stay in a 512 KB cache. */
const ROW_BLOCK = 4096;

/** Newton stops when no parameter moves by more than this (log-odds per standard deviation). */
const STEP_TOLERANCE = 1e-10;

/**
 * Fits an L2-regularised logistic regression by Newton's method (IRLS; Hastie, Tibshirani & Friedman 2009, The
 * Elements of Statistical Learning §4.4.1), with each feature standardised by its weighted mean and standard deviation
 * so that the penalty treats features alike and the fit does not depend on their units. Labels are 0/1; fractional
 * labels in [0, 1] are accepted as soft targets (cross-entropy). A feature that is constant over the weighted rows
 * gets coefficient 0. With λ > 0 the optimum is finite even on perfectly separable data.
 *
 * Hand-written rather than taken from npm: `ml-logistic-regression` (the one maintained package) fits by plain
 * gradient descent with a fixed step and has no weights, no unpenalised intercept and no standardisation.
 * Cost: (d+1)(d+2)/2 multiply-adds per row per iteration for the Hessian, 5–10 iterations; 200,000 rows × 10 features
 * take 6 iterations and 150–230 ms of CPU once warm (about 0.45 s cold), measured on a loaded 2-core machine.
 *
 * Fails (as a value) with `no-rows`, `one-class` or, only when λ = 0, `did-not-converge`. Throws CoreError
 * ('invalid-argument') for mismatched lengths, non-finite values, labels outside [0, 1] or negative weights.
 * @example fitLogisticRegression([recencyDays, logFrequency], churnedLabels, { l2: 1 })
 */
export function fitLogisticRegression(
  features: FeatureColumns,
  labels: ArrayLike<number>,
  options: LogisticFitOptions,
): Result<LogisticModel, ClassifierFitFailure> {
  const { l2 } = options;
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw invalid(`l2 must be a finite number >= 0, got ${l2}.`);
  const n = labels.length;
  const d = features.length;
  const weights = options.weights;
  if (weights !== undefined && weights.length !== n) throw invalid(`weights has ${weights.length} entries for ${n} labels.`);
  const maxIterations = options.maxIterations ?? 100;

  // Typed copies keep the hot loops monomorphic whatever array type the caller passes.
  const y = Float64Array.from(labels);
  const w = weights === undefined ? new Float64Array(n).fill(1) : Float64Array.from(weights);
  let totalW = 0;
  let positiveW = 0;
  for (let i = 0; i < n; i++) {
    if (!(y[i]! >= 0 && y[i]! <= 1)) throw invalid(`labels[${i}] must be in [0, 1], got ${y[i]}.`);
    if (!(w[i]! >= 0) || !Number.isFinite(w[i]!)) throw invalid(`weights[${i}] must be finite and >= 0, got ${w[i]}.`);
    totalW += w[i]!;
    positiveW += w[i]! * y[i]!;
  }
  if (!(totalW > 0)) return { ok: false, reason: ClassifierFitFailure.noRows };
  if (!(positiveW > 0) || !(positiveW < totalW)) return { ok: false, reason: ClassifierFitFailure.oneClass };

  const { means, scales, z, active } = standardize(features, n, w, totalW);
  const k = active.length;
  const size = k + 1;
  // θ = [β_0, β_active...]; start at the intercept-only optimum.
  const baseRate = positiveW / totalW;
  const theta = new Float64Array(size);
  theta[0] = Math.log(baseRate / (1 - baseRate));

  const eta = new Float64Array(n);
  const v = new Float64Array(n);
  const vz = new Float64Array(n);
  const gradient = new Float64Array(size);
  const hessian = new Float64Array(size * size);
  const step = new Float64Array(size);
  const trial = new Float64Array(size);
  let objective = evaluate(theta);
  let iterations = 0;
  let converged = false;

  function evaluate(t: Float64Array): number {
    eta.fill(t[0]!);
    for (let a = 0; a < k; a++) {
      const za = z[a]!;
      const ba = t[a + 1]!;
      for (let i = 0; i < n; i++) eta[i]! += ba * za[i]!;
    }
    let f = 0;
    for (let i = 0; i < n; i++) {
      if (w[i] === 0) continue;
      f += w[i]! * (softplus(eta[i]!) - y[i]! * eta[i]!);
    }
    let penalty = 0;
    for (let a = 1; a < size; a++) penalty += t[a]! * t[a]!;
    return f + 0.5 * l2 * penalty;
  }

  while (iterations < maxIterations) {
    iterations++;
    // eta holds η at θ (the last evaluate() was at the accepted θ). r_i = w_i(μ_i − y_i), v_i = w_i μ_i (1 − μ_i).
    let g0 = 0;
    let h00 = 0;
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(eta[i]!);
      const r = w[i]! * (mu - y[i]!);
      eta[i] = r;
      v[i] = w[i]! * mu * (1 - mu);
      g0 += r;
      h00 += v[i]!;
    }
    const residual = eta;
    gradient.fill(0);
    hessian.fill(0);
    gradient[0] = g0;
    hessian[0] = h00;
    // Rows in blocks, so the k + 1 columns of a block stay in cache across the (k+1)(k+2)/2 Hessian sums. Sums go to
    // the lower triangle, copied up below.
    for (let from = 0; from < n; from += ROW_BLOCK) {
      const to = Math.min(n, from + ROW_BLOCK);
      for (let a = 0; a < k; a++) {
        const za = z[a]!;
        let ga = 0;
        let ha0 = 0;
        for (let i = from; i < to; i++) {
          ga += residual[i]! * za[i]!;
          const t = v[i]! * za[i]!;
          vz[i] = t;
          ha0 += t;
        }
        gradient[a + 1]! += ga;
        hessian[(a + 1) * size]! += ha0;
        for (let b = a; b < k; b++) {
          const zb = z[b]!;
          let h = 0;
          for (let i = from; i < to; i++) h += vz[i]! * zb[i]!;
          hessian[(b + 1) * size + a + 1]! += h;
        }
      }
    }
    for (let a = 1; a < size; a++) {
      gradient[a]! += l2 * theta[a]!;
      hessian[a * size + a]! += l2;
      for (let b = 0; b < a; b++) hessian[b * size + a] = hessian[a * size + b]!;
    }
    if (!solveCholesky(hessian, gradient, step, size)) break;
    let maxStep = 0;
    for (let a = 0; a < size; a++) maxStep = Math.max(maxStep, Math.abs(step[a]!));
    if (!Number.isFinite(maxStep)) break;
    // Backtracking (Armijo) keeps Newton from overshooting where the log-likelihood is flat (near-separable rows).
    let decrement = 0;
    for (let a = 0; a < size; a++) decrement += gradient[a]! * step[a]!;
    let t = 1;
    let next = Number.NaN;
    for (let halvings = 0; halvings < 40; halvings++) {
      for (let a = 0; a < size; a++) trial[a] = theta[a]! - t * step[a]!;
      next = evaluate(trial);
      if (next <= objective - 1e-4 * t * decrement || t * maxStep < STEP_TOLERANCE) break;
      t /= 2;
    }
    if (!Number.isFinite(next)) break;
    theta.set(trial);
    objective = next;
    if (t * maxStep < STEP_TOLERANCE) {
      converged = true;
      break;
    }
  }
  if (!converged) return { ok: false, reason: ClassifierFitFailure.didNotConverge };

  const coefficients = new Array<number>(d).fill(0);
  for (let a = 0; a < k; a++) coefficients[active[a]!] = theta[a + 1]!;
  return { ok: true, value: { coefficients, intercept: theta[0]!, means, scales, l2, iterations } };
}

/**
 * P(y = 1) per row for a fitted model, in [0, 1]. `features` has the same columns, in the same order and unit, as
 * the fit. Throws CoreError ('invalid-argument') when the column count or a column length does not match.
 */
export function predictLogistic(model: LogisticModel, features: FeatureColumns): Float64Array {
  const eta = logisticLinearPredictor(model, features);
  for (let i = 0; i < eta.length; i++) eta[i] = sigmoid(eta[i]!);
  return eta;
}

/** The log-odds β_0 + Σ β_j·z_j per row (what {@link predictLogistic} passes through σ). */
export function logisticLinearPredictor(model: LogisticModel, features: FeatureColumns): Float64Array {
  const d = model.coefficients.length;
  if (features.length !== d || model.means.length !== d || model.scales.length !== d) {
    throw invalid(`The model has ${d} coefficients, ${model.means.length} means and ${model.scales.length} scales; got ${features.length} feature columns.`);
  }
  if (d === 0) throw invalid('predictLogistic needs at least one feature column to know the row count.');
  const n = features[0]!.length;
  const eta = new Float64Array(n).fill(model.intercept);
  for (let j = 0; j < d; j++) {
    const column = features[j]!;
    if (column.length !== n) throw invalid(`Feature column ${j} has ${column.length} rows, column 0 has ${n}.`);
    const beta = model.coefficients[j]!;
    if (beta === 0) continue;
    const mean = model.means[j]!;
    const perUnit = beta / model.scales[j]!;
    for (let i = 0; i < n; i++) eta[i]! += perUnit * (column[i]! - mean);
  }
  return eta;
}

/** σ(t) = 1/(1 + e^(−t)), without overflow for large |t|. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** ln(1 + e^t) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

interface Standardized {
  means: number[];
  scales: number[];
  /** Standardised copies of the non-constant columns. */
  z: Float64Array[];
  /** Index in `features` of each column of `z`. */
  active: number[];
}

function standardize(features: FeatureColumns, n: number, weights: Float64Array, totalW: number): Standardized {
  const means: number[] = [];
  const scales: number[] = [];
  const z: Float64Array[] = [];
  const active: number[] = [];
  for (let j = 0; j < features.length; j++) {
    const column = features[j]!;
    if (column.length !== n) throw invalid(`Feature column ${j} has ${column.length} rows for ${n} labels.`);
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = column[i]!;
      if (!Number.isFinite(x)) throw invalid(`features[${j}][${i}] must be finite, got ${x}.`);
      const w = weights[i]!;
      if (w === 0) continue;
      sum += w * x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    // A constant column is detected by min = max, not by a variance near 0: the rounding of its mean would otherwise
    // turn it into noise of size 1 after division by a tiny standard deviation.
    if (min === max) {
      means.push(min);
      scales.push(1);
      continue;
    }
    const mean = sum / totalW;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const dx = column[i]! - mean;
      ss += weights[i]! * dx * dx;
    }
    const scale = Math.sqrt(ss / totalW);
    const standardized = new Float64Array(n);
    for (let i = 0; i < n; i++) standardized[i] = (column[i]! - mean) / scale;
    means.push(mean);
    scales.push(scale);
    z.push(standardized);
    active.push(j);
  }
  return { means, scales, z, active };
}

/** Solves A·x = b for symmetric positive-definite A (size × size, row-major) into `x`; false if A is not positive definite. */
function solveCholesky(a: Float64Array, b: Float64Array, x: Float64Array, size: number): boolean {
  const l = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * size + j]!;
      for (let k = 0; k < j; k++) s -= l[i * size + k]! * l[j * size + k]!;
      if (i === j) {
        // A pivot this small relative to the diagonal means A is singular to working precision (λ = 0 and collinear
        // or separated features).
        if (!(s > 1e-12 * Math.abs(a[i * size + i]!))) return false;
        l[i * size + i] = Math.sqrt(s);
      } else l[i * size + j] = s / l[j * size + j]!;
    }
  }
  for (let i = 0; i < size; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * size + k]! * x[k]!;
    x[i] = s / l[i * size + i]!;
  }
  for (let i = size - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < size; k++) s -= l[k * size + i]! * x[k]!;
    x[i] = s / l[i * size + i]!;
  }
  return true;
}

function invalid(message: string): CoreError {
  return new CoreError(CoreErrorCode.invalidArgument, message);
}

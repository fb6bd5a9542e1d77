import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import type { Result } from '../../result.ts';

/** Why a score of predictions against outcomes does not exist for a data set: expected outcomes, never bugs. */
export const EvaluationFailure = {
  /** No rows to score. */
  noRows: 'no-rows',
  /** AUC: every label is 0, or every label is 1, so no pair can be ranked. */
  oneClass: 'one-class',
  /** Calibration table: fewer rows than bins. */
  tooFewRows: 'too-few-rows',
  /** Top-decile capture: the actual values sum to 0 or less, so there is no share to capture. */
  noValue: 'no-value',
} as const;
export type EvaluationFailure = (typeof EvaluationFailure)[keyof typeof EvaluationFailure];

/**
 * Area under the ROC curve of `scores` for 0/1 `labels`: the probability that a random row with label 1 scores higher
 * than a random row with label 0, ties counting one half (the Mann-Whitney U statistic / (N₁·N₀) with mid-ranks;
 * Hanley & McNeil 1982, Radiology 143(1)). Higher scores should mean label 1: for churn, label 1 = no order in the
 * horizon and the score is the churn probability. 0.5 is chance. O(n log n).
 * Fails with `no-rows` or `one-class`. Throws CoreError ('invalid-argument') for a non-finite score, a label other than
 * 0 or 1, or mismatched lengths.
 */
export function areaUnderRoc(scores: ArrayLike<number>, labels: ArrayLike<number>): Result<number, EvaluationFailure> {
  const n = checkPair(scores, labels, 'scores', 'labels');
  if (n === 0) return { ok: false, reason: EvaluationFailure.noRows };
  const positives = countPositives(labels, n);
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return { ok: false, reason: EvaluationFailure.oneClass };
  const order = sortedIndex(scores);
  // Sweep groups of equal score upwards: each positive beats every negative below its group and ties half of those in it.
  let negativesBelow = 0;
  let wins = 0;
  for (let start = 0; start < n;) {
    const s = scores[order[start]!]!;
    let end = start;
    let groupPositives = 0;
    while (end < n && scores[order[end]!] === s) {
      groupPositives += labels[order[end]!]!;
      end++;
    }
    const groupNegatives = end - start - groupPositives;
    wins += groupPositives * (negativesBelow + 0.5 * groupNegatives);
    negativesBelow += groupNegatives;
    start = end;
  }
  return { ok: true, value: wins / (positives * negatives) };
}

/** Two scores' AUCs on the same rows and the standard error of their difference ({@link compareAuc}). */
export interface AucComparison {
  aucA: number;
  aucB: number;
  /** aucA − aucB. */
  difference: number;
  /** Standard error of `difference`, from the paired (same rows) DeLong covariance; 0 when the scores rank alike. */
  standardError: number;
}

/**
 * Compares the AUCs of two scores of the same rows by DeLong, DeLong & Clarke-Pearson (1988), Biometrics 44(3):
 * each row's placement value (for a label-1 row, the share of label-0 rows it outscores, ties ½; for a label-0 row,
 * the share of label-1 rows that outscore it) gives AUC = their mean, and the variance of A − B is
 * (S₁₀ᴬᴬ + S₁₀ᴮᴮ − 2S₁₀ᴬᴮ)/N₁ + (S₀₁ᴬᴬ + S₀₁ᴮᴮ − 2S₀₁ᴬᴮ)/N₀ with S the sample covariances of the placement
 * values over the label-1 (S₁₀) and label-0 (S₀₁) rows. Because both scores see the same customers, the covariance
 * removes the noise they share, so small real differences are told from chance. O(n log n).
 * Fails with `no-rows` or `one-class`; throws as {@link areaUnderRoc} on bad input.
 */
export function compareAuc(scoresA: ArrayLike<number>, scoresB: ArrayLike<number>, labels: ArrayLike<number>): Result<AucComparison, EvaluationFailure> {
  const n = checkPair(scoresA, labels, 'scoresA', 'labels');
  checkPair(scoresB, labels, 'scoresB', 'labels');
  if (n === 0) return { ok: false, reason: EvaluationFailure.noRows };
  const positives = countPositives(labels, n);
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return { ok: false, reason: EvaluationFailure.oneClass };
  const a = placements(scoresA, labels, positives, negatives);
  const b = placements(scoresB, labels, positives, negatives);
  const aucA = mean(a, labels, 1);
  const aucB = mean(b, labels, 1);
  const variance =
    (covariance(a, a, labels, 1, aucA, aucA) + covariance(b, b, labels, 1, aucB, aucB) - 2 * covariance(a, b, labels, 1, aucA, aucB)) / positives +
    (covariance(a, a, labels, 0, aucA, aucA) + covariance(b, b, labels, 0, aucB, aucB) - 2 * covariance(a, b, labels, 0, aucA, aucB)) / negatives;
  return { ok: true, value: { aucA, aucB, difference: aucA - aucB, standardError: Math.sqrt(Math.max(0, variance)) } };
}

/** Each row's DeLong placement value: label 1 → share of label-0 rows below it (ties ½); label 0 → share of label-1 rows above it. */
function placements(scores: ArrayLike<number>, labels: ArrayLike<number>, positives: number, negatives: number): Float64Array {
  const n = labels.length;
  const order = sortedIndex(scores);
  const out = new Float64Array(n);
  let negativesBelow = 0;
  let positivesBelow = 0;
  for (let start = 0; start < n;) {
    const s = scores[order[start]!]!;
    let end = start;
    let groupPositives = 0;
    while (end < n && scores[order[end]!] === s) {
      groupPositives += labels[order[end]!]!;
      end++;
    }
    const groupNegatives = end - start - groupPositives;
    const positivesAbove = positives - positivesBelow - groupPositives;
    for (let k = start; k < end; k++) {
      const i = order[k]!;
      out[i] = labels[i] === 1 ? (negativesBelow + 0.5 * groupNegatives) / negatives : (positivesAbove + 0.5 * groupPositives) / positives;
    }
    negativesBelow += groupNegatives;
    positivesBelow += groupPositives;
    start = end;
  }
  return out;
}

function mean(values: Float64Array, labels: ArrayLike<number>, label: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (labels[i] !== label) continue;
    sum += values[i]!;
    count++;
  }
  return sum / count;
}

/** Sample covariance of two placement columns over the rows with `label`, about the AUCs (each column's mean). */
function covariance(x: Float64Array, y: Float64Array, labels: ArrayLike<number>, label: number, meanX: number, meanY: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < x.length; i++) {
    if (labels[i] !== label) continue;
    sum += (x[i]! - meanX) * (y[i]! - meanY);
    count++;
  }
  return count < 2 ? 0 : sum / (count - 1);
}

/** One bin of a {@link CalibrationTable}. */
export interface CalibrationBin {
  /** Rows in the bin. */
  count: number;
  /** Smallest and largest prediction in the bin. */
  minPredicted: number;
  maxPredicted: number;
  /** Mean prediction over the bin. */
  meanPredicted: number;
  /** Mean observed outcome over the bin: the share of 1s for 0/1 outcomes. */
  observedShare: number;
  /** meanPredicted − observedShare (positive: the model over-predicts here). */
  gap: number;
}

export interface CalibrationTable {
  /** Bins in increasing order of prediction. */
  bins: CalibrationBin[];
  /** max |gap| over the bins. */
  maxAbsoluteGap: number;
}

/**
 * Reliability table: rows sorted by prediction and cut into `bins` equal-count bins (sizes differ by at most one;
 * bin k holds sorted positions ⌊k·n/bins⌋ to ⌊(k+1)·n/bins⌋ − 1), each with its mean prediction and observed share
 * (clv-models.md §8b: quintiles or deciles). Rows with equal predictions are ordered by index, so a tie can straddle
 * two bins. `predicted` and `observed` are in the same unit (probabilities and 0/1 outcomes, or expected and actual
 * counts). Fails with `no-rows` or `too-few-rows` (n < bins). Throws CoreError for non-finite values or bins < 1.
 */
export function calibrationTable(predicted: ArrayLike<number>, observed: ArrayLike<number>, bins: number): Result<CalibrationTable, EvaluationFailure> {
  const n = checkPair(predicted, observed, 'predicted', 'observed');
  if (!Number.isInteger(bins) || bins < 1) throw invalid(`bins must be an integer >= 1, got ${bins}.`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(observed[i]!)) throw invalid(`observed[${i}] must be finite, got ${observed[i]}.`);
  if (n === 0) return { ok: false, reason: EvaluationFailure.noRows };
  if (n < bins) return { ok: false, reason: EvaluationFailure.tooFewRows };
  const order = sortedIndex(predicted);
  const table: CalibrationBin[] = [];
  let maxAbsoluteGap = 0;
  for (let k = 0; k < bins; k++) {
    const from = Math.floor((k * n) / bins);
    const to = Math.floor(((k + 1) * n) / bins);
    let sumPredicted = 0;
    let sumObserved = 0;
    for (let r = from; r < to; r++) {
      sumPredicted += predicted[order[r]!]!;
      sumObserved += observed[order[r]!]!;
    }
    const count = to - from;
    const meanPredicted = sumPredicted / count;
    const observedShare = sumObserved / count;
    const gap = meanPredicted - observedShare;
    maxAbsoluteGap = Math.max(maxAbsoluteGap, Math.abs(gap));
    table.push({ count, minPredicted: predicted[order[from]!]!, maxPredicted: predicted[order[to - 1]!]!, meanPredicted, observedShare, gap });
  }
  return { ok: true, value: { bins: table, maxAbsoluteGap } };
}

/** Mean of |predicted − actual| over rows, in their unit (clv-models.md §8b: per-customer error of expected purchases). */
export function meanAbsoluteError(predicted: ArrayLike<number>, actual: ArrayLike<number>): Result<number, EvaluationFailure> {
  const n = checkPair(predicted, actual, 'predicted', 'actual');
  if (n === 0) return { ok: false, reason: EvaluationFailure.noRows };
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    if (!Number.isFinite(a)) throw invalid(`actual[${i}] must be finite, got ${a}.`);
    sum += Math.abs(predicted[i]! - a);
  }
  return { ok: true, value: sum / n };
}

/**
 * Share of the total actual value held by the top `fraction` of rows by predicted value (default 0.1: the top decile),
 * in [0, 1] when values are non-negative. The top set holds exactly fraction·n rows; a group of equal predictions that
 * straddles its edge contributes in proportion to the places left (the expected share under a random tie-break), so
 * the result does not depend on row order, and a prediction that ranks nobody (all equal) captures exactly `fraction`.
 * Fails with `no-rows`, or `no-value` when the actual values sum to 0 or less.
 */
export function topDecileCapture(predictedValue: ArrayLike<number>, actualValue: ArrayLike<number>, fraction = 0.1): Result<number, EvaluationFailure> {
  const n = checkPair(predictedValue, actualValue, 'predictedValue', 'actualValue');
  if (!(fraction > 0 && fraction <= 1)) throw invalid(`fraction must be in (0, 1], got ${fraction}.`);
  if (n === 0) return { ok: false, reason: EvaluationFailure.noRows };
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = actualValue[i]!;
    if (!Number.isFinite(a)) throw invalid(`actualValue[${i}] must be finite, got ${a}.`);
    total += a;
  }
  if (!(total > 0)) return { ok: false, reason: EvaluationFailure.noValue };
  const order = sortedIndex(predictedValue);
  let places = fraction * n;
  let captured = 0;
  // Walk groups of equal prediction from the highest down.
  for (let end = n; end > 0 && places > 0;) {
    const p = predictedValue[order[end - 1]!]!;
    let start = end - 1;
    while (start > 0 && predictedValue[order[start - 1]!] === p) start--;
    let groupValue = 0;
    for (let r = start; r < end; r++) groupValue += actualValue[order[r]!]!;
    const size = end - start;
    const taken = Math.min(size, places);
    captured += (groupValue * taken) / size;
    places -= taken;
    end = start;
  }
  return { ok: true, value: captured / total };
}

/** Probabilities are clamped to [ε, 1 − ε] in {@link logLoss}, so one confident miss costs ln(1/ε) ≈ 34.5, not ∞. */
export const LOG_LOSS_EPSILON = 1e-15;

/**
 * Mean negative log-likelihood −[y·ln p + (1 − y)·ln(1 − p)] of probabilities `predicted` for labels in [0, 1], in
 * nats per row (lower is better; ln 2 ≈ 0.693 for a constant 0.5). Fails with `no-rows`. Throws CoreError for a
 * prediction or label outside [0, 1].
 */
export function logLoss(predicted: ArrayLike<number>, labels: ArrayLike<number>): Result<number, EvaluationFailure> {
  const n = checkProbabilities(predicted, labels);
  if (n === 0) return { ok: false, reason: EvaluationFailure.noRows };
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, predicted[i]!));
    const y = labels[i]!;
    sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  }
  return { ok: true, value: sum / n };
}

/**
 * Brier score: mean (p − y)² of probabilities `predicted` for labels in [0, 1] (Brier 1950), in [0, 1], lower is
 * better (0.25 for a constant 0.5). Fails with `no-rows`. Throws CoreError for a value outside [0, 1].
 */
export function brierScore(predicted: ArrayLike<number>, labels: ArrayLike<number>): Result<number, EvaluationFailure> {
  const n = checkProbabilities(predicted, labels);
  if (n === 0) return { ok: false, reason: EvaluationFailure.noRows };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (predicted[i]! - labels[i]!) ** 2;
  return { ok: true, value: sum / n };
}

/** Row indices ordered by value, ties by index (deterministic). */
function sortedIndex(values: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => values[a]! - values[b]! || a - b);
}

/** The number of 1s among 0/1 `labels`; throws CoreError ('invalid-argument') for any other label. */
function countPositives(labels: ArrayLike<number>, n: number): number {
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y !== 0 && y !== 1) throw invalid(`labels[${i}] must be 0 or 1, got ${y}.`);
    positives += y;
  }
  return positives;
}

/** Checks equal lengths and finite first column; returns n. */
function checkPair(first: ArrayLike<number>, second: ArrayLike<number>, firstName: string, secondName: string): number {
  const n = first.length;
  if (second.length !== n) throw invalid(`${firstName} has ${n} entries, ${secondName} ${second.length}.`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(first[i]!)) throw invalid(`${firstName}[${i}] must be finite, got ${first[i]}.`);
  return n;
}

function checkProbabilities(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = checkPair(predicted, labels, 'predicted', 'labels');
  for (let i = 0; i < n; i++) {
    if (!(predicted[i]! >= 0 && predicted[i]! <= 1)) throw invalid(`predicted[${i}] must be a probability in [0, 1], got ${predicted[i]}.`);
    if (!(labels[i]! >= 0 && labels[i]! <= 1)) throw invalid(`labels[${i}] must be in [0, 1], got ${labels[i]}.`);
  }
  return n;
}

function invalid(message: string): CoreError {
  return new CoreError(CoreErrorCode.invalidArgument, message);
}

import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import type { Result } from '../../result.ts';
import { ClassifierFitFailure } from '../logistic-regression/logistic-regression.ts';

/**
 * A fitted isotonic calibration map, plain JSON. Between two breakpoints the output is interpolated linearly; below
 * the first and above the last it is clamped to the end values.
 */
export interface IsotonicModel {
  /** Block centres: the weighted mean input score of each pooled block, strictly increasing (the scores' unit). */
  scores: number[];
  /** Calibrated probability at each centre, non-decreasing, in [0, 1]. */
  values: number[];
}

export interface IsotonicFitOptions {
  /** Non-negative weight per row. Default 1 each. */
  weights?: ArrayLike<number>;
  /**
   * Pseudo-rows a ≥ 0 at the overall rate ȳ added to each block, value (Σw·y + a·ȳ)/(Σw + a), so that a block of only
   * 0s or only 1s does not show an exact 0% or 100%. Default 0 (plain isotonic regression).
   */
  priorCount?: number;
}

/**
 * Isotonic regression of labels on scores by pool-adjacent-violators (Ayer et al. 1955; Barlow et al. 1972,
 * Statistical Inference under Order Restrictions; as used for calibration by Zadrozny & Elkan 2002). Rows with equal
 * scores are pooled first (the "primary" approach to ties), so tied scores always get one value. Adjacent blocks are
 * merged only when strictly decreasing, so a target that is already non-decreasing is returned unchanged. With
 * `priorCount` > 0 each block is then shrunk toward the overall rate and PAV runs once more over the shrunk blocks,
 * which keeps the map monotone (shrinking alone could reorder a large block and a small one).
 *
 * Scores are any finite numbers (higher = more likely 1); labels are in [0, 1] (0/1, or soft targets). Fails with
 * `no-rows` (no positive weight) or `one-class`. Throws CoreError ('invalid-argument') for bad input.
 * @example const cal = fitIsotonic(backtestScores, churned, { priorCount: 1 }); applyIsotonic(cal.value, scores)
 */
export function fitIsotonic(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: IsotonicFitOptions = {},
): Result<IsotonicModel, ClassifierFitFailure> {
  const n = scores.length;
  const { weights } = options;
  const priorCount = options.priorCount ?? 0;
  if (labels.length !== n) throw invalid(`scores has ${n} entries, labels ${labels.length}.`);
  if (weights !== undefined && weights.length !== n) throw invalid(`weights has ${weights.length} entries for ${n} scores.`);
  if (!(priorCount >= 0) || !Number.isFinite(priorCount)) throw invalid(`priorCount must be a finite number >= 0, got ${priorCount}.`);
  const order: number[] = [];
  let totalW = 0;
  let totalS = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    const y = labels[i]!;
    const w = weights === undefined ? 1 : weights[i]!;
    if (!Number.isFinite(s)) throw invalid(`scores[${i}] must be finite, got ${s}.`);
    if (!(y >= 0 && y <= 1)) throw invalid(`labels[${i}] must be in [0, 1], got ${y}.`);
    if (!(w >= 0) || !Number.isFinite(w)) throw invalid(`weights[${i}] must be finite and >= 0, got ${w}.`);
    if (w === 0) continue;
    order.push(i);
    totalW += w;
    totalS += w * y;
  }
  if (!(totalW > 0)) return { ok: false, reason: ClassifierFitFailure.noRows };
  if (!(totalS > 0) || !(totalS < totalW)) return { ok: false, reason: ClassifierFitFailure.oneClass };
  order.sort((a, b) => scores[a]! - scores[b]! || a - b);

  // One block per distinct score: w = value weight, s = Σ w·y, cw and cx = weight and Σ w·score for the centre.
  const blocks: Block[] = [];
  for (const i of order) {
    const w = weights === undefined ? 1 : weights[i]!;
    const x = scores[i]!;
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.maxScore === x) {
      last.w += w;
      last.s += w * labels[i]!;
      last.cw += w;
      last.cx += w * x;
    } else blocks.push({ w, s: w * labels[i]!, cw: w, cx: w * x, maxScore: x });
  }
  let pooled = poolAdjacentViolators(blocks);
  if (priorCount > 0) {
    const rate = totalS / totalW;
    for (const b of pooled) {
      b.w += priorCount;
      b.s += priorCount * rate;
    }
    pooled = poolAdjacentViolators(pooled);
  }
  return {
    ok: true,
    value: {
      scores: pooled.map((b) => b.cx / b.cw),
      // Rounding can put a mean of values in [0, 1] a hair outside it.
      values: pooled.map((b) => Math.min(1, Math.max(0, b.s / b.w))),
    },
  };
}

/**
 * Calibrated probability per score: linear interpolation between the model's block centres, clamped to the first and
 * last value outside them. Output in [0, 1]. Throws CoreError ('invalid-argument') for a non-finite score.
 */
export function applyIsotonic(model: IsotonicModel, scores: ArrayLike<number>): Float64Array {
  const xs = model.scores;
  const ys = model.values;
  const k = xs.length;
  if (k === 0 || ys.length !== k) throw invalid(`An isotonic model needs as many values as scores (at least one), got ${k} and ${ys.length}.`);
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) throw invalid(`scores[${i}] must be finite, got ${s}.`);
    if (s <= xs[0]!) {
      out[i] = ys[0]!;
      continue;
    }
    if (s >= xs[k - 1]!) {
      out[i] = ys[k - 1]!;
      continue;
    }
    // Largest j with xs[j] <= s; xs[0] < s < xs[k−1] here.
    let lo = 0;
    let hi = k - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid]! <= s) lo = mid;
      else hi = mid;
    }
    const t = (s - xs[lo]!) / (xs[hi]! - xs[lo]!);
    out[i] = ys[lo]! + t * (ys[hi]! - ys[lo]!);
  }
  return out;
}

interface Block {
  w: number;
  s: number;
  cw: number;
  cx: number;
  maxScore: number;
}

/** PAV over blocks in score order: merges a block into its predecessor while the predecessor's mean is larger. */
function poolAdjacentViolators(blocks: readonly Block[]): Block[] {
  const stack: Block[] = [];
  for (const block of blocks) {
    let current = { ...block };
    for (;;) {
      const previous = stack[stack.length - 1];
      if (previous === undefined || !(previous.s / previous.w > current.s / current.w)) break;
      stack.pop();
      current = {
        w: previous.w + current.w,
        s: previous.s + current.s,
        cw: previous.cw + current.cw,
        cx: previous.cx + current.cx,
        maxScore: current.maxScore,
      };
    }
    stack.push(current);
  }
  return stack;
}

function invalid(message: string): CoreError {
  return new CoreError(CoreErrorCode.invalidArgument, message);
}

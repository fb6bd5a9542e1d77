import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import type { BgNbdFit } from '../bg-nbd/fit.ts';
import { purchaseModelConditionalExpectedPurchases, purchaseModelExpectedPurchases, type PurchaseModelFit } from '../purchase-model/purchase-model.ts';
import type { CompressedSummaries, CustomerSummaries } from '../btyd-summary/btyd-summary.ts';

/** Mean actual vs predicted holdout purchases of the customers with one calibration frequency (FHL 2005 Fig. 4). */
export interface HoldoutFrequencyRow {
  /** Calibration frequency x; the last row groups x >= `frequencyCap` and is labelled like "7+". */
  frequency: string;
  customers: number;
  actualMean: number;
  predictedMean: number;
}

/**
 * Fit-on-calibration, predict-the-holdout report for one model (FHL 2005 §4; clv-models.md §6.3). `F` is the fit's
 * type (BG/NBD or MBG/NBD by default, or ParetoNbdFit).
 */
export interface HoldoutReport<F extends PurchaseModelFit = BgNbdFit> {
  model: F['model'];
  params: F['params'];
  logLikelihood: number;
  customers: number;
  /** Holdout length in model time units. */
  holdoutDuration: number;
  /** Σ actual holdout purchase days vs Σ E[Y(duration) | x, t_x, T]. */
  holdout: { actual: number; predicted: number; errorPercent: number };
  /**
   * Cumulative repeat purchases at the holdout end, calibration included (FHL 2005 Fig. 2: −4% for BG/NBD on CDNOW):
   * actual = Σ x + Σ holdout; predicted = Σ E[X(T_i + duration)] from each customer's first purchase.
   */
  cumulative: { actual: number; predicted: number; errorPercent: number };
  byFrequency: HoldoutFrequencyRow[];
  /** Pearson correlation, over customers, of E[Y(duration) | ·] with the actual holdout count (FHL 2005 Table 3: 0.626). */
  correlation: number;
}

/**
 * Holdout validation of a BG/NBD, MBG/NBD or Pareto/NBD fit: `summaries` must carry holdout counts (summarizeOrders with
 * `holdoutEndMs`), `fit` must come from the same summaries' calibration rows.
 */
export function holdoutReport<F extends PurchaseModelFit & { logLikelihood: number }>(
  fit: F,
  summaries: CustomerSummaries,
  compressed: CompressedSummaries,
  frequencyCap = 7,
): HoldoutReport<F> {
  const holdout = summaries.holdout;
  if (holdout === null) {
    throw new CoreError(CoreErrorCode.invalidArgument, 'holdoutReport needs summaries built with holdoutEndMs (summarizeOrders options).');
  }
  const D = holdout.duration;
  const rows = compressed.weight.length;
  const rowPredicted = new Float64Array(rows);
  for (let j = 0; j < rows; j++) {
    rowPredicted[j] = purchaseModelConditionalExpectedPurchases(fit, D, compressed.frequency[j]!, compressed.recency[j]!, compressed.age[j]!);
  }
  const unconditionalByAge = new Map<number, number>();
  const n = summaries.customerKeys.length;
  const groups = frequencyCap + 1;
  const groupCount = new Float64Array(groups);
  const groupActual = new Float64Array(groups);
  const groupPredicted = new Float64Array(groups);
  let sumA = 0;
  let sumP = 0;
  let sumAA = 0;
  let sumPP = 0;
  let sumAP = 0;
  let calibrationRepeat = 0;
  let cumulativePredicted = 0;
  for (let i = 0; i < n; i++) {
    const x = summaries.frequency[i]!;
    const actual = holdout.frequency[i]!;
    const predicted = rowPredicted[compressed.rowOfCustomer[i]!]!;
    const g = Math.min(x, frequencyCap);
    groupCount[g]!++;
    groupActual[g]! += actual;
    groupPredicted[g]! += predicted;
    sumA += actual;
    sumP += predicted;
    sumAA += actual * actual;
    sumPP += predicted * predicted;
    sumAP += actual * predicted;
    calibrationRepeat += x;
    const T = summaries.age[i]!;
    let ex = unconditionalByAge.get(T);
    if (ex === undefined) {
      ex = purchaseModelExpectedPurchases(fit, T + D);
      unconditionalByAge.set(T, ex);
    }
    cumulativePredicted += ex;
  }
  const cov = sumAP - (sumA * sumP) / n;
  const correlation = cov / Math.sqrt((sumAA - (sumA * sumA) / n) * (sumPP - (sumP * sumP) / n));
  const byFrequency: HoldoutFrequencyRow[] = [];
  for (let g = 0; g < groups; g++) {
    const customers = groupCount[g]!;
    byFrequency.push({
      frequency: g === frequencyCap ? `${frequencyCap}+` : String(g),
      customers,
      actualMean: customers > 0 ? groupActual[g]! / customers : 0,
      predictedMean: customers > 0 ? groupPredicted[g]! / customers : 0,
    });
  }
  const cumulativeActual = calibrationRepeat + sumA;
  return {
    model: fit.model,
    params: fit.params,
    logLikelihood: fit.logLikelihood,
    customers: n,
    holdoutDuration: D,
    holdout: { actual: sumA, predicted: sumP, errorPercent: percentError(sumP, sumA) },
    cumulative: { actual: cumulativeActual, predicted: cumulativePredicted, errorPercent: percentError(cumulativePredicted, cumulativeActual) },
    byFrequency,
    correlation,
  };
}

function percentError(predicted: number, actual: number): number {
  return actual === 0 ? Number.NaN : ((predicted - actual) / actual) * 100;
}

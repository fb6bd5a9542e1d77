import { fitChurnModels, scoreChurnRisk, type ChurnModels, type ChurnScoreModel, type CountedOrder, type CustomerChurnRisk } from '@clvlens/core';
import {
  areaUnderRoc,
  calibrationTable,
  compressSummaries,
  meanAbsoluteError,
  purchaseModelConditionalExpectedPurchases,
  summarizeOrders,
  transactionLikelyOrders,
  transactionModelFit,
  type CalibrationTable,
  type CompressedSummaries,
  type CustomerSummaries,
  type PurchaseModelFit,
} from '@clvlens/core/models';

/** Groups of the calibration tables printed by validate (equal counts, by predicted probability). */
export const CALIBRATION_GROUPS = 5;

/**
 * The app's churn prediction for a file: core's `fitChurnModels` then `scoreChurnRisk` on the same orders with the
 * same as-of, as the app calls them (probability of no counted order in the next `horizonDays` days).
 */
export interface AppChoice {
  models: ChurnModels;
  /** The candidate the shop's backtest chose (`classifier`, `pareto-nbd`, ...) or, without a backtest, core's fallback method. */
  modelName: string;
  /** Each customer's scores, by customer key. */
  byCustomer: Map<string, CustomerChurnRisk>;
  /** Summaries at the as-of in days (with the holdout when one was asked for), in core's customer order. */
  days: CustomerSummaries;
  /** The transaction model (days) for expected orders: the backtest's purchase model, MBG/NBD without one, null under the cadence rule. */
  purchaseModel: PurchaseModelFit | null;
}

export function appChoice(
  orders: readonly CountedOrder[],
  options: {
    asOfMs: number;
    timeZone: string;
    horizonDays: number;
    margin: number;
    horizonMonths?: number;
    annualDiscountRate?: number;
    holdoutEndMs?: number;
    /** A candidate to use instead of the backtest's choice (`classifier`). */
    candidate?: ChurnScoreModel;
  },
): AppChoice {
  const { asOfMs, timeZone, horizonDays, margin } = options;
  const models = fitChurnModels(orders, { asOfMs, timeZone, horizonDays, ...(options.candidate === undefined ? {} : { candidate: options.candidate }) });
  const scored = scoreChurnRisk(orders, models, {
    asOfMs,
    timeZone,
    margin,
    ...(options.horizonMonths === undefined ? {} : { horizonMonths: options.horizonMonths }),
    ...(options.annualDiscountRate === undefined ? {} : { annualDiscountRate: options.annualDiscountRate }),
  });
  const byCustomer = new Map<string, CustomerChurnRisk>();
  for (const c of scored) byCustomer.set(c.customerKey, c);
  const days = summarizeOrders(orders, {
    calibrationEndMs: asOfMs,
    timeZone,
    timeUnit: 'day',
    ...(options.holdoutEndMs === undefined ? {} : { holdoutEndMs: options.holdoutEndMs }),
  });
  const prediction = models.prediction;
  let purchaseModel: PurchaseModelFit | null = null;
  if (prediction !== null) {
    purchaseModel = transactionModelFit(prediction.transactionModels, prediction.purchaseModel);
  } else if (models.transactionModel !== null) {
    purchaseModel = { model: 'mbg-nbd', params: models.transactionModel.params };
  }
  return { models, modelName: prediction?.chosen ?? models.method, byCustomer, days, purchaseModel };
}

/**
 * `f` of each value of `source`, as a Float64Array. A loop: `Float64Array.from` with a mapping function calls back
 * through the iterator protocol per value, about 50 ms per 235,700-value column against a few for the loop.
 */
export function columnOf<T>(source: ArrayLike<T>, f: (value: T, i: number) => number): Float64Array {
  const out = new Float64Array(source.length);
  for (let i = 0; i < out.length; i++) out[i] = f(source[i]!, i);
  return out;
}

/** Evaluates `f(x, t_x, T)` once per distinct summary row and spreads it over the customers. */
export function perCustomer(compressed: CompressedSummaries, f: (x: number, tx: number, T: number) => number): Float64Array {
  const rowValue = new Float64Array(compressed.weight.length);
  for (let j = 0; j < rowValue.length; j++) rowValue[j] = f(compressed.frequency[j]!, compressed.recency[j]!, compressed.age[j]!);
  return columnOf(compressed.rowOfCustomer, (row) => rowValue[row]!);
}

/** Expected orders in the next `tDays` days under the choice's purchase model, in `choice.days` order; null under the cadence rule. */
export function expectedOrdersDays(choice: AppChoice, tDays: number, compressed: CompressedSummaries = compressSummaries(choice.days)): Float64Array | null {
  const fit = choice.purchaseModel;
  if (fit === null) return null;
  return perCustomer(compressed, (x, tx, T) => purchaseModelConditionalExpectedPurchases(fit, tDays, x, tx, T));
}

/**
 * The likeliest whole number of orders in the next `tDays` days (the median of the predicted count, core's
 * `transactionLikelyOrders`) under the choice's purchase model; null without a backtested choice.
 */
export function likelyOrdersDays(choice: AppChoice, tDays: number, compressed: CompressedSummaries = compressSummaries(choice.days)): Float64Array | null {
  const prediction = choice.models.prediction;
  if (prediction === null) return null;
  return perCustomer(compressed, (x, tx, T) => transactionLikelyOrders(prediction.purchaseModel, prediction.transactionModels, tDays, x, tx, T));
}

/** How a probability of "no purchase in the holdout" and expected purchases compare with what happened. */
export interface ChurnCheck {
  /** AUC of the probability for "no counted order in the holdout"; null when it cannot be computed. */
  auc: number | null;
  /** Mean predicted against observed share in equal-count groups by predicted probability. */
  calibration: CalibrationTable | null;
  /** Per-customer mean absolute error of expected purchases in the holdout; null without expected purchases. */
  purchasesMae: number | null;
  /** The same for the likeliest whole number of orders; null when not computed. */
  likelyOrdersMae: number | null;
}

export function checkChurn(
  probability: ArrayLike<number>,
  labels: ArrayLike<number>,
  expected: ArrayLike<number> | null,
  actual: ArrayLike<number>,
  likely: ArrayLike<number> | null = null,
): ChurnCheck {
  const auc = areaUnderRoc(probability, labels);
  const table = calibrationTable(probability, labels, CALIBRATION_GROUPS);
  const mae = expected === null ? null : meanAbsoluteError(expected, actual);
  const likelyMae = likely === null ? null : meanAbsoluteError(likely, actual);
  return {
    auc: auc.ok ? auc.value : null,
    calibration: table.ok ? table.value : null,
    purchasesMae: mae !== null && mae.ok ? mae.value : null,
    likelyOrdersMae: likelyMae !== null && likelyMae.ok ? likelyMae.value : null,
  };
}

import type { ChurnTierV1 } from '../../api/v1.ts';
import type { PreparedOrders } from '../../dataset/prepare.ts';
import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import type { BgNbdFit } from '../bg-nbd/fit.ts';
import { BetaGeoVariant } from '../bg-nbd/likelihood.ts';
import type { BgNbdParams } from '../bg-nbd/likelihood.ts';
import { predictCustomers, UNITS_PER_MONTH } from '../clv/clv.ts';
import type { ClvOptions } from '../clv/clv.ts';
import { fitGammaGamma } from '../gamma-gamma/fit.ts';
import type { GammaGammaParams } from '../gamma-gamma/likelihood.ts';
import { fitMbgNbd } from '../mbg-nbd/fit.ts';
import { ModelFitFailure } from '../optimize/fit-failure.ts';
import { computeLogIntervalSums } from '../mbg-cnbd-k/log-intervals.ts';
import { summarizePrepared } from '../btyd-summary/prepared-view.ts';
import { compressSummaries, summarizeOrders } from '../btyd-summary/btyd-summary.ts';
import type { CompressedSummaries, CountedOrder, CustomerSummaries } from '../btyd-summary/btyd-summary.ts';
import { expectedNextOrderAtMs, isOverdue } from '../../orders/next-order.ts';
import { DAY_MS } from '../../time/zone-offsets.ts';
import { endOfLocalDayMs } from '../../time/calendar.ts';
import {
  backtestHorizonDays,
  ChurnPredictionFailure,
  fitChurnProbabilityModel,
  predictValue,
  scoreChurnProbability,
  transactionNoPurchase,
  ChurnScoreModel,
} from './churn-prediction.ts';
import type { ChurnProbabilityModel } from './churn-prediction.ts';

/** H of the churn probability when the shop has not chosen one: no counted order in the next 90 days. */
export const DEFAULT_CHURN_HORIZON_DAYS = 90;

/** The horizons a shop can choose for its churn probability, days. */
export const CHURN_HORIZONS_DAYS: readonly number[] = [30, 60, 90, 180];

/**
 * Below this many repeat customers (x >= 1) a shop's MBG/NBD fit is too noisy to show per customer; the cadence rule
 * is used instead and marked low-confidence. 30 follows the usual rule of thumb for a handful of parameters.
 */
export const MIN_REPEAT_CUSTOMERS_FOR_MODEL = 30;

/**
 * Penalties λ tried in turn when the MBG/NBD fit runs to a boundary (typically a, b → ∞ with a fixed ratio: small shops
 * whose data cannot tell apart dropout heterogeneity). λ·Σ params² on time rescaled to max T = 1, as lifetimes'
 * penalizer_coef; on simulated small shops λ = 0.001 recovers most such fits. The CDNOW fits need none.
 */
export const PENALIZER_STEPS: readonly number[] = [0, 0.001, 0.01];

/** Gap used by the cadence rule when a shop has no repeat customer at all to learn a typical gap from. */
export const DEFAULT_TYPICAL_GAP_DAYS = 90;

/** How the churn figures were produced. */
export const ChurnMethod = {
  /**
   * The shop's own backtest chose and calibrated the probability (see churn-prediction.ts): the normal case for a shop
   * with enough history.
   */
  backtested: 'backtested',
  /**
   * MBG/NBD's P(no purchase in H) without a backtest (the history is too short to check it against): low confidence.
   * P(alive) decays for one-time buyers, unlike BG/NBD.
   */
  model: 'mbg-nbd',
  /** Too little data or no convergence: the cadence rule, low confidence. */
  cadenceRule: 'cadence-rule',
} as const;
export type ChurnMethod = (typeof ChurnMethod)[keyof typeof ChurnMethod];

/** Why the cadence rule was used instead of the model. */
export const ChurnFallbackReason = { tooFewRepeatCustomers: 'too-few-repeat-customers' } as const;
export type ChurnFallbackReason = (typeof ChurnFallbackReason)[keyof typeof ChurnFallbackReason] | ModelFitFailure | ChurnPredictionFailure;

export interface ChurnRiskOptions extends Omit<ClvOptions, 'unitsPerMonth' | 'margin'> {
  /** "Now", UTC ms: orders after it are ignored. */
  asOfMs: number;
  /** The shop's IANA time zone: purchase days are its calendar days. */
  timeZone: string;
  /** Gross margin in [0, 1] applied to predicted CLV. */
  margin: number;
  /**
   * Churn probability thresholds: low below `medium`, high above `high`. Default: the cuts the shop's backtest chose
   * (see {@link ChurnProbabilityModel.tiers}), or 1/3 and 2/3 without one.
   */
  tiers?: { medium: number; high: number };
  /** Default {@link MIN_REPEAT_CUSTOMERS_FOR_MODEL}. Used when fitting; {@link scoreChurnRisk} keeps the stored decision. */
  minRepeatCustomers?: number;
}

/** What a badge shows for one customer. */
export interface CustomerChurnRisk {
  customerKey: string;
  /** Probability the customer is still active at asOf (under the purchase model; the cadence rule's own guess without one). */
  pAlive: number;
  /** Probability of no counted order in the next `horizonDays` days, calibrated on the shop's backtest when there is one. */
  churnProbability: number;
  /** H of `churnProbability`, days. */
  horizonDays: number;
  /**
   * One order so far, placed within the shop's typical gap between orders: too early to expect a second one. The tier
   * is still computed, but a surface should say "new" rather than alarm.
   */
  newCustomer: boolean;
  churnTier: ChurnTierV1;
  /** Plain-word reasons, e.g. "no order for 3.1x this customer's usual gap", "one order, 140 days ago". */
  churnReasons: string[];
  /** Expected orders (purchase days) in the next `horizonMonths`; null under the cadence rule. */
  expectedPurchases: number | null;
  /** Expected average order value, minor units (Gamma-Gamma, or the customer's historic average when unavailable). */
  expectedAvgValueMinor: number;
  /** margin × discounted CLV over `horizonMonths`, minor units; null under the cadence rule. */
  predictedClvMinor: number | null;
  /** Last order + usual gap (the customer's own mean gap, or the shop's typical gap for one-time buyers). */
  expectedNextOrderAtMs: number | null;
  /** asOfMs is past expectedNextOrderAtMs. */
  overdue: boolean;
  confidence: 'normal' | 'low';
}

/**
 * Everything per-customer scoring needs from the shop as a whole: the fitted MBG/NBD and Gamma-Gamma parameters, the
 * fallback decision and the shop's typical gap. Plain JSON: store it after a scheduled full fit, then score the
 * customers a webhook touched with {@link scoreChurnRisk} without refitting. Scoring is exact against the population
 * the models were fitted on (same asOf); a later full recompute ({@link fitChurnModels} or {@link assessChurnRisk})
 * refreshes them.
 */
export interface ChurnModels {
  method: ChurnMethod;
  confidence: 'normal' | 'low';
  /** H: churn probabilities are of no counted order in the next H days. */
  horizonDays: number;
  /** The backtested choice, calibration, tiers and spend model; set when `method` is `backtested`. */
  prediction: ChurnProbabilityModel | null;
  /** Set when `method` is the cadence rule. */
  fallbackReason: ChurnFallbackReason | null;
  /**
   * MBG/NBD fit in days; null under the cadence rule. `penalizer` is 0 for the plain MLE, or the small L2 penalty that
   * was needed to keep a and b finite (see {@link PENALIZER_STEPS}).
   */
  transactionModel: { params: BgNbdParams; logLikelihood: number; penalizer: number } | null;
  /** Gamma-Gamma fit (γ in minor units); null when it could not be fitted (then historic averages are used). */
  spendModel: { params: GammaGammaParams; customers: number } | null;
  spendModelFailure: ModelFitFailure | null;
  /** Customers with a counted order up to asOf in the fitted population. */
  customerCount: number;
  /** Customers of the fitted population with at least two purchase days (x >= 1). */
  repeatCustomers: number;
  /** Median over repeat customers of (first-to-last days / repeat days); null without repeat customers. */
  typicalGapDays: number | null;
}

export interface ChurnModelFitOptions {
  /** "Now", UTC ms: orders after it are ignored. */
  asOfMs: number;
  /** The shop's IANA time zone: purchase days are its calendar days. */
  timeZone: string;
  /** Default {@link MIN_REPEAT_CUSTOMERS_FOR_MODEL}. */
  minRepeatCustomers?: number;
  /** H, days: the churn probability is that of no counted order in the next H days. Default {@link DEFAULT_CHURN_HORIZON_DAYS}. */
  horizonDays?: number;
  /**
   * Use this candidate for the churn probability instead of the backtest's choice (still calibrated and tiered on the
   * backtest): what `clvlens predict --model classifier` shows. Default: the backtest chooses.
   */
  candidate?: ChurnScoreModel;
  /**
   * Fit the transaction models on an even sample of at most this many customers (default `FIT_MAX_CUSTOMERS`,
   * 100,000): what keeps a large shop's fit from growing with its size; below it every customer is fitted.
   */
  fitMaxCustomers?: number;
}

/** The shop-level models plus every customer's badge fields. */
export type ChurnRiskAssessment = ChurnModels & { customers: CustomerChurnRisk[] };

/**
 * Per-customer churn risk, next-order date and predicted CLV for one shop (issue 3): {@link fitChurnModels} then
 * {@link scoreChurnRisk} on the same orders. Churn probability is 1 − P(alive) under MBG/NBD (Batislam et al. 2007),
 * fitted on the shop's own orders in days; spend from Gamma-Gamma (Fader & Hardie 2013); CLV as in clv-models.md §4.5.
 * With fewer than `minRepeatCustomers` repeat customers, or a fit that fails, a cadence rule is used and every result
 * is marked `confidence: 'low'`: P(alive) = 1 while the time since the last order is within the usual gap g, then
 * halves with every further g.
 */
export function assessChurnRisk(orders: readonly CountedOrder[], options: ChurnRiskOptions & { horizonDays?: number }): ChurnRiskAssessment {
  checkedScoringOptions(options);
  const summaries = summarizeForChurn(orders, options);
  const compressed = compressSummaries(summaries);
  const models = fitFromSummaries(orders, summaries, compressed, options);
  return { ...models, customers: scoreSummaries(summaries, compressed, models, options, tiersFor(models, options)) };
}

/**
 * Fits the shop-level churn models (MBG/NBD in days with the {@link PENALIZER_STEPS} retries, then Gamma-Gamma) on
 * every customer of `orders` — the reference population — or records why the cadence rule must be used instead.
 * Pure and JSON-serialisable: store the result and score customers later with {@link scoreChurnRisk}.
 */
export function fitChurnModels(orders: readonly CountedOrder[], options: ChurnModelFitOptions): ChurnModels {
  const summaries = summarizeForChurn(orders, options);
  return fitFromSummaries(orders, summaries, compressSummaries(summaries), options);
}

/**
 * Scores the customers present in `orders` (any subset of the shop: only their own orders are needed) with models
 * fitted earlier by {@link fitChurnModels}, without refitting. A customer's result depends only on their own orders,
 * the models and the options, so with the same asOf it equals that customer's entry in
 * `assessChurnRisk(allOrders, options).customers` exactly; with a later asOf it applies the stored parameters to the
 * customer's history at that asOf until the next scheduled fit refreshes them. Customers come in the order
 * {@link summarizeOrders} lists them (first appearance). `options.minRepeatCustomers` is not used here: the fallback
 * decision is the one stored in `models`. Throws `CoreError('invalid-argument')` for bad tiers or margin, or a models
 * object whose method and transaction model disagree.
 */
export function scoreChurnRisk(orders: readonly CountedOrder[], models: ChurnModels, options: ChurnRiskOptions): CustomerChurnRisk[] {
  checkedScoringOptions(options);
  assertChurnModels(models);
  const summaries = summarizeForChurn(orders, options);
  return scoreSummaries(summaries, compressSummaries(summaries), models, options, tiersFor(models, options));
}

/**
 * {@link scoreChurnRisk} on the customers of a prepared dataset, read through its frequency/recency view
 * (`summarizePrepared`) instead of grouping counted orders again: each customer's result is the one `scoreChurnRisk`
 * gives on the same orders (the as-of and time zone are the dataset's). Customers come in the dataset's order.
 */
export function scorePreparedChurnRisk(data: PreparedOrders, models: ChurnModels, options: Omit<ChurnRiskOptions, 'asOfMs' | 'timeZone'>): CustomerChurnRisk[] {
  const scoring = { ...options, asOfMs: data.asOfMs, timeZone: data.timeZone };
  checkedScoringOptions(scoring);
  assertChurnModels(models);
  const summaries = summarizePrepared(data);
  return scoreSummaries(summaries, compressSummaries(summaries), models, scoring, tiersFor(models, scoring));
}

function tiersFor(models: ChurnModels, options: ChurnRiskOptions): { medium: number; high: number } {
  return options.tiers ?? models.prediction?.tiers ?? { medium: 1 / 3, high: 2 / 3 };
}

function checkedScoringOptions(options: ChurnRiskOptions): void {
  const tiers = options.tiers ?? { medium: 1 / 3, high: 2 / 3 };
  if (!(tiers.medium >= 0 && tiers.medium <= tiers.high && tiers.high <= 1)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `Churn tiers need 0 <= medium <= high <= 1, got ${tiers.medium}, ${tiers.high}.`);
  }
  const margin = options.margin;
  if (!(margin >= 0 && margin <= 1)) throw new CoreError(CoreErrorCode.invalidArgument, `margin must be in [0, 1], got ${margin}.`);
}

// Stored models come back from a database: a cadence-rule method with a fitted model (or the reverse) would silently
// score with the wrong rule, so it is rejected instead.
function assertChurnModels(models: ChurnModels): void {
  const modelled = models.transactionModel !== null;
  const backtested = models.prediction !== null && models.prediction !== undefined;
  if (!(models.horizonDays > 0) || backtested !== (models.method === ChurnMethod.backtested)) {
    throw new CoreError(
      CoreErrorCode.invalidArgument,
      `Churn models are inconsistent or from an older version: method ${models.method}, horizon ${models.horizonDays}.`,
    );
  }
  if (modelled !== (models.method !== ChurnMethod.cadenceRule) || (backtested ? 'normal' : 'low') !== models.confidence) {
    throw new CoreError(
      CoreErrorCode.invalidArgument,
      `Churn models are inconsistent: method ${models.method}, confidence ${models.confidence}, transaction model ${modelled ? 'present' : 'absent'}.`,
    );
  }
  if (models.spendModel !== null && !modelled) {
    throw new CoreError(CoreErrorCode.invalidArgument, 'Churn models are inconsistent: a spend model without a transaction model.');
  }
}

function summarizeForChurn(orders: readonly CountedOrder[], options: { asOfMs: number; timeZone: string }): CustomerSummaries {
  return summarizeOrders(orders, { calibrationEndMs: options.asOfMs, timeZone: options.timeZone, timeUnit: 'day' });
}

function fitFromSummaries(
  orders: readonly CountedOrder[],
  summaries: CustomerSummaries,
  compressed: CompressedSummaries,
  options: ChurnModelFitOptions,
): ChurnModels {
  const minRepeat = options.minRepeatCustomers ?? MIN_REPEAT_CUSTOMERS_FOR_MODEL;
  const horizonDays = options.horizonDays ?? DEFAULT_CHURN_HORIZON_DAYS;
  if (!(Number.isInteger(horizonDays) && horizonDays > 0)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `horizonDays must be a positive whole number of days, got ${horizonDays}.`);
  }
  const n = summaries.customerKeys.length;
  const gaps: number[] = [];
  let historyDays = 0;
  for (let i = 0; i < n; i++) {
    const x = summaries.frequency[i]!;
    if (x > 0) gaps.push(summaries.recencyDays[i]! / x);
    if (summaries.ageDays[i]! > historyDays) historyDays = summaries.ageDays[i]!;
  }
  const repeatCustomers = gaps.length;
  const typicalGapDays = repeatCustomers > 0 ? median(gaps) : null;

  let fallbackReason: ChurnFallbackReason | null = null;
  let fit: BgNbdFit | null = null;
  let fitPenalizer = 0;
  if (repeatCustomers < minRepeat) fallbackReason = ChurnFallbackReason.tooFewRepeatCustomers;
  else {
    for (const penalizer of PENALIZER_STEPS) {
      const fitted = fitMbgNbd(compressed, { penalizer });
      if (fitted.ok) {
        fit = fitted.value;
        fitPenalizer = penalizer;
        fallbackReason = null;
        break;
      }
      fallbackReason = fitted.reason;
      if (fitted.reason !== ModelFitFailure.didNotConverge) break;
    }
  }

  let prediction: ChurnProbabilityModel | null = null;
  if (fit !== null) {
    // The backtest: the same orders summarised at a cutoff h days before the as-of, with what happened after it.
    const h = backtestHorizonDays(horizonDays, historyDays);
    const cutoffMs = endOfLocalDayMs(options.asOfMs - h * DAY_MS - 2 * 3_600_000, options.timeZone);
    const backtest = summarizeOrders(orders, { calibrationEndMs: cutoffMs, timeZone: options.timeZone, timeUnit: 'day', holdoutEndMs: options.asOfMs });
    const fitted = fitChurnProbabilityModel({
      current: summaries,
      currentCompressed: compressed,
      currentMbgNbd: fit.params,
      currentLogIntervals: computeLogIntervalSums(orders, summaries),
      backtestLogIntervals: computeLogIntervalSums(orders, backtest),
      ...(options.candidate === undefined ? {} : { candidate: options.candidate }),
      backtest,
      horizonDays,
      backtestHorizonDays: h,
      minRepeatCustomers: minRepeat,
      ...(options.fitMaxCustomers === undefined ? {} : { fitMaxCustomers: options.fitMaxCustomers }),
    });
    if (fitted.ok) prediction = fitted.value;
    else fallbackReason = fitted.reason;
  }

  let spendModel: ChurnModels['spendModel'] = null;
  let spendModelFailure: ModelFitFailure | null = null;
  if (fit !== null) {
    const spendRows = { frequency: summaries.frequency, monetaryValue: summaries.monetaryValueMinor };
    // With the penalties of GAMMA_GAMMA_PENALIZER_STEPS when the unpenalised fit runs to a boundary, as every Gamma-Gamma fit.
    const spend = fitGammaGamma(spendRows);
    if (spend.ok && spend.value.customers >= minRepeat) spendModel = { params: spend.value.params, customers: spend.value.customers };
    else spendModelFailure = spend.ok ? ModelFitFailure.noRepeatCustomers : spend.reason;
  }
  return {
    method: prediction !== null ? ChurnMethod.backtested : fit === null ? ChurnMethod.cadenceRule : ChurnMethod.model,
    confidence: prediction !== null ? 'normal' : 'low',
    horizonDays,
    prediction,
    fallbackReason,
    transactionModel: fit === null ? null : { params: fit.params, logLikelihood: fit.logLikelihood, penalizer: fitPenalizer },
    spendModel,
    spendModelFailure,
    customerCount: n,
    repeatCustomers,
    typicalGapDays,
  };
}

function scoreSummaries(
  summaries: CustomerSummaries,
  compressed: CompressedSummaries,
  models: ChurnModels,
  options: ChurnRiskOptions,
  tiers: { medium: number; high: number },
): CustomerChurnRisk[] {
  const { asOfMs, margin } = options;
  const { transactionModel, spendModel, typicalGapDays, fallbackReason, prediction, horizonDays } = models;
  const n = summaries.customerKeys.length;
  const horizonMonths = options.horizonMonths ?? 12;
  const monthlyDiscountRate = (1 + (options.annualDiscountRate ?? 1.01 ** 12 - 1)) ** (1 / 12) - 1;
  const scored = prediction === null ? null : scoreChurnProbability(prediction, summaries, compressed);
  const valued = prediction === null ? null : predictValue(prediction, summaries, { horizonMonths, monthlyDiscountRate, margin }, compressed);
  // Without a backtest, MBG/NBD (the only model then fitted) gives expected orders and CLV as before.
  const predictions =
    prediction !== null || transactionModel === null
      ? null
      : predictCustomers(
          { model: BetaGeoVariant.mbgNbd, params: transactionModel.params },
          spendModel?.params ?? null,
          summaries,
          compressed,
          horizonMonths * UNITS_PER_MONTH.day,
          {
            horizonMonths,
            ...(options.annualDiscountRate === undefined ? {} : { annualDiscountRate: options.annualDiscountRate }),
            margin,
          },
        );
  const mbgParams = transactionModel === null ? null : { 'bg-nbd': null, 'mbg-nbd': transactionModel.params, 'pareto-nbd': null };
  const confidence = models.confidence;
  const customers: CustomerChurnRisk[] = new Array<CustomerChurnRisk>(n);
  const shopGap = typicalGapDays ?? DEFAULT_TYPICAL_GAP_DAYS;
  for (let i = 0; i < n; i++) {
    const x = summaries.frequency[i]!;
    const daysSinceLast = summaries.ageDays[i]! - summaries.recencyDays[i]!;
    const ownGap = x > 0 ? summaries.recencyDays[i]! / x : null;
    const gap = ownGap ?? typicalGapDays;
    const lastAt = summaries.lastOrderAtMs[i]!;
    const nextOrderAtMs = expectedNextOrderAtMs(lastAt, gap === null ? null : gap * DAY_MS);
    const historicAverage = (summaries.firstDayValueMinor[i]! + summaries.monetaryValueMinor[i]! * x) / (x + 1);
    let pAlive: number;
    let churnProbability: number;
    let expectedPurchases: number | null = null;
    let expectedAvgValueMinor = Math.round(historicAverage);
    let predictedClvMinor: number | null = null;
    if (scored !== null && valued !== null) {
      pAlive = scored.pAlive[i]!;
      churnProbability = scored.probability[i]!;
      expectedPurchases = valued.expectedOrders[i]!;
      expectedAvgValueMinor = Math.round(valued.expectedOrderValueMinor[i]!);
      predictedClvMinor = Math.round(valued.clvMinor[i]!);
    } else if (predictions !== null && mbgParams !== null) {
      pAlive = predictions.pAlive[i]!;
      churnProbability = transactionNoPurchase(ChurnScoreModel.mbgNbd, mbgParams, horizonDays, x, summaries.recencyDays[i]!, summaries.ageDays[i]!);
      expectedPurchases = predictions.expectedPurchases[i]!;
      if (spendModel !== null) {
        expectedAvgValueMinor = Math.round(predictions.expectedAverageValueMinor[i]!);
        predictedClvMinor = Math.round(predictions.clvMinor[i]!);
      } else {
        predictedClvMinor = Math.round(margin * historicAverage * expectedPurchases);
      }
    } else {
      // Cadence rule: P(alive) = 1 within the usual gap g, halving with every further g; no order in H days needs the
      // customer to be gone, or alive and not due within H.
      const g = ownGap ?? shopGap;
      const k = daysSinceLast / g;
      pAlive = k <= 1 ? 1 : 0.5 ** (k - 1);
      churnProbability = 1 - pAlive * Math.min(1, horizonDays / g);
    }
    const newCustomer = x === 0 && daysSinceLast <= shopGap;
    const churnTier: ChurnTierV1 = churnProbability < tiers.medium ? 'low' : churnProbability > tiers.high ? 'high' : 'medium';
    customers[i] = {
      customerKey: summaries.customerKeys[i]!,
      pAlive,
      churnProbability,
      horizonDays,
      newCustomer,
      churnTier,
      churnReasons: reasons(x, daysSinceLast, ownGap, typicalGapDays, fallbackReason),
      expectedPurchases,
      expectedAvgValueMinor,
      predictedClvMinor,
      expectedNextOrderAtMs: nextOrderAtMs,
      overdue: isOverdue(nextOrderAtMs, asOfMs),
      confidence,
    };
  }
  return customers;
}

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

/** Plain-word reasons behind a tier; the numbers are the ones the merchant can check on the order list. */
function reasons(x: number, daysSinceLast: number, ownGap: number | null, shopGap: number | null, fallback: ChurnFallbackReason | null): string[] {
  const out: string[] = [];
  if (ownGap === null) {
    out.push(daysSinceLast === 0 ? 'one order, today' : `one order, ${days(daysSinceLast)} ago`);
    if (shopGap !== null && daysSinceLast > shopGap) {
      out.push(`no second order after ${(daysSinceLast / shopGap).toFixed(1)}x the shop's typical gap of ${days(Math.round(shopGap))}`);
    }
  } else {
    const ratio = daysSinceLast / ownGap;
    if (ratio >= 1.5) out.push(`no order for ${ratio.toFixed(1)}x this customer's usual gap`);
    else out.push(daysSinceLast === 0 ? 'ordered today' : `last order ${days(daysSinceLast)} ago, within this customer's usual gap`);
    out.push(`${x + 1} orders, usually ${days(Math.max(1, Math.round(ownGap)))} apart`);
  }
  if (fallback === ChurnFallbackReason.tooFewRepeatCustomers) out.push('estimated from order timing: too few repeat customers for the model');
  else if (fallback !== null) out.push("estimated from order timing: the model could not be fitted to this shop's orders");
  return out;
}

function median(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

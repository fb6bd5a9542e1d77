import type { ChurnTierV1 } from '../api/v1.ts';
import { CoreError, CoreErrorCode } from '../errors/core-error.ts';
import type { BgNbdFit } from '../models/bg-nbd/fit.ts';
import { BetaGeoVariant } from '../models/bg-nbd/likelihood.ts';
import type { BgNbdParams } from '../models/bg-nbd/likelihood.ts';
import { predictCustomers, UNITS_PER_MONTH } from '../models/clv/clv.ts';
import type { ClvOptions } from '../models/clv/clv.ts';
import { fitGammaGamma } from '../models/gamma-gamma/fit.ts';
import type { GammaGammaParams } from '../models/gamma-gamma/likelihood.ts';
import { fitMbgNbd } from '../models/mbg-nbd/fit.ts';
import { ModelFitFailure } from '../models/optimize/fit-failure.ts';
import { compressSummaries, summarizeOrders } from '../models/rfm-summary/rfm-summary.ts';
import type { CompressedSummaries, CountedOrder, CustomerSummaries } from '../models/rfm-summary/rfm-summary.ts';
import { DAY_MS } from '../time/zone-offsets.ts';

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
  /** MBG/NBD fitted on the shop (P(alive) decays for one-time buyers, unlike BG/NBD). */
  model: 'mbg-nbd',
  /** Too little data or no convergence: the cadence rule, low confidence. */
  cadenceRule: 'cadence-rule',
} as const;
export type ChurnMethod = (typeof ChurnMethod)[keyof typeof ChurnMethod];

/** Why the cadence rule was used instead of the model. */
export const ChurnFallbackReason = { tooFewRepeatCustomers: 'too-few-repeat-customers' } as const;
export type ChurnFallbackReason = (typeof ChurnFallbackReason)[keyof typeof ChurnFallbackReason] | ModelFitFailure;

export interface ChurnRiskOptions extends Omit<ClvOptions, 'unitsPerMonth' | 'margin'> {
  /** "Now", UTC ms: orders after it are ignored. */
  asOfMs: number;
  /** The shop's IANA time zone: purchase days are its calendar days. */
  timeZone: string;
  /** Gross margin in [0, 1] applied to predicted CLV. */
  margin: number;
  /** Churn probability thresholds: low < medium, high > high. Default 1/3 and 2/3. */
  tiers?: { medium: number; high: number };
  /** Default {@link MIN_REPEAT_CUSTOMERS_FOR_MODEL}. Used when fitting; {@link scoreChurnRisk} keeps the stored decision. */
  minRepeatCustomers?: number;
}

/** What a badge shows for one customer. */
export interface CustomerChurnRisk {
  customerKey: string;
  /** Probability the customer is still active at asOf. */
  pAlive: number;
  /** 1 − pAlive. */
  churnProbability: number;
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
export function assessChurnRisk(orders: readonly CountedOrder[], options: ChurnRiskOptions): ChurnRiskAssessment {
  const tiers = checkedScoringOptions(options);
  const summaries = summarizeForChurn(orders, options);
  const compressed = compressSummaries(summaries);
  const models = fitFromSummaries(summaries, compressed, options.minRepeatCustomers ?? MIN_REPEAT_CUSTOMERS_FOR_MODEL);
  return { ...models, customers: scoreSummaries(summaries, compressed, models, options, tiers) };
}

/**
 * Fits the shop-level churn models (MBG/NBD in days with the {@link PENALIZER_STEPS} retries, then Gamma-Gamma) on
 * every customer of `orders` — the reference population — or records why the cadence rule must be used instead.
 * Pure and JSON-serialisable: store the result and score customers later with {@link scoreChurnRisk}.
 */
export function fitChurnModels(orders: readonly CountedOrder[], options: ChurnModelFitOptions): ChurnModels {
  const summaries = summarizeForChurn(orders, options);
  return fitFromSummaries(summaries, compressSummaries(summaries), options.minRepeatCustomers ?? MIN_REPEAT_CUSTOMERS_FOR_MODEL);
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
  const tiers = checkedScoringOptions(options);
  assertChurnModels(models);
  const summaries = summarizeForChurn(orders, options);
  return scoreSummaries(summaries, compressSummaries(summaries), models, options, tiers);
}

function checkedScoringOptions(options: ChurnRiskOptions): { medium: number; high: number } {
  const tiers = options.tiers ?? { medium: 1 / 3, high: 2 / 3 };
  if (!(tiers.medium >= 0 && tiers.medium <= tiers.high && tiers.high <= 1)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `Churn tiers need 0 <= medium <= high <= 1, got ${tiers.medium}, ${tiers.high}.`);
  }
  const margin = options.margin;
  if (!(margin >= 0 && margin <= 1)) throw new CoreError(CoreErrorCode.invalidArgument, `margin must be in [0, 1], got ${margin}.`);
  return tiers;
}

// Stored models come back from a database: a cadence-rule method with a fitted model (or the reverse) would silently
// score with the wrong rule, so it is rejected instead.
function assertChurnModels(models: ChurnModels): void {
  const modelled = models.transactionModel !== null;
  if (modelled !== (models.method === ChurnMethod.model) || (modelled ? 'normal' : 'low') !== models.confidence) {
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

function fitFromSummaries(summaries: CustomerSummaries, compressed: CompressedSummaries, minRepeat: number): ChurnModels {
  const n = summaries.customerKeys.length;
  const gaps: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = summaries.frequency[i]!;
    if (x > 0) gaps.push(summaries.recencyDays[i]! / x);
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

  let spendModel: ChurnModels['spendModel'] = null;
  let spendModelFailure: ModelFitFailure | null = null;
  if (fit !== null) {
    const spendRows = { frequency: summaries.frequency, monetaryValue: summaries.monetaryValueMinor };
    let spend = fitGammaGamma(spendRows);
    for (const penalizer of PENALIZER_STEPS.slice(1)) {
      if (spend.ok || spend.reason !== ModelFitFailure.didNotConverge) break;
      spend = fitGammaGamma(spendRows, { penalizer });
    }
    if (spend.ok && spend.value.customers >= minRepeat) spendModel = { params: spend.value.params, customers: spend.value.customers };
    else spendModelFailure = spend.ok ? ModelFitFailure.noRepeatCustomers : spend.reason;
  }
  return {
    method: fit === null ? ChurnMethod.cadenceRule : ChurnMethod.model,
    confidence: fit === null ? 'low' : 'normal',
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
  const { transactionModel, spendModel, typicalGapDays, fallbackReason } = models;
  const n = summaries.customerKeys.length;
  const horizonMonths = options.horizonMonths ?? 12;
  // ChurnMethod.model is MBG/NBD: the transaction model is always the MBG/NBD variant.
  const predictions =
    transactionModel === null
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
  const confidence = models.confidence;
  const customers: CustomerChurnRisk[] = new Array<CustomerChurnRisk>(n);
  const shopGap = typicalGapDays ?? DEFAULT_TYPICAL_GAP_DAYS;
  for (let i = 0; i < n; i++) {
    const x = summaries.frequency[i]!;
    const daysSinceLast = summaries.ageDays[i]! - summaries.recencyDays[i]!;
    const ownGap = x > 0 ? summaries.recencyDays[i]! / x : null;
    const gap = ownGap ?? typicalGapDays;
    const lastAt = summaries.lastOrderAtMs[i]!;
    const expectedNextOrderAtMs = gap === null ? null : lastAt + gap * DAY_MS;
    const historicAverage = (summaries.firstDayValueMinor[i]! + summaries.monetaryValueMinor[i]! * x) / (x + 1);
    let pAlive: number;
    let expectedPurchases: number | null = null;
    let expectedAvgValueMinor = Math.round(historicAverage);
    let predictedClvMinor: number | null = null;
    if (predictions !== null) {
      pAlive = predictions.pAlive[i]!;
      expectedPurchases = predictions.expectedPurchases[i]!;
      if (spendModel !== null) {
        expectedAvgValueMinor = Math.round(predictions.expectedAverageValueMinor[i]!);
        predictedClvMinor = Math.round(predictions.clvMinor[i]!);
      } else {
        predictedClvMinor = Math.round(margin * historicAverage * expectedPurchases);
      }
    } else {
      const k = daysSinceLast / (ownGap ?? shopGap);
      pAlive = k <= 1 ? 1 : 0.5 ** (k - 1);
    }
    const churnProbability = 1 - pAlive;
    const churnTier: ChurnTierV1 = churnProbability < tiers.medium ? 'low' : churnProbability > tiers.high ? 'high' : 'medium';
    customers[i] = {
      customerKey: summaries.customerKeys[i]!,
      pAlive,
      churnProbability,
      churnTier,
      churnReasons: reasons(x, daysSinceLast, ownGap, typicalGapDays, fallbackReason),
      expectedPurchases,
      expectedAvgValueMinor,
      predictedClvMinor,
      expectedNextOrderAtMs,
      overdue: expectedNextOrderAtMs !== null && asOfMs > expectedNextOrderAtMs,
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

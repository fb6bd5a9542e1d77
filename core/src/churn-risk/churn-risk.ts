import type { ChurnTierV1 } from '../api/v1.ts';
import { CoreError, CoreErrorCode } from '../errors/core-error.ts';
import type { BgNbdFit } from '../models/bg-nbd/fit.ts';
import type { BgNbdParams } from '../models/bg-nbd/likelihood.ts';
import { predictCustomers, UNITS_PER_MONTH } from '../models/clv/clv.ts';
import type { ClvOptions } from '../models/clv/clv.ts';
import { fitGammaGamma } from '../models/gamma-gamma/fit.ts';
import type { GammaGammaParams } from '../models/gamma-gamma/likelihood.ts';
import { fitMbgNbd } from '../models/mbg-nbd/fit.ts';
import { ModelFitFailure } from '../models/optimize/fit-failure.ts';
import { compressSummaries, summarizeOrders } from '../models/rfm-summary/rfm-summary.ts';
import type { CountedOrder } from '../models/rfm-summary/rfm-summary.ts';
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
  /** Default {@link MIN_REPEAT_CUSTOMERS_FOR_MODEL}. */
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

export interface ChurnRiskAssessment {
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
  customerCount: number;
  repeatCustomers: number;
  /** Median over repeat customers of (first-to-last days / repeat days); null without repeat customers. */
  typicalGapDays: number | null;
  customers: CustomerChurnRisk[];
}

/**
 * Per-customer churn risk, next-order date and predicted CLV for one shop (issue 3). Churn probability is
 * 1 − P(alive) under MBG/NBD (Batislam et al. 2007), fitted on the shop's own orders in days; spend from Gamma-Gamma
 * (Fader & Hardie 2013); CLV as in clv-models.md §4.5. With fewer than `minRepeatCustomers` repeat customers, or a
 * fit that fails, a cadence rule is used and every result is marked `confidence: 'low'`:
 * P(alive) = 1 while the time since the last order is within the usual gap g, then halves with every further g.
 */
export function assessChurnRisk(orders: readonly CountedOrder[], options: ChurnRiskOptions): ChurnRiskAssessment {
  const { asOfMs, timeZone, margin } = options;
  const tiers = options.tiers ?? { medium: 1 / 3, high: 2 / 3 };
  if (!(tiers.medium >= 0 && tiers.medium <= tiers.high && tiers.high <= 1)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `Churn tiers need 0 <= medium <= high <= 1, got ${tiers.medium}, ${tiers.high}.`);
  }
  if (!(margin >= 0 && margin <= 1)) throw new CoreError(CoreErrorCode.invalidArgument, `margin must be in [0, 1], got ${margin}.`);
  const minRepeat = options.minRepeatCustomers ?? MIN_REPEAT_CUSTOMERS_FOR_MODEL;
  const summaries = summarizeOrders(orders, { calibrationEndMs: asOfMs, timeZone, timeUnit: 'day' });
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
  const compressed = compressSummaries(summaries);
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

  let spendModel: ChurnRiskAssessment['spendModel'] = null;
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

  const horizonMonths = options.horizonMonths ?? 12;
  const predictions =
    fit === null
      ? null
      : predictCustomers(fit, spendModel?.params ?? null, summaries, compressed, horizonMonths * UNITS_PER_MONTH.day, {
          horizonMonths,
          ...(options.annualDiscountRate === undefined ? {} : { annualDiscountRate: options.annualDiscountRate }),
          margin,
        });
  const confidence = fit === null ? 'low' : 'normal';
  const customers: CustomerChurnRisk[] = new Array(n);
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
  return {
    method: fit === null ? ChurnMethod.cadenceRule : ChurnMethod.model,
    confidence,
    fallbackReason,
    transactionModel: fit === null ? null : { params: fit.params, logLikelihood: fit.logLikelihood, penalizer: fitPenalizer },
    spendModel,
    spendModelFailure,
    customerCount: n,
    repeatCustomers,
    typicalGapDays,
    customers,
  };
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

import { purchaseModelConditionalExpectedPurchases, purchaseModelProbabilityAlive, type PurchaseModelFit } from '../purchase-model/purchase-model.ts';
import type { BetaGeoVariant, BgNbdParams } from '../bg-nbd/likelihood.ts';
import { gammaGammaExpectedAverageValue } from '../gamma-gamma/predict.ts';
import type { GammaGammaParams } from '../gamma-gamma/likelihood.ts';
import type { CompressedSummaries, CustomerSummaries, TimeUnit } from '../btyd-summary/btyd-summary.ts';

/** Model time units per month, as lifetimes' `customer_lifetime_value` uses them (clv-models.md §4.5). */
export const UNITS_PER_MONTH: Readonly<Record<TimeUnit, number>> = { day: 30, week: 4.345 };

/** lifetimes' default monthly discount 0.01, expressed as the equivalent annual rate (≈ 12.68%). */
export const DEFAULT_ANNUAL_DISCOUNT_RATE = 1.01 ** 12 - 1;

export interface ClvOptions {
  /** Horizon H in months. Default 12. */
  horizonMonths?: number;
  /** Annual discount rate; months are discounted at (1 + rate)^(1/12) − 1 each. Default ≈ 0.1268 (0.01 a month). */
  annualDiscountRate?: number;
  /** Model time units per month, f. Default {@link UNITS_PER_MONTH} of the data's unit (must match it: §7 unit trap). */
  unitsPerMonth?: number;
  /** Gross margin applied to revenue, in [0, 1]. Default 1 (revenue, as lifetimes returns). */
  margin?: number;
}

function monthlyRate(options: ClvOptions): number {
  const annual = options.annualDiscountRate ?? DEFAULT_ANNUAL_DISCOUNT_RATE;
  if (!(annual > -1)) throw new RangeError(`annualDiscountRate must be > -1, got ${annual}.`);
  return (1 + annual) ** (1 / 12) - 1;
}

function checkedHorizon(options: ClvOptions): number {
  const horizon = options.horizonMonths ?? 12;
  if (!Number.isInteger(horizon) || horizon < 0) throw new RangeError(`horizonMonths must be a whole number >= 0, got ${horizon}.`);
  return horizon;
}

function checkedMargin(options: ClvOptions): number {
  const margin = options.margin ?? 1;
  if (!(margin >= 0 && margin <= 1)) throw new RangeError(`margin must be in [0, 1], got ${margin}.`);
  return margin;
}

/**
 * Σ_{k=1..H} (E[Y(k·f)] − E[Y((k−1)·f)]) / (1+d)^k: discounted expected purchases over the horizon, the factor that
 * multiplies the expected spend in the CLV of FHL 2005 JMR as computed by lifetimes (clv-models.md §4.5).
 */
export function discountedExpectedPurchases(
  variant: BetaGeoVariant,
  params: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  unitsPerMonth: number,
  horizonMonths: number,
  monthlyDiscountRate: number,
): number {
  return discountedPurchasesOf({ model: variant, params }, x, tx, T, unitsPerMonth, horizonMonths, monthlyDiscountRate);
}

/** {@link discountedExpectedPurchases} for any purchase model (Pareto/NBD included). */
function discountedPurchasesOf(
  fit: PurchaseModelFit,
  x: number,
  tx: number,
  T: number,
  unitsPerMonth: number,
  horizonMonths: number,
  monthlyDiscountRate: number,
): number {
  let previous = 0;
  let total = 0;
  let discount = 1;
  for (let k = 1; k <= horizonMonths; k++) {
    const current = purchaseModelConditionalExpectedPurchases(fit, k * unitsPerMonth, x, tx, T);
    discount /= 1 + monthlyDiscountRate;
    total += (current - previous) * discount;
    previous = current;
  }
  return total;
}

/**
 * Discounted CLV of one customer over `horizonMonths` (default 12): margin × E(M) × Σ_k ΔE[Y]_k/(1+d)^k, in the
 * unit of `expectedAverageValue` (FHL 2005 JMR; lifetimes' `customer_lifetime_value`, clv-models.md §4.5).
 * x, t_x, T in the params' time unit; `unitsPerMonth` must match it (4.345 for weeks, 30 for days).
 */
export function discountedClv(
  variant: BetaGeoVariant,
  params: BgNbdParams,
  customer: { x: number; tx: number; T: number; expectedAverageValue: number },
  unitsPerMonth: number,
  options: ClvOptions = {},
): number {
  const factor = discountedExpectedPurchases(
    variant,
    params,
    customer.x,
    customer.tx,
    customer.T,
    options.unitsPerMonth ?? unitsPerMonth,
    checkedHorizon(options),
    monthlyRate(options),
  );
  return checkedMargin(options) * customer.expectedAverageValue * factor;
}

/** Per-customer predictions, columnar, index-aligned with the summaries. */
export interface CustomerPredictions {
  /** P(alive) at the calibration end. */
  pAlive: Float64Array;
  /** E[Y(t)] for the requested horizon t (model time units). */
  expectedPurchases: Float64Array;
  /** Gamma-Gamma E(M), minor units; NaN when no spend model was given. */
  expectedAverageValueMinor: Float64Array;
  /** margin × discounted CLV over `horizonMonths`, minor units (not rounded); NaN without a spend model. */
  clvMinor: Float64Array;
}

/**
 * Predicts every customer of `summaries`. The model terms depend only on (x, t_x, T), so they are evaluated once per
 * compressed row and shared by all customers in it; only E(M) is per customer. This is what makes prediction run at
 * millions of customers per second.
 */
export function predictCustomers(
  fit: PurchaseModelFit,
  spend: GammaGammaParams | null,
  summaries: CustomerSummaries,
  compressed: CompressedSummaries,
  horizon: number,
  options: ClvOptions = {},
): CustomerPredictions {
  const rows = compressed.weight.length;
  const unitsPerMonth = options.unitsPerMonth ?? UNITS_PER_MONTH[summaries.timeUnit];
  const horizonMonths = checkedHorizon(options);
  const d = monthlyRate(options);
  const margin = checkedMargin(options);
  const rowAlive = new Float64Array(rows);
  const rowExpected = new Float64Array(rows);
  const rowFactor = new Float64Array(rows);
  for (let j = 0; j < rows; j++) {
    const x = compressed.frequency[j]!;
    const tx = compressed.recency[j]!;
    const T = compressed.age[j]!;
    rowAlive[j] = purchaseModelProbabilityAlive(fit, x, tx, T);
    if (spend !== null) rowFactor[j] = discountedPurchasesOf(fit, x, tx, T, unitsPerMonth, horizonMonths, d);
    rowExpected[j] = purchaseModelConditionalExpectedPurchases(fit, horizon, x, tx, T);
  }
  const n = summaries.customerKeys.length;
  const pAlive = new Float64Array(n);
  const expectedPurchases = new Float64Array(n);
  const expectedAverageValueMinor = new Float64Array(n);
  const clvMinor = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = compressed.rowOfCustomer[i]!;
    pAlive[i] = rowAlive[j]!;
    expectedPurchases[i] = rowExpected[j]!;
    if (spend === null) {
      expectedAverageValueMinor[i] = Number.NaN;
      clvMinor[i] = Number.NaN;
    } else {
      const value = gammaGammaExpectedAverageValue(spend, summaries.frequency[i]!, summaries.monetaryValueMinor[i]!);
      expectedAverageValueMinor[i] = value;
      clvMinor[i] = margin * value * rowFactor[j]!;
    }
  }
  return { pAlive, expectedPurchases, expectedAverageValueMinor, clvMinor };
}

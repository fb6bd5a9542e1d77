import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import type { Result } from '../../result.ts';
import { ModelFitFailure } from '../optimize/fit-failure.ts';
import { fitGammaGamma } from './fit.ts';
import type { GammaGammaFit, GammaGammaFitOptions } from './fit.ts';
import type { GammaGammaParams, SpendRows } from './likelihood.ts';

/**
 * The per-customer spend columns of a CustomerSummaries (from `summarizeOrders`), which satisfies this type as is.
 * A purchase day is a local calendar day with at least one counted order; its value is the sum of that day's orders.
 */
export interface PurchaseDaySpend {
  /** x: repeat purchase days (purchase days − 1). */
  frequency: ArrayLike<number>;
  /** Mean value of the repeat purchase days, minor units; not read when x = 0. */
  monetaryValueMinor: ArrayLike<number>;
  /** Value of the first purchase day, minor units. */
  firstDayValueMinor: ArrayLike<number>;
}

/**
 * Every customer as a Gamma-Gamma spend row over ALL their purchase days, the first included: frequency n = x + 1
 * purchase days and monetaryValue m = (first day value + x·mean repeat day value)/n, minor units. Rows keep the
 * customers' order; a customer whose days sum to 0 gets m = 0 (the fit leaves such rows out).
 */
export function allPurchaseDaySpendRows(summaries: PurchaseDaySpend): SpendRows & { frequency: Float64Array; monetaryValue: Float64Array } {
  const n = summaries.frequency.length;
  if (summaries.monetaryValueMinor.length !== n || summaries.firstDayValueMinor.length !== n) {
    throw new CoreError(
      CoreErrorCode.invalidArgument,
      `Spend columns differ in length: frequency ${n}, monetaryValueMinor ${summaries.monetaryValueMinor.length}, firstDayValueMinor ${summaries.firstDayValueMinor.length}.`,
    );
  }
  const frequency = new Float64Array(n);
  const monetaryValue = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = summaries.frequency[i]!;
    const first = summaries.firstDayValueMinor[i]!;
    const repeatMean = x > 0 ? summaries.monetaryValueMinor[i]! : 0;
    if (!(x >= 0) || !Number.isFinite(x) || !Number.isFinite(first) || !Number.isFinite(repeatMean) || first < 0 || repeatMean < 0) {
      throw new CoreError(
        CoreErrorCode.invalidArgument,
        `Customer ${i}: need x >= 0 and finite, non-negative day values, got x=${x}, first=${first}, repeat mean=${repeatMean}.`,
      );
    }
    frequency[i] = x + 1;
    monetaryValue[i] = (first + x * repeatMean) / (x + 1);
  }
  return { frequency, monetaryValue };
}

/**
 * Gamma-Gamma fitted on every customer's purchase days, first day included (issue 11, "Predicted CLV that uses what
 * the customer spent"): the existing likelihood and fit ({@link fitGammaGamma}, note 025) on rows
 * n = x + 1 ≥ 1 and m = mean value over all n days, for customers with m > 0. The fit's `customers` counts those and
 * `excluded` the customers with m = 0. γ is in minor units.
 *
 * Why the first day may be included: the model's assumptions are that a customer's transaction values are iid
 * Gamma(p, ν) draws, with ν ~ Gamma(q, γ) across customers and independent of how often they buy (note 025 §2). Nothing
 * there singles out the first transaction, and the likelihood holds for any count n ≥ 1; the published fits use
 * repeat transactions only, matching the repeat-purchase models they are paired with (FHL 2005, JMR 42(4); on CDNOW).
 * Including the first day lets the one-time buyers, most customers of most shops, inform the fit and get their own
 * estimate. The caveat: if a shop's first orders differ in kind from later ones (welcome discounts, starter bundles),
 * p, q, γ describe a mix of the two.
 *
 * Fails with `no-customers` when no customer spent anything, otherwise as {@link fitGammaGamma}
 * (`did-not-converge`, `mean-spend-undefined`).
 */
export function fitGammaGammaAllDays(summaries: PurchaseDaySpend, options: GammaGammaFitOptions = {}): Result<GammaGammaFit, ModelFitFailure> {
  const fit = fitGammaGamma(allPurchaseDaySpendRows(summaries), options);
  // Every row has n >= 1 here, so "no repeat customers" can only mean that nobody spent anything.
  if (!fit.ok && fit.reason === ModelFitFailure.noRepeatCustomers) return { ok: false, reason: ModelFitFailure.noCustomers };
  return fit;
}

/**
 * Expected value of a purchase day per customer, first day included, shrunk toward the shop: the Gamma-Gamma posterior
 * mean E(M | n, m) = p·(γ + m·n)/(p·n + q − 1) (note 025 eq. 5) with n = x + 1 purchase days and m their mean value,
 * in minor units, for `params` from {@link fitGammaGammaAllDays}. It is a weighted mean of the shop mean p·γ/(q − 1)
 * and the customer's own m with weight p·n/(p·n + q − 1) on m, so of two one-time buyers the one who spent more gets
 * more, but less than they spent when above the shop mean. A customer whose days sum to 0 gets the limit m → 0,
 * p·γ/(p·n + q − 1), below the shop mean.
 * @example expectedOrderValueAllDays(fit.value.params, summarizeOrders(orders, options))
 */
export function expectedOrderValueAllDays(params: GammaGammaParams, summaries: PurchaseDaySpend): Float64Array {
  const { p, q, gamma } = params;
  if (!(p > 0 && q > 1 && gamma > 0)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `Gamma-Gamma params need p > 0, q > 1, γ > 0, got p=${p}, q=${q}, γ=${gamma}.`);
  }
  const rows = allPurchaseDaySpendRows(summaries);
  const out = rows.monetaryValue;
  for (let i = 0; i < out.length; i++) {
    const n = rows.frequency[i]!;
    out[i] = (p * (gamma + out[i]! * n)) / (p * n + q - 1);
  }
  return out;
}

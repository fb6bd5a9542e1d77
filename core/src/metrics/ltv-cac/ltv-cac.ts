import { CoreError, CoreErrorCode, CurrencyMismatchError } from '../../errors/core-error.ts';
import { parseMonth } from '../../time/calendar.ts';
import type { CohortMatrix } from '../cohort-matrix/cohort-matrix.ts';
import { assertMarginFraction } from '../formula-clv/formula-clv.ts';

/** Marketing spend of one calendar month (shop time zone). */
export interface MonthlySpend {
  /** `YYYY-MM`. */
  month: string;
  amountMinor: number;
  /** Must be the shop currency. */
  currency: string;
}

/** LTV:CAC of one acquisition cohort. */
export interface CohortLtvCac {
  cohortMonth: string;
  /** New customers acquired in the month (0 for a spend month without acquisitions). */
  newCustomers: number;
  spendMinor: number;
  /** CAC = spend / new customers, minor units; null without spend or without new customers. */
  cacMinor: number | null;
  /** Months since acquisition observed so far (the cohort's last column). */
  monthsObserved: number;
  /** Cumulative gross margin per customer (revenue x margin) at the last observed month, minor units. */
  ltvMinor: number;
  /** ltvMinor / cacMinor; null without CAC. */
  ltvToCac: number | null;
  /** First month since acquisition (0-based) in which cumulative margin per customer >= CAC; null if not yet. */
  paybackMonth: number | null;
}

/**
 * LTV:CAC and CAC payback per monthly cohort, as Lifetimely defines them: CAC = the month's marketing spend / new
 * customers; LTV = cumulative net revenue per cohort customer x gross margin at the latest month; payback = the first
 * month since acquisition where that cumulative margin reaches CAC. Spend months are summed if repeated.
 */
export function computeLtvCac(
  matrix: CohortMatrix,
  spend: readonly MonthlySpend[],
  options: { marginFraction: number; currency: string | null },
): CohortLtvCac[] {
  assertMarginFraction(options.marginFraction);
  const spendByMonth = new Map<number, number>();
  spend.forEach((entry, i) => {
    const month = parseMonth(entry.month);
    if (month === null) {
      throw new CoreError(CoreErrorCode.invalidSpend, `Spend entry #${i}: month ${JSON.stringify(entry.month)} is not YYYY-MM.`);
    }
    if (!Number.isSafeInteger(entry.amountMinor) || entry.amountMinor < 0) {
      throw new CoreError(
        CoreErrorCode.invalidSpend,
        `Spend entry #${i} (${entry.month}): amountMinor must be a non-negative integer, got ${entry.amountMinor}.`,
      );
    }
    if (options.currency !== null && entry.currency !== options.currency) {
      throw new CurrencyMismatchError(options.currency, entry.currency, `spend entry #${i} (${entry.month})`);
    }
    spendByMonth.set(month, (spendByMonth.get(month) ?? 0) + entry.amountMinor);
  });
  const rows = new Map<number, CohortLtvCac>();
  for (const cohort of matrix.cohorts) {
    const spendMinor = spendByMonth.get(cohort.cohortMonthIndex) ?? 0;
    const cacMinor = spendByMonth.has(cohort.cohortMonthIndex) ? spendMinor / cohort.customers : null;
    const margins = cohort.cumulativeRevenuePerCustomerMinor.map((v) => v * options.marginFraction);
    const ltvMinor = margins[margins.length - 1] ?? 0;
    const payback = cacMinor === null ? -1 : margins.findIndex((m) => m >= cacMinor);
    rows.set(cohort.cohortMonthIndex, {
      cohortMonth: cohort.cohortMonth,
      newCustomers: cohort.customers,
      spendMinor,
      cacMinor,
      monthsObserved: margins.length - 1,
      ltvMinor,
      ltvToCac: cacMinor === null || cacMinor === 0 ? null : ltvMinor / cacMinor,
      paybackMonth: payback === -1 ? null : payback,
    });
  }
  for (const [month, spendMinor] of spendByMonth) {
    if (rows.has(month)) continue;
    const year = Math.floor(month / 12);
    rows.set(month, {
      cohortMonth: `${String(year).padStart(4, '0')}-${String(month - year * 12 + 1).padStart(2, '0')}`,
      newCustomers: 0,
      spendMinor,
      cacMinor: null,
      monthsObserved: 0,
      ltvMinor: 0,
      ltvToCac: null,
      paybackMonth: null,
    });
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
}

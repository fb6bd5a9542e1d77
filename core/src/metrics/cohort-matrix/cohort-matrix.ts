import type { PreparedOrders } from '../../dataset/prepare.ts';
import { monthIndexTable } from '../../dataset/weekly-points.ts';
import { formatMonthIndex, localDayStartMs, monthIndexOfDay, monthStartDay } from '../../time/calendar.ts';

/** One acquisition cohort's row of the matrix. Arrays are indexed by months since acquisition (0 = first month). */
export interface CohortRow {
  /** `YYYY-MM` of the first counted order, shop time zone. */
  cohortMonth: string;
  /** Month index (year x 12 + month - 1), for joins such as marketing spend. */
  cohortMonthIndex: number;
  /** UTC ms of the cohort month's first instant. */
  cohortStartMs: number;
  /** Customers acquired (first counted order) in the month. */
  customers: number;
  /** Share of the cohort with >= 1 counted order in each month since acquisition, in [0, 1] (1 at month 0). */
  activeShare: number[];
  /** Cumulative net revenue per cohort customer up to the end of each month since acquisition, minor units. */
  cumulativeRevenuePerCustomerMinor: number[];
}

/** Monthly cohort matrix; row i has one entry per month from its cohort month to asOf's month (a triangle). */
export interface CohortMatrix {
  /** Oldest cohort first. */
  cohorts: CohortRow[];
  /** Longest row length minus 1. */
  maxMonthsSince: number;
}

/**
 * Cohort matrix: monthly acquisition cohorts (month of first counted order, shop time zone) x months since
 * acquisition: the share of the cohort ordering in that month and cumulative net revenue per cohort customer (refunds
 * placed by `refundAttribution`). The current month is partial: it runs to asOf.
 */
export function computeCohortMatrix(data: PreparedOrders): CohortMatrix {
  const customerCount = data.customerKeys.length;
  if (customerCount === 0) return { cohorts: [], maxMonthsSince: 0 };
  let minDay = data.asOfDay;
  for (let c = 0; c < customerCount; c++) minDay = Math.min(minDay, data.orderDay[data.customerStart[c]!]!);
  for (let e = 0; e < data.eventDay.length; e++) minDay = Math.min(minDay, data.eventDay[e]!);
  const monthOf = monthIndexTable(minDay, data.asOfDay, monthIndexOfDay);
  const asOfMonth = monthOf(data.asOfDay);
  const firstMonth = monthOf(minDay);
  const rows = asOfMonth - firstMonth + 1;
  const size = new Float64Array(rows);
  const active: Float64Array[] = [];
  const revenue: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    active.push(new Float64Array(rows - r));
    revenue.push(new Float64Array(rows - r));
  }
  for (let c = 0; c < customerCount; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    const cohort = monthOf(data.orderDay[from]!) - firstMonth;
    size[cohort]!++;
    const activeRow = active[cohort]!;
    let lastMarked = -1;
    for (let s = from; s < to; s++) {
      const since = monthOf(data.orderDay[s]!) - firstMonth - cohort;
      if (since !== lastMarked) {
        activeRow[since]!++;
        lastMarked = since;
      }
    }
    const revenueRow = revenue[cohort]!;
    for (let e = data.eventStart[c]!; e < data.eventStart[c + 1]!; e++) {
      const since = Math.max(0, monthOf(data.eventDay[e]!) - firstMonth - cohort);
      revenueRow[since]! += data.eventAmountMinor[e]!;
    }
  }
  const cohorts: CohortRow[] = [];
  let maxMonthsSince = 0;
  for (let r = 0; r < rows; r++) {
    const customers = size[r]!;
    if (customers === 0) continue;
    const month = firstMonth + r;
    let cumulative = 0;
    cohorts.push({
      cohortMonth: formatMonthIndex(month),
      cohortMonthIndex: month,
      cohortStartMs: localDayStartMs(monthStartDay(month), data.timeZone),
      customers,
      activeShare: Array.from(active[r]!, (n) => n / customers),
      cumulativeRevenuePerCustomerMinor: Array.from(revenue[r]!, (amount) => {
        cumulative += amount;
        return cumulative / customers;
      }),
    });
    maxMonthsSince = Math.max(maxMonthsSince, rows - r - 1);
  }
  return { cohorts, maxMonthsSince };
}

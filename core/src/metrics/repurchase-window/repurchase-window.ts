import type { PreparedOrders } from '../../dataset/prepare.ts';
import { formatMonthIndex, localDayStartMs, monthIndexOfDay, monthStartDay } from '../../time/calendar.ts';
import { assertWindowDays } from '../repeat-rate/repeat-rate.ts';

/** Share of new customers who placed a second counted order within `days` days of their first. */
export interface RepurchaseRate {
  days: number;
  /** repurchased / eligible in [0, 1]; null when the cohort is too young (or nobody is eligible). */
  value: number | null;
  /** Customers counted: those of cohorts old enough that every member had `days` days to reorder. */
  eligible: number;
  repurchased: number;
  /** True when the cohort's last day + `days` is after asOf: marked, not counted (Lifetimely's dashed line). */
  tooYoung: boolean;
}

export interface RepurchaseCohort {
  /** `YYYY-MM` of the first counted order (shop time zone). */
  cohortMonth: string;
  /** UTC ms of the cohort month's first instant. */
  cohortStartMs: number;
  customers: number;
  rates: RepurchaseRate[];
}

export interface RepurchaseWithin {
  days: number[];
  /** All cohorts that are old enough for each `days`, pooled. */
  overall: RepurchaseRate[];
  /** Acquisition cohorts, oldest first. */
  cohorts: RepurchaseCohort[];
}

/**
 * Repurchase within N days (default 30/90/180/365) of the first order, per monthly acquisition cohort: the share of
 * the cohort whose second counted order came at most N local days after the first. A cohort is too young for N when
 * its last day + N is after asOf's day; its rate is then null and it is left out of `overall`.
 */
export function computeRepurchaseWithin(data: PreparedOrders, options: { days?: number[] } = {}): RepurchaseWithin {
  const daysList = options.days ?? [30, 90, 180, 365];
  for (const d of daysList) assertWindowDays(d, 'days');
  const byMonth = new Map<number, { customers: number; repurchased: number[] }>();
  for (let c = 0; c < data.customerKeys.length; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    const firstDay = data.orderDay[from]!;
    const month = monthIndexOfDay(firstDay);
    let cohort = byMonth.get(month);
    if (cohort === undefined) {
      cohort = { customers: 0, repurchased: daysList.map(() => 0) };
      byMonth.set(month, cohort);
    }
    cohort.customers++;
    if (to - from >= 2) {
      const gap = data.orderDay[from + 1]! - firstDay;
      for (let k = 0; k < daysList.length; k++) if (gap <= daysList[k]!) cohort.repurchased[k]!++;
    }
  }
  const months = [...byMonth.keys()].sort((a, b) => a - b);
  const overallEligible = daysList.map(() => 0);
  const overallRepurchased = daysList.map(() => 0);
  const cohorts: RepurchaseCohort[] = months.map((month) => {
    const cohort = byMonth.get(month)!;
    const lastDay = monthStartDay(month + 1) - 1;
    const rates = daysList.map((days, k): RepurchaseRate => {
      const tooYoung = lastDay + days > data.asOfDay;
      if (tooYoung) return { days, value: null, eligible: 0, repurchased: 0, tooYoung };
      overallEligible[k]! += cohort.customers;
      overallRepurchased[k]! += cohort.repurchased[k]!;
      return { days, value: cohort.repurchased[k]! / cohort.customers, eligible: cohort.customers, repurchased: cohort.repurchased[k]!, tooYoung };
    });
    return {
      cohortMonth: formatMonthIndex(month),
      cohortStartMs: localDayStartMs(monthStartDay(month), data.timeZone),
      customers: cohort.customers,
      rates,
    };
  });
  const overall = daysList.map((days, k): RepurchaseRate => ({
    days,
    value: overallEligible[k] === 0 ? null : overallRepurchased[k]! / overallEligible[k]!,
    eligible: overallEligible[k]!,
    repurchased: overallRepurchased[k]!,
    tooYoung: overallEligible[k] === 0,
  }));
  return { days: daysList, overall, cohorts };
}

import type { PreparedOrders } from '../../dataset/prepare.ts';
import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import { localDayStartMs } from '../../time/calendar.ts';
import { assertWindowDays } from '../repeat-rate/repeat-rate.ts';

/** A period in local calendar days, inclusive of both ends; built by {@link periodEndingAt}. */
export interface DayPeriod {
  startDay: number;
  endDay: number;
}

/** The `periodDays`-day period whose last day is asOf's day: start is measured at day asOfDay - periodDays. */
export function periodEndingAt(data: PreparedOrders, periodDays: number): DayPeriod {
  assertWindowDays(periodDays, 'periodDays');
  return { startDay: data.asOfDay - periodDays, endDay: data.asOfDay };
}

export function assertPeriod(data: PreparedOrders, period: DayPeriod): void {
  if (!Number.isInteger(period.startDay) || !Number.isInteger(period.endDay) || period.endDay <= period.startDay || period.endDay > data.asOfDay) {
    throw new CoreError(
      CoreErrorCode.invalidArgument,
      `A period needs whole local day numbers with startDay < endDay <= asOf's day (${data.asOfDay}); got ${period.startDay}..${period.endDay}.`,
    );
  }
}

/** Active/churned counts of customers over one period, the building block of CRR and product retention. */
export interface PeriodActivity {
  periodStartMs: number;
  periodEndMs: number;
  inactivityDays: number;
  /** CS: customers whose last counted order on or before the start day is at most N days before it. */
  activeAtStart: number;
  /** Of those, customers with no counted order in the N days up to the end day. */
  churnedFromStart: number;
  /** CE: customers whose last counted order on or before the end day is at most N days before it. */
  activeAtEnd: number;
  /** CN: customers whose first counted order falls after the start day and on or before the end day. */
  newInPeriod: number;
}

/** Counts the period's CS, CE, CN and churned customers in one pass. */
export function measurePeriod(data: PreparedOrders, period: DayPeriod, inactivityDays: number): PeriodActivity {
  assertPeriod(data, period);
  assertWindowDays(inactivityDays, 'inactivityDays');
  const { startDay, endDay } = period;
  let activeAtStart = 0;
  let churnedFromStart = 0;
  let activeAtEnd = 0;
  let newInPeriod = 0;
  for (let c = 0; c < data.customerKeys.length; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    const firstDay = data.orderDay[from]!;
    if (firstDay > endDay) continue;
    if (firstDay > startDay) newInPeriod++;
    let lastByStart = Number.NEGATIVE_INFINITY;
    let lastByEnd = Number.NEGATIVE_INFINITY;
    for (let s = to - 1; s >= from; s--) {
      const day = data.orderDay[s]!;
      if (lastByEnd === Number.NEGATIVE_INFINITY && day <= endDay) lastByEnd = day;
      if (day <= startDay) {
        lastByStart = day;
        break;
      }
    }
    const startActive = startDay - lastByStart <= inactivityDays;
    const endActive = endDay - lastByEnd <= inactivityDays;
    if (startActive) {
      activeAtStart++;
      if (!endActive) churnedFromStart++;
    }
    if (endActive) activeAtEnd++;
  }
  return {
    periodStartMs: localDayStartMs(startDay, data.timeZone),
    periodEndMs: localDayStartMs(endDay + 1, data.timeZone) - 1,
    inactivityDays,
    activeAtStart,
    churnedFromStart,
    activeAtEnd,
    newInPeriod,
  };
}

/** Period churn rate (CRR). */
export interface PeriodChurn {
  periodStartMs: number;
  periodEndMs: number;
  inactivityDays: number;
  /** churned / activeAtStart in [0, 1]; null when nobody was active at the start. */
  value: number | null;
  activeAtStart: number;
  churned: number;
}

/**
 * Period churn rate: customers active at the period start (last counted order within N days before it) who are
 * inactive for more than N days at the period end, divided by customers active at the start.
 * @example 1,000 active at start, 50 of them churned by the end -> 0.05
 */
export function computePeriodChurn(data: PreparedOrders, options: { period: DayPeriod; inactivityDays: number }): PeriodChurn {
  const m = measurePeriod(data, options.period, options.inactivityDays);
  return {
    periodStartMs: m.periodStartMs,
    periodEndMs: m.periodEndMs,
    inactivityDays: m.inactivityDays,
    value: m.activeAtStart === 0 ? null : m.churnedFromStart / m.activeAtStart,
    activeAtStart: m.activeAtStart,
    churned: m.churnedFromStart,
  };
}

import type { PreparedOrders } from '../../dataset/prepare.ts';
import { IntervalUnion, PointCounter, weeklyPoints } from '../../dataset/weekly-points.ts';
import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import { localDayStartMs } from '../../time/calendar.ts';

/** Repeat purchase rate over a window, with its numerator and denominator. */
export interface RepeatPurchaseRate {
  windowDays: number;
  /** UTC ms of the first instant of the window (local midnight, `windowDays` local days ending on asOf's day). */
  windowStartMs: number;
  /** repeatCustomers / customers, a fraction in [0, 1]; 0 when no customer ordered in the window. */
  value: number;
  /** Customers with >= 2 counted orders inside the window. */
  repeatCustomers: number;
  /** Customers with >= 1 counted order inside the window. */
  customers: number;
}

export function assertWindowDays(windowDays: number, name = 'windowDays'): void {
  if (!Number.isInteger(windowDays) || windowDays < 1) {
    throw new CoreError(CoreErrorCode.invalidArgument, `${name} must be a positive whole number of days, got ${windowDays}.`);
  }
}

/**
 * Repeat purchase rate: customers with >= 2 counted orders inside the window / customers with >= 1 counted order
 * inside the window. The window is the `windowDays` local calendar days ending on asOf's day (orders after asOf
 * excluded). Both orders must fall in the window, unlike Shopify's returning customer rate.
 * @example 1,000 customers ordered in the window, 120 of them twice or more -> 0.12
 */
export function computeRepeatPurchaseRate(data: PreparedOrders, options: { windowDays: number }): RepeatPurchaseRate {
  const { windowDays } = options;
  assertWindowDays(windowDays);
  const startDay = data.asOfDay - windowDays + 1;
  let customers = 0;
  let repeatCustomers = 0;
  for (let c = 0; c < data.customerKeys.length; c++) {
    const to = data.customerStart[c + 1]!;
    let inWindow = 0;
    for (let s = to - 1; s >= data.customerStart[c]! && data.orderDay[s]! >= startDay; s--) {
      inWindow++;
      if (inWindow === 2) break;
    }
    if (inWindow >= 1) customers++;
    if (inWindow >= 2) repeatCustomers++;
  }
  return {
    windowDays,
    windowStartMs: localDayStartMs(startDay, data.timeZone),
    value: customers === 0 ? 0 : repeatCustomers / customers,
    repeatCustomers,
    customers,
  };
}

/** A weekly series in uPlot's columnar form: x = week starts (UTC ms, ascending), null where undefined. */
export interface RepeatRateSeries {
  windowDays: number;
  weekStartMs: number[];
  /** Repeat purchase rate over the `windowDays` days ending at each point; null when no customer ordered. */
  value: (number | null)[];
  /** Denominator per point. */
  customers: number[];
}

/**
 * Weekly series of the repeat purchase rate: for each ISO week, the rate over the `windowDays` days ending on that
 * week's Sunday (the current week: asOf's day). One pass over the orders: a customer has >= 1 order in the window
 * ending on day e iff e is in some [d_i, d_i + W - 1], and >= 2 iff e is in some [d_(i+1), d_i + W - 1].
 */
export function computeRepeatRateSeries(data: PreparedOrders, options: { windowDays: number; weeks: number }): RepeatRateSeries {
  const { windowDays, weeks } = options;
  assertWindowDays(windowDays);
  assertWindowDays(weeks, 'weeks');
  const points = weeklyPoints(data.asOfDay, weeks, data.timeZone);
  const one = new PointCounter(points.endDay);
  const two = new PointCounter(points.endDay);
  const oneUnion = new IntervalUnion(one);
  const twoUnion = new IntervalUnion(two);
  for (let c = 0; c < data.customerKeys.length; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    for (let s = from; s < to; s++) {
      const day = data.orderDay[s]!;
      oneUnion.push(day, day + windowDays - 1);
      if (s > from) {
        const previous = data.orderDay[s - 1]!;
        if (day <= previous + windowDays - 1) twoUnion.push(day, previous + windowDays - 1);
      }
    }
    oneUnion.flush();
    twoUnion.flush();
  }
  const ones = one.counts();
  const twos = two.counts();
  return {
    windowDays,
    weekStartMs: points.weekStartMs,
    value: Array.from(ones, (n, k) => (n === 0 ? null : twos[k]! / n)),
    customers: Array.from(ones),
  };
}

import type { PreparedOrders } from '../../dataset/prepare.ts';
import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import { localDayStartMs, monthIndexOfDay, monthStartDay } from '../../time/calendar.ts';
import { assertWindowDays } from '../repeat-rate/repeat-rate.ts';

/**
 * MRR = subscribers x average revenue per subscriber per month.
 * @example mrrMinor(100, 5000) // 500000 ($5,000 from 100 subscribers paying $50)
 */
export function mrrMinor(subscribers: number, averageRevenuePerSubscriberMinor: number): number {
  if (!Number.isInteger(subscribers) || subscribers < 0) {
    throw new CoreError(CoreErrorCode.invalidArgument, `subscribers must be a whole number >= 0, got ${subscribers}.`);
  }
  return subscribers * averageRevenuePerSubscriberMinor;
}

/** MRR over one month-like span. */
export interface MrrPoint {
  /** Net revenue of counted subscription orders in the span, minor units (= subscribers x ARPS). */
  mrrMinor: number;
  /** Customers with >= 1 counted subscription order in the span. */
  subscribers: number;
  /** mrrMinor / subscribers, minor units; 0 without subscribers. */
  averageRevenuePerSubscriberMinor: number;
}

export interface Mrr {
  /** MRR now: the 30 days ending at asOf. */
  current: MrrPoint & { spanDays: 30 };
  /** Calendar months (shop time zone) ending with asOf's month, columnar for uPlot. */
  monthly: { monthStartMs: number[]; mrrMinor: number[]; subscribers: number[] };
  /** True: the last monthly point is the current month, which runs only to asOf. */
  lastMonthPartial: boolean;
}

/**
 * MRR from recurring orders (`subscription: true`, counted, attributed): for a month, the net revenue of those
 * orders, which equals subscribers x average revenue per subscriber. `current` uses the trailing 30 days so it is
 * not distorted by a partial calendar month.
 */
export function computeMrr(data: PreparedOrders, options: { months?: number } = {}): Mrr {
  const months = options.months ?? 12;
  assertWindowDays(months, 'months');
  const asOfMonth = monthIndexOfDay(data.asOfDay);
  const firstMonth = asOfMonth - months + 1;
  const firstDay = monthStartDay(firstMonth);
  const monthStarts: number[] = [];
  for (let m = 0; m <= months; m++) monthStarts.push(monthStartDay(firstMonth + m));
  const revenue = new Array<number>(months).fill(0);
  const subscribers = new Array<number>(months).fill(0);
  let currentRevenue = 0;
  let currentSubscribers = 0;
  const currentFrom = data.asOfDay - 29;
  for (let c = 0; c < data.customerKeys.length; c++) {
    let lastMonthCounted = -1;
    let countedCurrent = false;
    for (let s = data.customerStart[c]!; s < data.customerStart[c + 1]!; s++) {
      if (data.orderSubscription[s] === 0) continue;
      const day = data.orderDay[s]!;
      const net = data.orderNetMinor[s]!;
      if (day >= currentFrom) {
        currentRevenue += net;
        if (!countedCurrent) currentSubscribers++;
        countedCurrent = true;
      }
      if (day < firstDay) continue;
      let m = 0;
      while (monthStarts[m + 1]! <= day) m++;
      revenue[m]! += net;
      if (m !== lastMonthCounted) subscribers[m]!++;
      lastMonthCounted = m;
    }
  }
  return {
    current: {
      spanDays: 30,
      mrrMinor: currentRevenue,
      subscribers: currentSubscribers,
      averageRevenuePerSubscriberMinor: currentSubscribers === 0 ? 0 : currentRevenue / currentSubscribers,
    },
    monthly: {
      monthStartMs: monthStarts.slice(0, months).map((day) => localDayStartMs(day, data.timeZone)),
      mrrMinor: revenue,
      subscribers,
    },
    lastMonthPartial: true,
  };
}

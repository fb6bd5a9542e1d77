import type { PreparedOrders } from '../../dataset/prepare.ts';
import { IntervalUnion, PointCounter, weeklyPoints } from '../../dataset/weekly-points.ts';
import { pearson } from '../../stats/stats.ts';
import { localDayStartMs } from '../../time/calendar.ts';
import { assertWindowDays } from '../repeat-rate/repeat-rate.ts';

/** CLV over one lookback window. */
export interface ClvWindow {
  lookbackDays: number;
  /** Net revenue of the lookback (refunds as attributed), minor units. */
  revenueMinor: number;
  /** Customers with >= 1 counted order in the lookback. */
  activeCustomers: number;
  /** revenueMinor / activeCustomers: revenue per active customer over the lookback, minor units; 0 without any. */
  valueMinor: number;
  /**
   * Backtest: Pearson correlation, across customers known at the cutoff, between each customer's revenue in the
   * lookback ending at the cutoff and their revenue in the following horizon. Null when it cannot be computed
   * (fewer than 3 customers, or no variation).
   */
  backtestCorrelation: number | null;
}

export interface WindowedClv {
  windows: ClvWindow[];
  horizonDays: number;
  /** UTC ms of the backtest cutoff: the end of local day asOfDay - horizonDays. */
  cutoffMs: number;
  /** Customers with a first counted order on or before the cutoff day. */
  backtestCustomers: number;
  /** The merchant's baseline window: the best backtest correlation, else the default. */
  chosenLookbackDays: number;
  choice: 'backtest' | 'default-too-little-data';
}

/** Default lookbacks and horizon. */
export const WINDOWED_CLV_DEFAULTS = { lookbackDays: [30, 90, 180], horizonDays: 90, fallbackLookbackDays: 90 } as const;

/**
 * Windowed CLV: revenue per active customer over the last 30, 90 and 180 days, plus a backtest that picks the window
 * whose per-customer revenue best predicts (highest Pearson correlation) each customer's revenue in the next
 * `horizonDays`: the windows are measured at cutoff = asOf - horizon and compared with (cutoff, asOf]. Ties go to the
 * shorter window. With no usable correlation, 90 days is chosen and `choice` says so.
 */
export function computeWindowedClv(data: PreparedOrders, options: { lookbackDays?: readonly number[]; horizonDays?: number } = {}): WindowedClv {
  const lookbacks = [...(options.lookbackDays ?? WINDOWED_CLV_DEFAULTS.lookbackDays)].sort((a, b) => a - b);
  const horizonDays = options.horizonDays ?? WINDOWED_CLV_DEFAULTS.horizonDays;
  for (const l of lookbacks) assertWindowDays(l, 'lookbackDays');
  assertWindowDays(horizonDays, 'horizonDays');
  const asOfDay = data.asOfDay;
  const cutoffDay = asOfDay - horizonDays;
  const customerCount = data.customerKeys.length;
  const revenue = lookbacks.map(() => 0);
  const active = lookbacks.map(() => 0);
  // Backtest columns over customers existing at the cutoff, in customer-key order (deterministic float sums).
  const x = lookbacks.map(() => new Float64Array(customerCount));
  const y = new Float64Array(customerCount);
  let backtestCustomers = 0;
  for (let c = 0; c < customerCount; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    const lastDay = data.orderDay[to - 1]!;
    for (let k = 0; k < lookbacks.length; k++) if (lastDay > asOfDay - lookbacks[k]!) active[k]!++;
    const known = data.orderDay[from]! <= cutoffDay;
    const row = backtestCustomers;
    for (let e = data.eventStart[c]!; e < data.eventStart[c + 1]!; e++) {
      const day = data.eventDay[e]!;
      const amount = data.eventAmountMinor[e]!;
      for (let k = 0; k < lookbacks.length; k++) {
        const l = lookbacks[k]!;
        if (day > asOfDay - l) revenue[k]! += amount;
        if (known && day <= cutoffDay && day > cutoffDay - l) x[k]![row]! += amount;
      }
      if (known && day > cutoffDay) y[row]! += amount;
    }
    if (known) backtestCustomers++;
  }
  const windows = lookbacks.map((lookbackDays, k): ClvWindow => ({
    lookbackDays,
    revenueMinor: revenue[k]!,
    activeCustomers: active[k]!,
    valueMinor: active[k] === 0 ? 0 : revenue[k]! / active[k]!,
    backtestCorrelation: pearson(x[k]!.subarray(0, backtestCustomers), y.subarray(0, backtestCustomers)),
  }));
  let best: ClvWindow | null = null;
  for (const w of windows) {
    if (w.backtestCorrelation !== null && (best === null || w.backtestCorrelation > best.backtestCorrelation!)) best = w;
  }
  return {
    windows,
    horizonDays,
    cutoffMs: localDayStartMs(cutoffDay + 1, data.timeZone) - 1,
    backtestCustomers,
    chosenLookbackDays: best?.lookbackDays ?? WINDOWED_CLV_DEFAULTS.fallbackLookbackDays,
    choice: best === null ? 'default-too-little-data' : 'backtest',
  };
}

/** Weekly series of windowed CLV (revenue per active customer over the lookback ending at each point). */
export interface WindowedClvSeries {
  lookbackDays: number;
  weekStartMs: number[];
  /** Minor units; null where no customer was active. */
  valueMinor: (number | null)[];
}

/** {@link computeWindowedClv}'s value for one lookback, measured at the end of each ISO week (current: asOf). */
export function computeWindowedClvSeries(data: PreparedOrders, options: { lookbackDays: number; weeks: number }): WindowedClvSeries {
  const { lookbackDays, weeks } = options;
  assertWindowDays(lookbackDays, 'lookbackDays');
  assertWindowDays(weeks, 'weeks');
  const points = weeklyPoints(data.asOfDay, weeks, data.timeZone);
  const activeCounter = new PointCounter(points.endDay);
  const union = new IntervalUnion(activeCounter);
  const firstDay = (points.endDay[0] ?? data.asOfDay) - lookbackDays + 1;
  const span = data.asOfDay - firstDay + 1;
  const dayRevenue = new Float64Array(Math.max(0, span));
  for (let c = 0; c < data.customerKeys.length; c++) {
    for (let s = data.customerStart[c]!; s < data.customerStart[c + 1]!; s++) union.push(data.orderDay[s]!, data.orderDay[s]! + lookbackDays - 1);
    union.flush();
    for (let e = data.eventStart[c]!; e < data.eventStart[c + 1]!; e++) {
      const i = data.eventDay[e]! - firstDay;
      if (i >= 0 && i < span) dayRevenue[i]! += data.eventAmountMinor[e]!;
    }
  }
  const prefix = new Float64Array(span + 1);
  for (let i = 0; i < span; i++) prefix[i + 1] = prefix[i]! + dayRevenue[i]!;
  const active = activeCounter.counts();
  const valueMinor = Array.from(active, (n, k) => {
    if (n === 0) return null;
    const end = points.endDay[k]! - firstDay + 1;
    return (prefix[end]! - prefix[end - lookbackDays]!) / n;
  });
  return { lookbackDays, weekStartMs: points.weekStartMs, valueMinor };
}

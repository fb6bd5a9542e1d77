import type { PreparedOrders } from '../../dataset/prepare.ts';
import { IntervalUnion, PointCounter, weeklyPoints } from '../../dataset/weekly-points.ts';
import { assertWindowDays } from '../repeat-rate/repeat-rate.ts';

/** Inactivity churn at asOf for one threshold. */
export interface InactivityChurn {
  inactivityDays: number;
  /** churned / customers in [0, 1]; 0 without customers. */
  value: number;
  /** Customers whose last counted order is more than `inactivityDays` local days before asOf's day. */
  churned: number;
  /** Customers with any counted order up to asOf. */
  customers: number;
}

/**
 * Inactivity churn at asOf: the share of customers with any counted order up to asOf whose last counted order is
 * more than N days before asOf (in local calendar days: asOfDay - lastOrderDay > N).
 */
export function computeInactivityChurn(data: PreparedOrders, options: { inactivityDays: number }): InactivityChurn {
  const { inactivityDays } = options;
  assertWindowDays(inactivityDays, 'inactivityDays');
  let churned = 0;
  const customers = data.customerKeys.length;
  for (let c = 0; c < customers; c++) {
    if (data.asOfDay - data.orderDay[data.customerStart[c + 1]! - 1]! > inactivityDays) churned++;
  }
  return { inactivityDays, value: customers === 0 ? 0 : churned / customers, churned, customers };
}

/** Weekly inactivity churn for several thresholds, columnar for uPlot (x = week starts in UTC ms, ascending). */
export interface ChurnTrend {
  weekStartMs: number[];
  inactivityDays: number[];
  /** One series per threshold, same order as `inactivityDays`; null before the first customer. */
  values: (number | null)[][];
}

/**
 * Inactivity churn measured at the end of each ISO week (current week: asOf's day): among customers whose first
 * counted order is on or before that day, the share with no counted order in the N days up to it.
 */
export function computeChurnTrend(data: PreparedOrders, options: { weeks: number; inactivityDays: number[] }): ChurnTrend {
  assertWindowDays(options.weeks, 'weeks');
  for (const n of options.inactivityDays) assertWindowDays(n, 'inactivityDays');
  const points = weeklyPoints(data.asOfDay, options.weeks, data.timeZone);
  const existing = new PointCounter(points.endDay);
  const counters = options.inactivityDays.map(() => new PointCounter(points.endDay));
  const unions = counters.map((counter) => new IntervalUnion(counter));
  const farFuture = data.asOfDay + 1;
  for (let c = 0; c < data.customerKeys.length; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    existing.add(data.orderDay[from]!, farFuture);
    for (let k = 0; k < unions.length; k++) {
      const n = options.inactivityDays[k]!;
      const union = unions[k]!;
      for (let s = from; s < to; s++) union.push(data.orderDay[s]!, data.orderDay[s]! + n);
      union.flush();
    }
  }
  const existingCounts = existing.counts();
  return {
    weekStartMs: points.weekStartMs,
    inactivityDays: options.inactivityDays,
    values: counters.map((counter) => {
      const active = counter.counts();
      return Array.from(existingCounts, (total, k) => (total === 0 ? null : 1 - active[k]! / total));
    }),
  };
}

/** Outcome of the churn alert rule. */
export interface ChurnAlert {
  status: 'alert' | 'normal' | 'insufficient-data';
  /** 'up' when churn rose above the baseline band, 'down' when it fell below; null otherwise. */
  direction: 'up' | 'down' | null;
  latest: number | null;
  baselineMean: number | null;
  baselineStdDev: number | null;
  /** The rule, in words, for display. */
  rule: string;
}

/** Defaults of {@link detectChurnAlert}. */
export const CHURN_ALERT_DEFAULTS = { baselineWeeks: 8, minBaselinePoints: 4, sigmas: 2, minDelta: 0.02 } as const;

/**
 * Alert rule: compare the latest weekly value with the mean and standard deviation (population) of the preceding
 * `baselineWeeks` values (nulls ignored). Alert when |latest - mean| > max(sigmas x sd, minDelta); fewer than
 * `minBaselinePoints` baseline values gives `insufficient-data`. The absolute floor `minDelta` (2 points) keeps a
 * perfectly flat baseline (sd = 0) from alerting on noise.
 */
export function detectChurnAlert(series: readonly (number | null)[], options: Partial<typeof CHURN_ALERT_DEFAULTS> = {}): ChurnAlert {
  const { baselineWeeks, minBaselinePoints, sigmas, minDelta } = { ...CHURN_ALERT_DEFAULTS, ...options };
  const rule = `alert when the latest week differs from the mean of the previous ${baselineWeeks} weeks by more than max(${sigmas} standard deviations, ${minDelta * 100} points)`;
  const latest = series.length === 0 ? null : series[series.length - 1]!;
  const baseline = series.slice(Math.max(0, series.length - 1 - baselineWeeks), series.length - 1).filter((v): v is number => v !== null);
  if (latest === null || baseline.length < minBaselinePoints) {
    return { status: 'insufficient-data', direction: null, latest, baselineMean: null, baselineStdDev: null, rule };
  }
  const mean = baseline.reduce((a, b) => a + b, 0) / baseline.length;
  const sd = Math.sqrt(baseline.reduce((a, b) => a + (b - mean) ** 2, 0) / baseline.length);
  const delta = latest - mean;
  const alert = Math.abs(delta) > Math.max(sigmas * sd, minDelta);
  return {
    status: alert ? 'alert' : 'normal',
    direction: alert ? (delta > 0 ? 'up' : 'down') : null,
    latest,
    baselineMean: mean,
    baselineStdDev: sd,
    rule,
  };
}

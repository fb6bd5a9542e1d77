import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import { DAYS_PER_TIME_UNIT } from '../btyd-summary/btyd-summary.ts';
import type { CountedOrder, CustomerSummaries } from '../btyd-summary/btyd-summary.ts';
import { localDayNumber } from '../../time/calendar.ts';
import { DAY_MS } from '../../time/zone-offsets.ts';

/**
 * litt per customer of `summaries` (BTYDplus `elog2cbs`): Σ ln(gap) over the gaps between consecutive distinct purchase
 * days up to the calibration end, each gap in the summaries' time unit (days / 7 for weeks). 0 for x = 0. Purchase
 * days are bucketed exactly as `summarizeOrders` does (same zone, several orders on one day count once), so the gaps
 * of customer i add up to its t_x. `orders` must be the orders the summaries were built from; throws
 * `CoreError('invalid-argument')` when a customer's gaps do not add up to its recency.
 * @example fitMbgCnbdK({ frequency: s.frequency, recency: s.recency, age: s.age, logIntervalSum: computeLogIntervalSums(orders, s) })
 */
export function computeLogIntervalSums(orders: readonly CountedOrder[], summaries: CustomerSummaries): Float64Array {
  const n = summaries.customerKeys.length;
  const indexOfKey = new Map<string, number>();
  summaries.customerKeys.forEach((key, i) => indexOfKey.set(key, i));
  const utc = summaries.timeZone === 'UTC';
  const days: number[][] = Array.from({ length: n }, () => []);
  for (const order of orders) {
    const i = indexOfKey.get(order.customerKey);
    if (i === undefined || order.placedAtMs > summaries.calibrationEndMs) continue;
    days[i]!.push(utc ? Math.floor(order.placedAtMs / DAY_MS) : localDayNumber(order.placedAtMs, summaries.timeZone));
  }
  const daysPerUnit = DAYS_PER_TIME_UNIT[summaries.timeUnit];
  const litt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sorted = days[i]!.sort((p, q) => p - q);
    let sum = 0;
    let span = 0;
    for (let j = 1; j < sorted.length; j++) {
      const gap = sorted[j]! - sorted[j - 1]!;
      if (gap === 0) continue;
      sum += Math.log(gap / daysPerUnit);
      span += gap;
    }
    if (span !== summaries.recencyDays[i]) {
      throw new CoreError(
        CoreErrorCode.invalidArgument,
        `Customer ${summaries.customerKeys[i]}: purchase-day gaps add up to ${span} days but the summary's recency is ${summaries.recencyDays[i]}; pass the orders the summaries were built from.`,
      );
    }
    litt[i] = sum;
  }
  return litt;
}

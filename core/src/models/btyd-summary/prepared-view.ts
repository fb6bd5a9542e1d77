import type { PreparedOrders } from '../../dataset/prepare.ts';
import { DAYS_PER_TIME_UNIT, type CustomerSummaries, type TimeUnit } from './btyd-summary.ts';

/**
 * The frequency/recency view of a prepared dataset: (x, t_x, T, m) per customer at the dataset's as-of, read from the
 * orders `prepareOrders` already grouped by customer and sorted by time, instead of grouping them again. Per customer
 * it equals `summarizeOrders(counted orders, { calibrationEndMs: asOfMs, timeZone, timeUnit })` (same-day orders count
 * once; clv-models.md §2); customers come in the dataset's order (keys ascending) rather than by first appearance.
 * The dataset holds no orders after its as-of: `ordersAfterEnd` is its count of orders after as-of (any status) and
 * `customersFirstSeenLater` is 0. Order values are the prepared net values (order-date attribution).
 */
export function summarizePrepared(data: PreparedOrders, timeUnit: TimeUnit = 'day'): CustomerSummaries {
  const n = data.customerKeys.length;
  const daysPerUnit = DAYS_PER_TIME_UNIT[timeUnit];
  const endDay = data.asOfDay;
  const frequency = new Int32Array(n);
  const recencyDays = new Int32Array(n);
  const ageDays = new Int32Array(n);
  const recency = new Float64Array(n);
  const age = new Float64Array(n);
  const monetaryValueMinor = new Float64Array(n);
  const firstDayValueMinor = new Float64Array(n);
  const firstOrderAtMs = new Float64Array(n);
  const lastOrderAtMs = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    const firstDay = data.orderDay[from]!;
    let distinct = 0;
    let prevDay = Number.NaN;
    let firstSum = 0;
    let repeatSum = 0;
    for (let s = from; s < to; s++) {
      const day = data.orderDay[s]!;
      if (day !== prevDay) {
        distinct++;
        prevDay = day;
      }
      if (day === firstDay) firstSum += data.orderNetMinor[s]!;
      else repeatSum += data.orderNetMinor[s]!;
    }
    const x = distinct - 1;
    frequency[c] = x;
    recencyDays[c] = prevDay - firstDay;
    ageDays[c] = endDay - firstDay;
    recency[c] = recencyDays[c]! / daysPerUnit;
    age[c] = ageDays[c]! / daysPerUnit;
    monetaryValueMinor[c] = x > 0 ? repeatSum / x : 0;
    firstDayValueMinor[c] = firstSum;
    firstOrderAtMs[c] = data.orderAtMs[from]!;
    lastOrderAtMs[c] = data.orderAtMs[to - 1]!;
  }
  return {
    timeUnit,
    timeZone: data.timeZone,
    calibrationEndMs: data.asOfMs,
    endDay,
    customerKeys: data.customerKeys,
    frequency,
    recencyDays,
    ageDays,
    recency,
    age,
    monetaryValueMinor,
    firstDayValueMinor,
    firstOrderAtMs,
    lastOrderAtMs,
    holdout: null,
    ordersAfterEnd: data.counts.afterAsOf,
    customersFirstSeenLater: 0,
  };
}

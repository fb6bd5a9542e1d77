import type { PreparedOrders } from '../../dataset/prepare.ts';
import { quantileSorted } from '../../stats/stats.ts';
import { DAY_MS } from '../../time/zone-offsets.ts';

/** Upper bounds (days, inclusive) of the histogram buckets; the last bucket is everything above 365. */
export const GAP_BUCKET_UPPER_DAYS = [7, 14, 30, 60, 90, 180, 365] as const;

/** Distribution of the gap between the nth and (n+1)th counted order, in days (fractional). */
export interface GapDistribution {
  /** 1 for 1st -> 2nd order, 2 for 2nd -> 3rd. */
  fromOrder: number;
  /** Customers who reached the (n+1)th order. */
  customers: number;
  meanDays: number | null;
  p25Days: number | null;
  medianDays: number | null;
  p75Days: number | null;
  /** Counts per bucket of GAP_BUCKET_UPPER_DAYS, plus a last bucket for > 365 days. */
  histogram: number[];
}

export interface TimeBetweenOrders {
  bucketUpperDays: readonly number[];
  firstToSecond: GapDistribution;
  secondToThird: GapDistribution;
}

/**
 * Time between orders: days from each customer's 1st to 2nd and 2nd to 3rd counted order (exact elapsed time / 24 h),
 * summarised by mean, quartiles (linear interpolation) and Lifetimely-style buckets.
 */
export function computeTimeBetweenOrders(data: PreparedOrders): TimeBetweenOrders {
  const gaps = [new Float64Array(data.customerKeys.length), new Float64Array(data.customerKeys.length)];
  const counts = [0, 0];
  for (let c = 0; c < data.customerKeys.length; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    for (let n = 0; n < 2 && from + n + 1 < to; n++) {
      gaps[n]![counts[n]!++] = (data.orderAtMs[from + n + 1]! - data.orderAtMs[from + n]!) / DAY_MS;
    }
  }
  return {
    bucketUpperDays: GAP_BUCKET_UPPER_DAYS,
    firstToSecond: describeGaps(1, gaps[0]!.subarray(0, counts[0]!)),
    secondToThird: describeGaps(2, gaps[1]!.subarray(0, counts[1]!)),
  };
}

function describeGaps(fromOrder: number, gaps: Float64Array): GapDistribution {
  const sorted = gaps.sort();
  const histogram = new Array<number>(GAP_BUCKET_UPPER_DAYS.length + 1).fill(0);
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) {
    const gap = sorted[i]!;
    sum += gap;
    let b = 0;
    while (b < GAP_BUCKET_UPPER_DAYS.length && gap > GAP_BUCKET_UPPER_DAYS[b]!) b++;
    histogram[b]!++;
  }
  return {
    fromOrder,
    customers: sorted.length,
    meanDays: sorted.length === 0 ? null : sum / sorted.length,
    p25Days: quantileSorted(sorted, 0.25),
    medianDays: quantileSorted(sorted, 0.5),
    p75Days: quantileSorted(sorted, 0.75),
    histogram,
  };
}

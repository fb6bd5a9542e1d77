import type { RfmSegmentV1 } from '../../api/v1.ts';
import type { PreparedOrders } from '../../dataset/prepare.ts';

/** Shopify's RFM segment names (`CustomerStatistics.rfmGroup`, minus PROSPECTS: customers without orders). */
export type RfmSegment = RfmSegmentV1;

/**
 * The documented segment table. Rows: recency score R (5 = most recent); columns: FM = round((F + M) / 2), the mean
 * of the frequency and monetary scores, rounded half up. Shopify does not publish its cut-offs, so this grid follows
 * the usual R x FM reading of its qualitative definitions:
 *
 * | R \ FM | 1               | 2               | 3               | 4                | 5                |
 * |--------|-----------------|-----------------|-----------------|------------------|------------------|
 * | 5      | NEW             | ACTIVE          | ACTIVE          | CHAMPIONS        | CHAMPIONS        |
 * | 4      | PROMISING       | ACTIVE          | ACTIVE          | LOYAL            | CHAMPIONS        |
 * | 3      | NEEDS_ATTENTION | NEEDS_ATTENTION | NEEDS_ATTENTION | LOYAL            | LOYAL            |
 * | 2      | ALMOST_LOST     | ALMOST_LOST     | AT_RISK         | AT_RISK          | AT_RISK          |
 * | 1      | DORMANT         | DORMANT         | ALMOST_LOST     | PREVIOUSLY_LOYAL | PREVIOUSLY_LOYAL |
 */
export const RFM_SEGMENT_TABLE: readonly (readonly RfmSegment[])[] = [
  ['DORMANT', 'DORMANT', 'ALMOST_LOST', 'PREVIOUSLY_LOYAL', 'PREVIOUSLY_LOYAL'],
  ['ALMOST_LOST', 'ALMOST_LOST', 'AT_RISK', 'AT_RISK', 'AT_RISK'],
  ['NEEDS_ATTENTION', 'NEEDS_ATTENTION', 'NEEDS_ATTENTION', 'LOYAL', 'LOYAL'],
  ['PROMISING', 'ACTIVE', 'ACTIVE', 'LOYAL', 'CHAMPIONS'],
  ['NEW', 'ACTIVE', 'ACTIVE', 'CHAMPIONS', 'CHAMPIONS'],
];

/** All ten segment names, in the order of Shopify's RFM report. */
export const RFM_SEGMENTS: readonly RfmSegment[] = [
  'CHAMPIONS', 'LOYAL', 'ACTIVE', 'NEEDS_ATTENTION', 'PROMISING', 'NEW', 'AT_RISK', 'PREVIOUSLY_LOYAL', 'ALMOST_LOST', 'DORMANT',
];

/** Segment of scores R, F, M (each 1-5) by {@link RFM_SEGMENT_TABLE}. */
export function rfmSegmentOf(recencyScore: number, frequencyScore: number, monetaryScore: number): RfmSegment {
  const fm = Math.floor((frequencyScore + monetaryScore + 1) / 2);
  return RFM_SEGMENT_TABLE[recencyScore - 1]![fm - 1]!;
}

/** RFM scores per customer, in the dataset's customer order (customer keys ascending). */
export interface RfmScores {
  recencyScore: Uint8Array;
  frequencyScore: Uint8Array;
  monetaryScore: Uint8Array;
  segment: RfmSegment[];
}

/**
 * Scores each customer 1-5 on recency (days since last counted order, fewer is better), frequency (counted orders)
 * and monetary value (historic CLV), by quintile within the shop: score = 1 + floor(5 x share of customers with a
 * strictly worse value), so tied customers share a score and a shop where everyone is equal scores everyone 1.
 */
export function scoreRfm(data: PreparedOrders): RfmScores {
  const count = data.customerKeys.length;
  const recency = new Float64Array(count);
  const frequency = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    recency[c] = data.asOfDay - data.orderDay[to - 1]!;
    frequency[c] = to - from;
  }
  const monetary = data.customerNetMinor;
  const recencyScore = quintileScores(recency, false);
  const frequencyScore = quintileScores(frequency, true);
  const monetaryScore = quintileScores(monetary, true);
  const segment: RfmSegment[] = new Array<RfmSegment>(count);
  for (let c = 0; c < count; c++) segment[c] = rfmSegmentOf(recencyScore[c]!, frequencyScore[c]!, monetaryScore[c]!);
  return { recencyScore, frequencyScore, monetaryScore, segment };
}

function quintileScores(values: Float64Array, higherIsBetter: boolean): Uint8Array {
  const n = values.length;
  const sorted = values.slice().sort();
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const worse = higherIsBetter ? lowerBound(sorted, v) : n - upperBound(sorted, v);
    out[i] = Math.min(5, 1 + Math.floor((5 * worse) / n));
  }
  return out;
}

function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Customers per segment (all ten names present, zero when empty). */
export function countRfmSegments(scores: RfmScores): Record<RfmSegment, number> {
  const counts = Object.fromEntries(RFM_SEGMENTS.map((s) => [s, 0])) as Record<RfmSegment, number>;
  for (const s of scores.segment) counts[s]++;
  return counts;
}

import type { ThrottleStatus } from '../shopify/graphql.ts';

/**
 * Shopify's GraphQL cost model for the metafield sync (shopify.dev "GraphQL Admin API rate limits"): a mutation field
 * costs 10 points in place of its payload object, plus what the payload selects; the sync selects only `userErrors` (a
 * list, counted as one object before the answer), so a `metafieldsSet` call is requested
 * at 11 points and charged 10 when it succeeds.
 */
export const METAFIELDS_SET_REQUESTED_COST = 11;
export const METAFIELDS_SET_ACTUAL_COST = 10;

/** Points in the bucket at `nowMs`, from the last reported status (it refills at `restoreRate` points per second). */
export function availableAt(bucket: ThrottleStatus & { atMs: number }, nowMs: number): number {
  const elapsedS = Math.max(0, nowMs - bucket.atMs) / 1000;
  return Math.min(bucket.maximumAvailable, bucket.currentlyAvailable + elapsedS * bucket.restoreRate);
}

/**
 * Milliseconds to wait before sending a request of `cost` points while `reserved` points are in flight (sent, not yet
 * answered, so not yet in the reported status). 0 when the bucket holds enough now.
 */
export function waitMsFor(bucket: (ThrottleStatus & { atMs: number }) | null, nowMs: number, cost: number, reserved: number): number {
  if (bucket === null) return 0;
  const free = availableAt(bucket, nowMs) - reserved;
  const need = Math.min(cost, bucket.maximumAvailable);
  return free >= need ? 0 : Math.ceil(((need - free) / bucket.restoreRate) * 1000);
}

/**
 * How many calls to keep in flight so the restore rate, not the round trip, bounds the sync: restoreRate / cost calls
 * per second times an assumed 0.3 s round trip, between 1 and 32. Standard plan (100 points/s): 3; Plus (1000): 30.
 */
export function callsInFlightFor(restoreRate: number, costPerCall: number = METAFIELDS_SET_ACTUAL_COST, roundTripS = 0.3): number {
  return Math.max(1, Math.min(32, Math.ceil((restoreRate / costPerCall) * roundTripS)));
}

/**
 * Seconds a sync of `calls` calls takes at Shopify's limits from a full bucket: the bucket pays for the first
 * calls at once, the rest are paid at the restore rate. Ignores round trips (they overlap, see {@link callsInFlightFor}).
 * @example modeledSyncSeconds({ calls: 40_000, costPerCall: 10, bucketSize: 2_000, restoreRate: 100 }) // 3980
 */
export function modeledSyncSeconds(input: { calls: number; costPerCall: number; bucketSize: number; restoreRate: number }): number {
  const points = input.calls * input.costPerCall;
  return Math.max(0, points - input.bucketSize) / input.restoreRate;
}

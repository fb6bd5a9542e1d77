import type { ThrottleStatus } from '../shopify/graphql.ts';

/**
 * Shopify's GraphQL cost model for the metafield sync (shopify.dev "GraphQL Admin API rate limits"): a mutation field
 * costs 10 points in place of its payload object, plus what the payload selects; the sync selects only `userErrors` (a
 * list, counted as one object before the answer), so a `metafieldsSet` call is requested
 * at 11 points and charged 10 when it succeeds.
 */
export const METAFIELDS_SET_REQUESTED_COST = 11;
export const METAFIELDS_SET_ACTUAL_COST = 10;

/** The most a single GraphQL query may cost (Shopify's `MAX_COST_EXCEEDED` above it). */
const MAX_SINGLE_QUERY_COST = 1000;

/**
 * Points the metafield sync leaves in the shop's bucket for the app's other calls: half the bucket, at most the cost of
 * Shopify's largest single query (1,000 of the Standard plan's 2,000). The sync writes at the restore rate for as long
 * as a first sync takes (tens of minutes on a large shop) and spent the bucket down to nothing, so any call needing
 * more points at once than its 11 (a reconciliation page requests 982) was answered THROTTLED until the sync ended,
 * and failed after 8 tries. Holding the reserve back costs a first sync `reserve / restoreRate` seconds (10 s on the
 * Standard plan) and nothing after: once the bucket is down to the reserve, the sync runs at the restore rate as before.
 */
export function backgroundReserve(bucket: Pick<ThrottleStatus, 'maximumAvailable'>): number {
  return Math.min(MAX_SINGLE_QUERY_COST, Math.floor(bucket.maximumAvailable / 2));
}

/** Points in the bucket at `nowMs`, from the last reported status (it refills at `restoreRate` points per second). */
export function availableAt(bucket: ThrottleStatus & { atMs: number }, nowMs: number): number {
  const elapsedS = Math.max(0, nowMs - bucket.atMs) / 1000;
  return Math.min(bucket.maximumAvailable, bucket.currentlyAvailable + elapsedS * bucket.restoreRate);
}

/**
 * Milliseconds a background call of `cost` points waits before it is sent while `inFlight` points are in flight (sent,
 * not yet answered, so not yet in the reported status), so that the bucket keeps its {@link backgroundReserve} after
 * it. 0 when the bucket holds enough now.
 */
export function waitMsFor(bucket: (ThrottleStatus & { atMs: number }) | null, nowMs: number, cost: number, inFlight: number): number {
  if (bucket === null) return 0;
  const free = availableAt(bucket, nowMs) - inFlight - backgroundReserve(bucket);
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
 * Seconds a sync of `calls` calls takes at Shopify's limits from a full bucket: the bucket above its
 * {@link backgroundReserve} pays for the first calls at once, the rest are paid at the restore rate. Ignores round trips
 * (they overlap, see {@link callsInFlightFor}).
 * @example modeledSyncSeconds({ calls: 40_000, costPerCall: 10, bucketSize: 2_000, restoreRate: 100 }) // 3990
 */
export function modeledSyncSeconds(input: { calls: number; costPerCall: number; bucketSize: number; restoreRate: number }): number {
  const points = input.calls * input.costPerCall;
  const burst = input.bucketSize - backgroundReserve({ maximumAvailable: input.bucketSize });
  return Math.max(0, points - burst) / input.restoreRate;
}

import type { FakeContext } from './context.ts';
import type { ShopStore } from './shop-store.ts';

/** A shop's leaky bucket as `extensions.cost.throttleStatus` reports it. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** Requests, throttled answers and actual cost points of one shop since start. */
export interface GraphqlUsage {
  requests: number;
  throttled: number;
  actualCostPoints: number;
}

/**
 * Cost-based throttling (shopify-platform.md, rate limits): each shop has a bucket of its plan's size that refills at
 * the plan's restore rate (times `throttleTimeScale`, for benchmarks), and the usage counters a benchmark reports.
 */
export interface Throttle {
  /** Refills the shop's bucket up to now. */
  refresh(s: ShopStore): void;
  status(s: ShopStore): ThrottleStatus;
  /** Sets the points left now (as if another client of the app had just spent the rest). */
  setAvailable(s: ShopStore, points: number): void;
  /** The shop's live usage counters (mutated by the GraphQL route). */
  usageOf(s: ShopStore): GraphqlUsage;
}

export function createThrottle(ctx: FakeContext): Throttle {
  const { clock } = ctx;
  const throttleTimeScale = ctx.options.throttleTimeScale ?? 1;
  const usage = new Map<string, GraphqlUsage>();

  function refresh(s: ShopStore): void {
    const now = clock.nowMs();
    const restored = ((now - s.bucketAtMs) / 1000) * s.shop.plan.restoreRatePerSecond * throttleTimeScale;
    s.bucketAvailable = Math.min(s.shop.plan.bucketSize, s.bucketAvailable + restored);
    s.bucketAtMs = now;
  }

  return {
    refresh,
    status(s) {
      refresh(s);
      return {
        maximumAvailable: s.shop.plan.bucketSize,
        currentlyAvailable: Math.floor(s.bucketAvailable),
        restoreRate: s.shop.plan.restoreRatePerSecond,
      };
    },
    setAvailable(s, points) {
      s.bucketAvailable = Math.min(points, s.shop.plan.bucketSize);
      s.bucketAtMs = clock.nowMs();
    },
    usageOf(s) {
      let u = usage.get(s.shop.domain);
      if (u === undefined) usage.set(s.shop.domain, (u = { requests: 0, throttled: 0, actualCostPoints: 0 }));
      return u;
    },
  };
}

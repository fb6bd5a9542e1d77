import type { Clock } from '../../log.ts';

/** Spaces out calls per key (a shop): a token bucket of `burst` tokens refilled at `ratePerSecond`. */
export interface RateLimiter {
  /** Resolves when a call for `key` may go; takes one token. Calls for one key are served in order. */
  take(key: string): Promise<void>;
}

/**
 * A token-bucket limiter, per key, in this process. The Flow sender runs one job per shop at a time (a stately
 * pg-boss queue), so a per-process bucket is the shop's bucket.
 * @example createRateLimiter({ ratePerSecond: 5, burst: 10, clock, sleep })
 */
export function createRateLimiter(options: { ratePerSecond: number; burst: number; clock: Clock; sleep: (ms: number) => Promise<void> }): RateLimiter {
  const { ratePerSecond, burst, clock, sleep } = options;
  if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
  if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`burst must be an integer >= 1, got ${burst}`);
  const buckets = new Map<string, { tokens: number; atMs: number; queue: Promise<void> }>();
  return {
    take(key) {
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = { tokens: burst, atMs: clock.now(), queue: Promise.resolve() }));
      const bucket = b;
      const turn = bucket.queue.then(async () => {
        const now = clock.now();
        bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.atMs) / 1000) * ratePerSecond);
        bucket.atMs = now;
        if (bucket.tokens < 1) {
          const waitMs = Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000);
          await sleep(waitMs);
          bucket.tokens += (waitMs / 1000) * ratePerSecond;
          bucket.atMs += waitMs;
        }
        bucket.tokens -= 1;
      });
      bucket.queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

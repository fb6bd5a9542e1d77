/** The fake's notion of "now": real time plus an offset that tests can advance (token expiry, session tokens). */
export interface FakeClock {
  /** Current time, UTC epoch ms. */
  nowMs(): number;
  /** Moves "now" forward by `ms` milliseconds. */
  advance(ms: number): void;
}

export function createClock(base: () => number = Date.now): FakeClock {
  let offsetMs = 0;
  return {
    nowMs: () => base() + offsetMs,
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a finite ms >= 0, got ${ms}`);
      offsetMs += ms;
    },
  };
}

/** Shopify's `DateTime` form: ISO 8601 UTC without milliseconds (`2026-01-02T03:04:05Z`). */
export function isoDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * When a customer's next order is expected, UTC ms: the last counted order plus the usual gap between orders; null
 * without a gap (one order and no shop-wide gap to fall back on). The one rule behind every "next order" date core
 * gives: `CustomerSummary` passes the customer's mean gap between orders, churn risk the mean gap between purchase
 * days (or the shop's typical gap for a one-time buyer).
 * @example expectedNextOrderAtMs(lastOrderAtMs, 30 * DAY_MS)
 */
export function expectedNextOrderAtMs(lastOrderAtMs: number, gapMs: number | null): number | null {
  return gapMs === null ? null : lastOrderAtMs + gapMs;
}

/** True when the expected next order (see {@link expectedNextOrderAtMs}) is before `asOfMs`; false without one. */
export function isOverdue(nextOrderAtMs: number | null, asOfMs: number): boolean {
  return nextOrderAtMs !== null && asOfMs > nextOrderAtMs;
}

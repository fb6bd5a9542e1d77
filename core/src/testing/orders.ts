// Test-only builders (not exported from the package).
import type { OrderRecord } from '../orders/order.ts';

let sequence = 0;

/** A counted USD order of `netMinor` for `customerId` placed at `isoDate` (UTC noon unless a time is given). */
export function order(customerId: string | null, isoDate: string, netMinor: number, extra: Partial<OrderRecord> = {}): OrderRecord {
  sequence++;
  const placedAtMs = Date.parse(isoDate.length === 10 ? `${isoDate}T12:00:00Z` : isoDate);
  return {
    orderId: `o${sequence}`,
    customerId,
    email: null,
    placedAtMs,
    currency: 'USD',
    totalMinor: netMinor,
    refundedMinor: 0,
    cancelled: false,
    test: false,
    subscription: false,
    ...extra,
  };
}

/** End of a UTC date, as `--as-of` means it. */
export function endOfUtcDay(isoDate: string): number {
  return Date.parse(`${isoDate}T23:59:59.999Z`);
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

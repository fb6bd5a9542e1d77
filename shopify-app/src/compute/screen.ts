import type { OrderRecord } from '@clvlens/core';

/**
 * The stored orders core can count, and the others with the reason: another currency than the shop's (or, while the
 * shop's is unknown, than the first order's), a negative or non-integer amount, a non-finite date. Ingest refuses such
 * orders already; this keeps one that got in anyway (older data, a path that missed the check) from failing every
 * recompute of the shop, since core throws on them.
 */
export function screenOrderRecords(
  records: readonly OrderRecord[],
  shopCurrency: string | null,
): { kept: OrderRecord[]; rejected: { orderId: string; reason: string }[] } {
  const currency = shopCurrency ?? records[0]?.currency ?? null;
  const kept: OrderRecord[] = [];
  const rejected: { orderId: string; reason: string }[] = [];
  for (const r of records) {
    const reason =
      currency !== null && r.currency !== currency
        ? `order ${r.orderId} is in ${r.currency}, the shop's currency is ${currency}`
        : !Number.isFinite(r.placedAtMs)
          ? `order ${r.orderId} has no valid date`
          : !Number.isSafeInteger(r.totalMinor) || r.totalMinor < 0
            ? `order ${r.orderId} has a negative or invalid total (${r.totalMinor})`
            : !Number.isSafeInteger(r.refundedMinor) || r.refundedMinor < 0
              ? `order ${r.orderId} has a negative or invalid refunded total (${r.refundedMinor})`
              : (r.refunds ?? []).some((f) => !Number.isSafeInteger(f.amountMinor) || f.amountMinor < 0 || !Number.isFinite(f.refundedAtMs))
                ? `order ${r.orderId} has a refund with a negative or invalid amount`
                : null;
    if (reason === null) kept.push(r);
    else rejected.push({ orderId: r.orderId, reason });
  }
  return { kept, rejected };
}

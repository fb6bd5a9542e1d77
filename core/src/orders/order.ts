import { CoreError, CoreErrorCode } from '../errors/core-error.ts';

/**
 * One order as every consumer (CLI, Shopify app, tests) feeds it to core. Shared contract: fields may be added as
 * optional, never renamed (team notes). Amounts are integer minor units of `currency`, the shop currency.
 */
export interface OrderRecord {
  /** Shopify numeric id or order name; unique per shop. */
  orderId: string;
  /** Shopify numeric customer id as a decimal string; null for guest checkouts. */
  customerId: string | null;
  /** Used, lower-cased, as the customer identity when `customerId` is null. */
  email: string | null;
  /** When the order was placed: UTC epoch ms (Shopify `processedAt`, else `createdAt`). */
  placedAtMs: number;
  /** ISO 4217 code of the amounts below (the shop currency, Shopify `shopMoney`). */
  currency: string;
  /** Total price, minor units. */
  totalMinor: number;
  /** Sum of refunds on this order, minor units (0 when none). */
  refundedMinor: number;
  /** Optional refund detail, used only when refunds are attributed to the refund date. */
  refunds?: { refundedAtMs: number; amountMinor: number }[];
  cancelled: boolean;
  test: boolean;
  /** A recurring (subscription) order: counted in MRR. */
  subscription: boolean;
}

/**
 * Why an order is not counted. A counted order is not a test, not cancelled and not refunded in full. A free order
 * (total 0, nothing refunded) is counted: it is a purchase, as Shopify's admin counts it and as the transaction
 * models (BG/NBD and kin, fitted on CDNOW with its $0 purchases) need it; it adds 0 to revenue.
 */
export const OrderSkipReason = {
  test: 'test',
  cancelled: 'cancelled',
  /** Refunds reach the total (refunds > 0 and total - refunds <= 0): the purchase was undone. */
  refunded: 'refunded',
} as const;
export type OrderSkipReason = (typeof OrderSkipReason)[keyof typeof OrderSkipReason];

/** Net value of an order: total minus refunds, minor units. */
export function orderNetMinor(order: OrderRecord): number {
  return order.totalMinor - order.refundedMinor;
}

/**
 * Why `order` is not counted, or null when it is counted. Checked in this order: test, cancelled, refunded in full,
 * so each skipped order has exactly one reason.
 */
export function orderSkipReason(order: OrderRecord): OrderSkipReason | null {
  if (order.test) return OrderSkipReason.test;
  if (order.cancelled) return OrderSkipReason.cancelled;
  if (order.refundedMinor > 0 && order.totalMinor - order.refundedMinor <= 0) return OrderSkipReason.refunded;
  return null;
}

/** A counted order: not a test order, not cancelled, not refunded in full (free orders count, see {@link OrderSkipReason}). */
export function isCountedOrder(order: OrderRecord): boolean {
  return orderSkipReason(order) === null;
}

/**
 * Customer identity of an order: the Shopify customer id; else the trimmed, lower-cased email; else null
 * (an unattributed order, excluded from customer metrics). Numeric ids never contain `@`, so the two kinds of key
 * cannot collide. A customer who checks out once as a guest and once logged in counts as two customers, as in Shopify.
 */
export function customerKeyOf(order: OrderRecord): string | null {
  const id = order.customerId;
  if (id !== null && id !== '') return id;
  const email = order.email;
  if (email !== null) {
    const key = email.trim().toLowerCase();
    if (key !== '') return key;
  }
  return null;
}

/**
 * Throws `CoreError('invalid-order')` naming the order and field when a record breaks the contract (non-finite
 * time, non-integer amounts, negative refund). Callers parse and validate at the edge; this guards core's maths.
 */
export function assertOrderRecord(order: OrderRecord, index: number): void {
  // Hot path (once per order): plain checks, message built only on failure.
  const refunds = order.refunds;
  if (
    Number.isFinite(order.placedAtMs) &&
    Number.isSafeInteger(order.totalMinor) &&
    Number.isSafeInteger(order.refundedMinor) &&
    order.refundedMinor >= 0 &&
    (refunds === undefined || refunds.length === 0)
  ) {
    return;
  }
  const where = `order #${index} (orderId ${JSON.stringify(order.orderId)})`;
  if (!Number.isFinite(order.placedAtMs)) {
    throw new CoreError(CoreErrorCode.invalidOrder, `${where}: placedAtMs must be finite UTC epoch ms, got ${order.placedAtMs}.`);
  }
  if (!Number.isSafeInteger(order.totalMinor)) {
    throw new CoreError(CoreErrorCode.invalidOrder, `${where}: totalMinor must be an integer in minor units, got ${order.totalMinor}.`);
  }
  if (!Number.isSafeInteger(order.refundedMinor) || order.refundedMinor < 0) {
    throw new CoreError(CoreErrorCode.invalidOrder, `${where}: refundedMinor must be a non-negative integer, got ${order.refundedMinor}.`);
  }
  for (const refund of refunds ?? []) {
    if (!Number.isFinite(refund.refundedAtMs) || !Number.isSafeInteger(refund.amountMinor) || refund.amountMinor < 0) {
      throw new CoreError(CoreErrorCode.invalidOrder, `${where}: refunds[] entries need finite refundedAtMs and a non-negative integer amountMinor.`);
    }
  }
}

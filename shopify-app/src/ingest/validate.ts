import type { Kysely } from 'kysely';
import type { DB, QuarantinedRecordsTable } from '../db/schema.ts';
import type { StoredOrder } from './order.ts';
import type { PiiProtector } from './pii.ts';

/**
 * Why an order that parsed cannot be counted, or null when it can: the shop's analytics add amounts of one currency
 * only and never a negative amount, so one such order would make every recompute of the shop fail.
 * @param shopCurrency the shop's currency from Shopify, or null while it is not known yet.
 */
export function orderProblem(order: StoredOrder, shopCurrency: string | null): string | null {
  if (shopCurrency !== null && order.currency !== shopCurrency) {
    return `order ${order.orderId} is in ${order.currency}, the shop's currency is ${shopCurrency}`;
  }
  if (order.totalMinor < 0) return `order ${order.orderId} has a negative total (${order.totalMinor} minor units)`;
  if (order.refundedMinor < 0) return `order ${order.orderId} has a negative refunded total (${order.refundedMinor} minor units)`;
  for (const refund of order.refunds) {
    if (refund.amountMinor < 0) return `refund ${refund.refundId} of order ${order.orderId} has a negative amount (${refund.amountMinor} minor units)`;
  }
  return null;
}

/** Records a refused record with its reason for the merchant (once per record; a later refusal updates it). */
export async function quarantineRecord(
  db: Kysely<DB>,
  shop: string,
  kind: QuarantinedRecordsTable['record_kind'],
  recordId: string,
  reason: string,
  nowMs: number,
): Promise<void> {
  await db
    .insertInto('quarantined_records')
    .values({ shop_id: shop, record_kind: kind, record_id: recordId, reason, seen_at: new Date(nowMs) })
    .onConflict((oc) => oc.columns(['shop_id', 'record_kind', 'record_id']).doUpdateSet({ reason, seen_at: new Date(nowMs) }))
    .execute();
}

/** The shop's currency as stored at install (null when unknown). */
export async function shopCurrencyOf(db: Kysely<DB>, shop: string): Promise<string | null> {
  const row = await db.selectFrom('shops').select('currency').where('shop_id', '=', shop).executeTakeFirst();
  return row?.currency ?? null;
}

/**
 * Splits orders into those that can be stored and those that cannot ({@link orderProblem}); the latter are
 * quarantined with their reason. Used by every order write path (webhooks, backfill, reconciliation). With `pii`, the
 * guest keys of the stored ones become the shop's HMACs ({@link PiiProtector.protectGuestKeys}); only unit tests of the
 * write paths leave it out.
 */
export async function screenOrders(db: Kysely<DB>, shop: string, orders: readonly StoredOrder[], nowMs: number, pii?: PiiProtector): Promise<StoredOrder[]> {
  if (orders.length === 0) return [];
  const currency = await shopCurrencyOf(db, shop);
  const valid: StoredOrder[] = [];
  for (const order of orders) {
    const problem = orderProblem(order, currency);
    if (problem === null) valid.push(order);
    else await quarantineRecord(db, shop, 'order', String(order.orderId), problem, nowMs);
  }
  await pii?.protectGuestKeys(db, shop, valid);
  return valid;
}

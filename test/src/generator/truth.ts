/** The generator's truth for comparisons: core `OrderRecord`s and the plain transaction log. */
import { isCountedOrder, type OrderRecord } from '@clvlens/core';
import { decimalToMinor, minorToDecimal } from '../shop-model/money.ts';
import type { Order } from '../shop-model/types.ts';
import { ChunkedWriter, csvField, formatIsoUtc, type WritableLike } from './csv.ts';
import type { ShopSource } from './generate.ts';
import type { WriteSummary } from './shopify-export.ts';

/**
 * One order as core's `OrderRecord` (team-notes contract), the way the app and the CLI must map Shopify orders:
 * `orderId` = numeric order id; `customerId` = numeric customer id or null for guests; `email` as on the order;
 * `placedAtMs` = `processedAtMs`; amounts in the **shop** currency (`shopMoney`): `totalMinor` = `totalPriceSet`,
 * `refundedMinor` = sum of `refunds[].totalRefundedSet`, `refunds[]` = each refund's `createdAtMs` and amount;
 * `cancelled` = `cancelledAtMs !== null`; `test`; `subscription`.
 */
export function toOrderRecord(order: Order): OrderRecord {
  const refunds = order.refunds.map((r) => ({
    refundedAtMs: r.createdAtMs,
    amountMinor: decimalToMinor(r.totalRefundedSet.shopMoney.amount, order.currencyCode),
  }));
  return {
    orderId: String(order.id),
    customerId: order.customerId === null ? null : String(order.customerId),
    email: order.email,
    placedAtMs: order.processedAtMs,
    currency: order.currencyCode,
    totalMinor: decimalToMinor(order.totalPriceSet.shopMoney.amount, order.currencyCode),
    refundedMinor: refunds.reduce((s, r) => s + r.amountMinor, 0),
    refunds,
    cancelled: order.cancelledAtMs !== null,
    test: order.test,
    subscription: order.subscription,
  };
}

/** Every order of `source` as core's `OrderRecord` (see {@link toOrderRecord}), in the source's order. */
export function toOrderRecords(source: ShopSource): OrderRecord[] {
  const records: OrderRecord[] = [];
  for (const order of source.orders) records.push(toOrderRecord(order));
  return records;
}

/** The header of {@link writeTransactionLog}. */
export const TRANSACTION_LOG_HEADER = ['customer_id', 'date', 'amount', 'order_id'] as const;

/**
 * Writes the plain transaction log `customer_id,date,amount,order_id` (header first, CRLF): one row per **counted**
 * order (not test, not cancelled, not refunded in full; free orders count), `customer_id` = the customer id, or the lower-cased e-mail for guests
 * (core's identity rule), `date` = ISO 8601 UTC to the second, `amount` = net of refunds (total − refunded) in the
 * shop currency as a plain decimal, `order_id` = the numeric order id. Refund dates, test, cancelled and subscription
 * flags are not in this format, by design. Honors back-pressure; does not end `out`.
 */
export async function writeTransactionLog(source: ShopSource, out: WritableLike): Promise<WriteSummary> {
  const w = new ChunkedWriter(out);
  let p = w.push(`${TRANSACTION_LOG_HEADER.join(',')}\r\n`);
  if (p !== null) await p;
  let orders = 0;
  let rows = 0;
  for (const order of source.orders) {
    orders++;
    const r = toOrderRecord(order);
    if (!isCountedOrder(r)) continue;
    const customer = r.customerId ?? (r.email === null ? '' : r.email.trim().toLowerCase());
    rows++;
    p = w.push(`${csvField(customer)},${formatIsoUtc(r.placedAtMs)},${minorToDecimal(r.totalMinor - r.refundedMinor, r.currency)},${r.orderId}\r\n`);
    if (p !== null) await p;
  }
  const last = w.flush();
  if (last !== null) await last;
  return { orders, rows, chars: w.chars };
}

import type { OrderRecord } from '@clvlens/core';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Every stored order of the shop as core's `OrderRecord`, or with `customerIds` only those customers' orders. The
 * refunded total is the order payload's (shop money); the stored refunds add their dates for refund-date
 * attribution. Guest orders carry their hashed email key in `email`, so guests are still told apart without the app
 * keeping their address.
 */
export async function loadOrderRecords(db: Kysely<DB>, shop: string, options: { customerIds?: readonly number[] } = {}): Promise<OrderRecord[]> {
  const ids = options.customerIds;
  const onlyOrders = ids ? sql`AND o.customer_id = ANY(${[...ids]}::bigint[])` : sql``;
  const onlyRefunds = ids
    ? sql`AND order_id IN (SELECT order_id FROM orders WHERE shop_id = ${shop} AND customer_id = ANY(${[...ids]}::bigint[]))`
    : sql``;
  const { rows } = await sql<{
    order_id: number;
    customer_id: number | null;
    guest_key: string | null;
    placed_ms: number;
    currency: string;
    total_minor: number;
    refunded_minor: number;
    cancelled: boolean;
    test: boolean;
    subscription: boolean;
    refund_sum: number | null;
    refunds: string | null;
  }>`
    SELECT o.order_id, o.customer_id, o.guest_key, (extract(epoch FROM o.placed_at) * 1000)::bigint AS placed_ms,
           o.currency, o.total_minor, o.refunded_minor, o.cancelled, o.test, o.subscription,
           r.refund_sum, r.refunds
    FROM orders o
    LEFT JOIN (
      SELECT order_id, sum(amount_minor)::bigint AS refund_sum,
             string_agg(((extract(epoch FROM refunded_at) * 1000)::bigint)::text || ':' || amount_minor::text, ',') AS refunds
      FROM order_refunds WHERE shop_id = ${shop} ${onlyRefunds} GROUP BY order_id
    ) r ON r.order_id = o.order_id
    WHERE o.shop_id = ${shop} ${onlyOrders}`.execute(db);
  const records: OrderRecord[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const refunds = row.refunds
      ? row.refunds.split(',').map((pair) => {
          const [at, amount] = pair.split(':');
          return { refundedAtMs: Number(at), amountMinor: Number(amount) };
        })
      : undefined;
    const record: OrderRecord = {
      orderId: String(row.order_id),
      customerId: row.customer_id === null ? null : String(row.customer_id),
      email: row.customer_id === null ? row.guest_key : null,
      placedAtMs: Number(row.placed_ms),
      currency: row.currency,
      totalMinor: row.total_minor,
      refundedMinor: row.refunded_minor,
      cancelled: row.cancelled,
      test: row.test,
      subscription: row.subscription,
    };
    if (refunds) record.refunds = refunds;
    records[i] = record;
  }
  return records;
}

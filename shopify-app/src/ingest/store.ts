import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { StoredOrder, StoredRefund } from './order.ts';

/**
 * The `orders` column list every order upsert writes, in the order {@link ordersUnnest} yields the values. Shared by
 * {@link upsertOrders}, the backfill's bulk insert and the webhook batcher so the three cannot drift apart.
 */
export const ORDERS_INSERT_COLUMNS = sql.raw(
  '(shop_id, order_id, customer_id, guest_key, placed_at, updated_at, currency, total_minor, refunded_minor, cancelled, test, subscription)',
);

/**
 * `SELECT <shopId>, * FROM unnest(...)`: one row per order in {@link ORDERS_INSERT_COLUMNS} order, every column sent
 * as one typed array parameter (times as ISO strings cast to `timestamptz`).
 */
export function ordersUnnest(shopId: string, orders: readonly StoredOrder[]): RawBuilder<unknown> {
  return sql`SELECT ${shopId}, * FROM unnest(
    ${orders.map((o) => o.orderId)}::bigint[], ${orders.map((o) => o.customerId)}::bigint[],
    ${orders.map((o) => o.guestKey)}::text[],
    ${orders.map((o) => new Date(o.placedAtMs).toISOString())}::timestamptz[],
    ${orders.map((o) => new Date(o.updatedAtMs).toISOString())}::timestamptz[],
    ${orders.map((o) => o.currency)}::text[], ${orders.map((o) => o.totalMinor)}::bigint[],
    ${orders.map((o) => o.refundedMinor)}::bigint[], ${orders.map((o) => o.cancelled)}::boolean[],
    ${orders.map((o) => o.test)}::boolean[], ${orders.map((o) => o.subscription)}::boolean[])`;
}

/**
 * Conflict clause of every `INSERT INTO recompute_queue`: a customer already queued takes a new `queued_seq`, so a
 * recompute that read the older entry leaves this one for the next run (see compute/service.ts). Sources must not
 * repeat a customer (one statement cannot update a row twice).
 */
export const REQUEUE = sql.raw('ON CONFLICT (shop_id, customer_id) DO UPDATE SET queued_seq = excluded.queued_seq');

/**
 * The "newer version wins" conflict clause (storage.md §8): an existing row is replaced only when the incoming
 * `updated_at` is newer, or equal with different content (Shopify's `updated_at` has whole-second precision, so two
 * changes within one second cannot be ordered from the payload). Constant text, no parameters.
 */
export const ORDERS_NEWER_WINS = sql.raw(`ON CONFLICT (shop_id, order_id) DO UPDATE SET
  customer_id = excluded.customer_id, guest_key = excluded.guest_key, placed_at = excluded.placed_at,
  updated_at = excluded.updated_at, currency = excluded.currency, total_minor = excluded.total_minor,
  refunded_minor = excluded.refunded_minor, cancelled = excluded.cancelled, test = excluded.test,
  subscription = excluded.subscription
WHERE excluded.updated_at > orders.updated_at
   OR (excluded.updated_at = orders.updated_at
       AND (excluded.customer_id, excluded.guest_key, excluded.placed_at, excluded.currency, excluded.total_minor,
            excluded.refunded_minor, excluded.cancelled, excluded.test, excluded.subscription)
       IS DISTINCT FROM (orders.customer_id, orders.guest_key, orders.placed_at, orders.currency, orders.total_minor,
            orders.refunded_minor, orders.cancelled, orders.test, orders.subscription))`);

/**
 * Upserts orders with one `INSERT ... SELECT FROM unnest(...)` statement (storage.md §8): a row changes only when the
 * incoming `updated_at` is newer, so stale and replayed deliveries are no-ops. Shopify's `updated_at` has whole-second
 * precision, so a version with the same `updated_at` but different content also applies: two changes within one
 * second cannot be ordered from the payload, and the reconciliation pass (which reads the current state) then wins. Refunds are inserted idempotently by
 * refund id. Customers whose orders changed (before or after) are queued for recompute.
 * @returns how many order rows changed.
 */
export async function upsertOrders(db: Kysely<DB>, shopId: string, orders: readonly StoredOrder[]): Promise<number> {
  if (orders.length === 0) return 0;
  const ids = orders.map((o) => o.orderId);
  // One statement (the per-statement cost dominates on PGlite): every CTE sees the snapshot from before the upsert,
  // so `previous` holds the customers the changed orders had before (an order moved to another customer dirties both).
  const { rows } = await sql<{ changed: number }>`
    WITH previous AS (
      SELECT DISTINCT customer_id FROM orders WHERE shop_id = ${shopId} AND order_id = ANY(${ids}::bigint[]) AND customer_id IS NOT NULL
    ), upserted AS (
      INSERT INTO orders ${ORDERS_INSERT_COLUMNS}
      ${ordersUnnest(shopId, orders)}
      ${ORDERS_NEWER_WINS}
      RETURNING customer_id
    ), dirty AS (
      SELECT customer_id FROM upserted WHERE customer_id IS NOT NULL
      UNION
      SELECT customer_id FROM previous WHERE EXISTS (SELECT 1 FROM upserted)
    ), queued AS (
      INSERT INTO recompute_queue (shop_id, customer_id) SELECT ${shopId}, customer_id FROM dirty ${REQUEUE}
    )
    SELECT count(*)::int AS changed FROM upserted`.execute(db);
  const refunds = orders.flatMap((o) => o.refunds.map((r) => ({ ...r, orderId: o.orderId })));
  await insertRefunds(db, shopId, refunds);
  return Number(rows[0]?.changed ?? 0);
}

/** Inserts refunds (immutable in Shopify) once each; returns the customers of the orders that got a new refund. */
export async function insertRefunds(db: Kysely<DB>, shopId: string, refunds: readonly (StoredRefund & { orderId: string })[]): Promise<string[]> {
  if (refunds.length === 0) return [];
  const inserted = await sql<{ order_id: string }>`
    INSERT INTO order_refunds (shop_id, refund_id, order_id, refunded_at, amount_minor)
    SELECT ${shopId}, * FROM unnest(${refunds.map((r) => r.refundId)}::bigint[], ${refunds.map((r) => r.orderId)}::bigint[],
      ${refunds.map((r) => new Date(r.refundedAtMs).toISOString())}::timestamptz[], ${refunds.map((r) => r.amountMinor)}::bigint[])
    ON CONFLICT (shop_id, refund_id) DO NOTHING
    RETURNING order_id::text AS order_id`.execute(db);
  if (inserted.rows.length === 0) return [];
  const customers = await sql<{ customer_id: string }>`
    SELECT DISTINCT customer_id::text AS customer_id FROM orders
    WHERE shop_id = ${shopId} AND order_id = ANY(${inserted.rows.map((r) => r.order_id)}::bigint[]) AND customer_id IS NOT NULL`.execute(db);
  const ids = customers.rows.map((r) => r.customer_id);
  await queueRecompute(db, shopId, ids);
  return ids;
}

/** Queues customers for the recompute job (a set: queuing again only renews the entry). */
export async function queueRecompute(db: Kysely<DB>, shopId: string, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await sql`INSERT INTO recompute_queue (shop_id, customer_id)
    SELECT DISTINCT ${shopId}, id FROM unnest(${[...customerIds]}::bigint[]) AS t(id) ${REQUEUE}`.execute(db);
}

/**
 * Records a webhook delivery; false when this webhook id was already seen for the shop (Shopify delivers at least
 * once), so the caller skips it.
 */
export async function claimWebhookDelivery(db: Kysely<DB>, shopId: string, webhookId: string, topic: string, receivedAtMs: number): Promise<boolean> {
  const result = await db
    .insertInto('webhook_deliveries')
    .values({ shop_id: shopId, webhook_id: webhookId, topic, received_at: new Date(receivedAtMs) })
    .onConflict((oc) => oc.columns(['shop_id', 'webhook_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** How long a webhook id is kept for dedupe: Shopify retries a failed delivery for about 48 hours (8 tries). */
export const WEBHOOK_DEDUPE_DAYS = 7;

/** Deletes the delivery ids older than `keepDays` (they only serve dedupe); returns how many went. */
export async function pruneWebhookDeliveries(db: Kysely<DB>, nowMs: number, keepDays = WEBHOOK_DEDUPE_DAYS): Promise<number> {
  const result = await db
    .deleteFrom('webhook_deliveries')
    .where('received_at', '<', new Date(nowMs - keepDays * 86_400_000))
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}

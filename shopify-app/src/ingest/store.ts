// The only writer of `orders`, `order_refunds` and `recompute_queue` (and of `webhook_deliveries`): every path that
// stores an order (webhooks through the order sink, reconciliation, the backfill, redaction) calls these statements,
// so the "newer version wins" rule and the queueing of changed customers are written once. The statements that run
// beside each other for one shop (webhook batches, the reconciliation, the backfill's inserts, a recompute's dequeue)
// write their rows in key order: orders by order id, refunds by refund id, the queue by customer id. Two of them then
// never hold locks the other waits for in a cycle (see REQUEUE). The backfill's direct COPY keeps the export's order.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { copyBinaryRows, transactionOnConnection, type BinaryCopyWriter } from '../db/copy.ts';
import type { DB } from '../db/schema.ts';
import { PREPARED } from '../db/named-statements.ts';
import type { StoredOrder, StoredRefund } from './order.ts';

/**
 * The `orders` column list every order upsert writes, in the order {@link ordersUnnest} yields the values. Shared by
 * {@link upsertOrders}, {@link insertOrdersBulk} and {@link storeOrderDeliveries} so the three cannot drift apart.
 */
const ORDERS_INSERT_COLUMNS = sql.raw(
  '(shop_id, order_id, customer_id, guest_key, placed_at, updated_at, currency, total_minor, refunded_minor, cancelled, test, subscription)',
);

/**
 * `SELECT <shopId>, * FROM unnest(...)`: one row per order in {@link ORDERS_INSERT_COLUMNS} order, every column sent
 * as one typed array parameter (times as ISO strings cast to `timestamptz`), its columns named as in `orders` (`u.`).
 */
function ordersUnnest(shopId: string, orders: readonly StoredOrder[]): RawBuilder<unknown> {
  return sql`SELECT ${shopId}, * FROM unnest(
    ${orders.map((o) => o.orderId)}::bigint[], ${orders.map((o) => o.customerId)}::bigint[],
    ${orders.map((o) => o.guestKey)}::text[],
    ${orders.map((o) => new Date(o.placedAtMs).toISOString())}::timestamptz[],
    ${orders.map((o) => new Date(o.updatedAtMs).toISOString())}::timestamptz[],
    ${orders.map((o) => o.currency)}::text[], ${orders.map((o) => o.totalMinor)}::bigint[],
    ${orders.map((o) => o.refundedMinor)}::bigint[], ${orders.map((o) => o.cancelled)}::boolean[],
    ${orders.map((o) => o.test)}::boolean[], ${orders.map((o) => o.subscription)}::boolean[])
    AS u(order_id, customer_id, guest_key, placed_at, updated_at, currency, total_minor, refunded_minor, cancelled, test, subscription)`;
}

/**
 * "This order was not deleted in Shopify": {@link upsertOrders} and {@link insertRefunds} keep to it, so a version that
 * arrives after the order's `orders/delete` (a retried `orders/updated` or `refunds/create`, a reconciliation page read
 * just before) does not bring the order or its refunds back. The other writers do not look, and
 * {@link purgeDeletedOrders} removes what they wrote: the backfill's (at its end, before the shop is scored; its COPY
 * may write straight into `orders` anyway), and the webhooks' one-statement batch ({@link storeOrderDeliveries}, at
 * the next reconciliation, within 5 minutes). In that statement the check made PGlite plan it at every batch instead
 * of keeping its generic plan: webhook intake fell from about 1,100 to 550 deliveries a second (`pnpm bench app`,
 * webhooks part).
 */
const NOT_DELETED = (shop: RawBuilder<unknown>, orderId: RawBuilder<unknown>) =>
  sql`NOT EXISTS (SELECT 1 FROM deleted_orders g WHERE g.shop_id = ${shop} AND g.order_id = ${orderId})`;

/**
 * Conflict clause of every `INSERT INTO recompute_queue`: a customer already queued takes a new `queued_seq`, so a
 * recompute that read the older entry leaves this one for the next run (see compute/service.ts). Sources must not
 * repeat a customer (one statement cannot update a row twice), and are sorted by customer id: every writer of the
 * queue takes its rows' locks in that order ({@link dequeueEntries} too), so two of them never wait for each other
 * in a cycle. Unsorted, a webhook batch and a recompute's dequeue of the same shop deadlocked under load, and
 * PostgreSQL failed the batch (20 deliveries answered 500 in a 40,000-delivery run of `pnpm bench pg-processes`).
 */
const REQUEUE = sql.raw('ON CONFLICT (shop_id, customer_id) DO UPDATE SET queued_seq = excluded.queued_seq');

/**
 * The "newer version wins" conflict clause (storage.md §8): an existing row is replaced only when the incoming
 * `updated_at` is newer, or equal with different content (Shopify's `updated_at` has whole-second precision, so two
 * changes within one second cannot be ordered from the payload). Constant text, no parameters.
 */
const ORDERS_NEWER_WINS = sql.raw(`ON CONFLICT (shop_id, order_id) DO UPDATE SET
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
      ${ordersUnnest(shopId, orders)} WHERE ${NOT_DELETED(sql`${shopId}`, sql.ref('u.order_id'))} ORDER BY 2
      ${ORDERS_NEWER_WINS}
      RETURNING customer_id
    ), dirty AS (
      SELECT customer_id FROM upserted WHERE customer_id IS NOT NULL
      UNION
      SELECT customer_id FROM previous WHERE EXISTS (SELECT 1 FROM upserted)
    ), queued AS (
      INSERT INTO recompute_queue (shop_id, customer_id) SELECT ${shopId}, customer_id FROM dirty ORDER BY customer_id ${REQUEUE}
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
      AS u(refund_id, order_id, refunded_at, amount_minor)
    WHERE ${NOT_DELETED(sql`${shopId}`, sql.ref('u.order_id'))} ORDER BY 2
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
    SELECT DISTINCT ${shopId}, id FROM unnest(${[...customerIds]}::bigint[]) AS t(id) ORDER BY id ${REQUEUE}`.execute(db);
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

/**
 * `ON CONFLICT` of the backfill's insert: the webhook rule ({@link ORDERS_NEWER_WINS}) except that a stored
 * `subscription = true` is kept. An export order line carries no line items (they are child lines), so its flag is
 * only a lower bound; what is stored came from a webhook (all line items) or from this export's child lines. An
 * order's selling-plan line items are never taken away (an edit zeroes a line's quantity, the line stays), so the flag
 * only ever goes from false to true.
 */
const ORDERS_NEWER_WINS_KEEP_SUBSCRIPTION = sql.raw(`ON CONFLICT (shop_id, order_id) DO UPDATE SET
  customer_id = excluded.customer_id, guest_key = excluded.guest_key, placed_at = excluded.placed_at,
  updated_at = excluded.updated_at, currency = excluded.currency, total_minor = excluded.total_minor,
  refunded_minor = excluded.refunded_minor, cancelled = excluded.cancelled, test = excluded.test,
  subscription = excluded.subscription OR orders.subscription
WHERE excluded.updated_at > orders.updated_at
   OR (excluded.updated_at = orders.updated_at
       AND (excluded.customer_id, excluded.guest_key, excluded.placed_at, excluded.currency, excluded.total_minor,
            excluded.refunded_minor, excluded.cancelled, excluded.test, excluded.subscription OR orders.subscription)
       IS DISTINCT FROM (orders.customer_id, orders.guest_key, orders.placed_at, orders.currency, orders.total_minor,
            orders.refunded_minor, orders.cancelled, orders.test, orders.subscription))`);

/**
 * The backfill's insert: like {@link upsertOrders} (newer `updated_at` wins, so a webhook that landed first is not
 * overwritten by an older export line) but without per-row bookkeeping, and a stored subscription flag is kept (see
 * {@link ORDERS_NEWER_WINS_KEEP_SUBSCRIPTION}); the backfill queues the whole shop once at the end
 * ({@link queueEveryCustomer}).
 */
export async function insertOrdersBulk(db: Kysely<DB>, shop: string, orders: readonly StoredOrder[]): Promise<void> {
  if (orders.length === 0) return;
  await sql`
    INSERT INTO orders ${ORDERS_INSERT_COLUMNS}
    ${ordersUnnest(shop, orders)} ORDER BY 2
    ${ORDERS_NEWER_WINS_KEEP_SUBSCRIPTION}`.execute(db);
  const refunds = orders.flatMap((o) => o.refunds.map((r) => ({ ...r, orderId: o.orderId })));
  if (refunds.length > 0) {
    await sql`
      INSERT INTO order_refunds (shop_id, refund_id, order_id, refunded_at, amount_minor)
      SELECT ${shop}, * FROM unnest(${refunds.map((r) => r.refundId)}::bigint[], ${refunds.map((r) => r.orderId)}::bigint[],
        ${refunds.map((r) => new Date(r.refundedAtMs).toISOString())}::timestamptz[], ${refunds.map((r) => r.amountMinor)}::bigint[]) ORDER BY 2
      ON CONFLICT (shop_id, refund_id) DO NOTHING`.execute(db);
  }
}

/**
 * Stores the backfill's batches, each in one transaction with whatever else the caller writes in it (screening, marks,
 * the checkpoint). On PostgreSQL (`pool` given) a batch is sent with `COPY ... FROM STDIN` into a temporary staging
 * table and moved into `orders` with one `INSERT ... SELECT` under the same conflict rule as {@link insertOrdersBulk}
 * (newer wins, a stored subscription flag is kept), refunds likewise; on PGlite, or without a pool, it is
 * {@link insertOrdersBulk} itself.
 */
export interface BulkOrderWriter {
  /**
   * Runs `work` in one transaction; `store` writes orders of `shop` as {@link insertOrdersBulk} does. Everything `work`
   * runs through `trx` is part of that transaction.
   */
  transaction<T>(work: (trx: Kysely<DB>, store: (orders: readonly StoredOrder[]) => Promise<void>) => Promise<T>): Promise<T>;
}

/** A {@link BulkOrderWriter} for `shop`: COPY over a connection of `pool` when given (PostgreSQL), else `db`'s inserts. */
export function createBulkOrderWriter(db: Kysely<DB>, shop: string, pool: pg.Pool | null): BulkOrderWriter {
  if (pool === null) {
    return { transaction: (work) => db.transaction().execute((trx) => work(trx, (orders) => insertOrdersBulk(trx, shop, orders))) };
  }
  const conflicts = { skipDirect: false };
  return {
    transaction: (work) =>
      transactionOnConnection(pool, async (trx, client) => {
        // The batch commits together with its checkpoint, so a commit lost to a server crash loses both and the
        // restart reads those lines again: waiting for the WAL flush at every batch would buy nothing.
        await sql`SET LOCAL synchronous_commit = off`.execute(trx);
        return work(trx, (orders) => copyOrdersBulk(client, trx, shop, orders, conflicts));
      }),
  };
}

const STAGING_ORDERS = 'clvlens_orders_load';
const STAGING_REFUNDS = 'clvlens_refunds_load';

/** The `orders` columns of a direct COPY, in {@link ORDERS_INSERT_COLUMNS} order. */
const COPY_ORDERS = `COPY orders (shop_id, order_id, customer_id, guest_key, placed_at, updated_at, currency, total_minor, refunded_minor,
  cancelled, test, subscription) FROM STDIN WITH (FORMAT binary)`;
const COPY_REFUNDS = 'COPY order_refunds (shop_id, refund_id, order_id, refunded_at, amount_minor) FROM STDIN WITH (FORMAT binary)';

/**
 * An order's fields after `shop_id`, in {@link COPY_ORDERS} order (the staging table has the same columns). Binary, not
 * text: building the text lines (two ISO times among them) cost the app about 1.9 µs an order, the binary fields
 * 0.4-0.7 µs, and PostgreSQL no longer parses the times and integers back (2,000,000 orders: 10.7-13.0 s against
 * 11.5-15.3 s for the COPY into a table with the orders' keys).
 */
function writeOrderFields(w: BinaryCopyWriter, o: StoredOrder): void {
  w.int8Text(o.orderId);
  w.int8Text(o.customerId);
  w.text(o.guestKey);
  w.timestampMs(o.placedAtMs);
  w.timestampMs(o.updatedAtMs);
  w.text(o.currency);
  w.int8(o.totalMinor);
  w.int8(o.refundedMinor);
  w.bool(o.cancelled);
  w.bool(o.test);
  w.bool(o.subscription);
}

/** A refund's fields after `shop_id`, in {@link COPY_REFUNDS} order (the staging table has the same columns). */
function writeRefundFields(w: BinaryCopyWriter, r: StoredRefund & { orderId: string }): void {
  w.int8Text(r.refundId);
  w.int8Text(r.orderId);
  w.timestampMs(r.refundedAtMs);
  w.int8(r.amountMinor);
}

/** PostgreSQL's unique_violation: a direct COPY met a row that is already stored. */
const UNIQUE_VIOLATION = '23505';

/**
 * {@link insertOrdersBulk} through COPY, inside the transaction `trx` runs on `client`.
 *
 * Directly into `orders` first: when none of the batch is stored yet (a backfill's usual case) a plain insert is what
 * the conflict clause would do, without its per-row speculative insertion or a staging copy. The unique key turns
 * any stored row into an error instead, and then (under a savepoint, so nothing of the attempt stays) the batch goes
 * the general way: COPY into temporary staging tables, moved with {@link ORDERS_NEWER_WINS_KEEP_SUBSCRIPTION} (and
 * refunds with DO NOTHING). After such a conflict the next batch skips the direct attempt (conflicts come in runs, e.g.
 * a restarted backfill), the one after tries again.
 */
async function copyOrdersBulk(
  client: pg.PoolClient,
  trx: Kysely<DB>,
  shop: string,
  orders: readonly StoredOrder[],
  conflicts: { skipDirect: boolean },
): Promise<void> {
  if (orders.length === 0) return;
  const refunds = orders.flatMap((o) => o.refunds.map((r) => ({ ...r, orderId: o.orderId })));
  const direct = !conflicts.skipDirect;
  conflicts.skipDirect = false;
  if (direct) {
    await sql`SAVEPOINT clvlens_direct_copy`.execute(trx);
    try {
      await copyBinaryRows(client, COPY_ORDERS, orders, (w, o) => {
        w.row(12);
        w.text(shop);
        writeOrderFields(w, o);
      });
      await copyBinaryRows(client, COPY_REFUNDS, refunds, (w, r) => {
        w.row(5);
        w.text(shop);
        writeRefundFields(w, r);
      });
      await sql`RELEASE SAVEPOINT clvlens_direct_copy`.execute(trx);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await sql`ROLLBACK TO SAVEPOINT clvlens_direct_copy`.execute(trx);
      conflicts.skipDirect = true;
    }
  }
  await sql
    .raw(
      `CREATE TEMP TABLE IF NOT EXISTS ${STAGING_ORDERS} (order_id bigint, customer_id bigint, guest_key text, placed_at timestamptz,
        updated_at timestamptz, currency text, total_minor bigint, refunded_minor bigint, cancelled boolean, test boolean,
        subscription boolean) ON COMMIT DROP`,
    )
    .execute(trx);
  await copyBinaryRows(client, `COPY ${STAGING_ORDERS} FROM STDIN WITH (FORMAT binary)`, orders, (w, o) => {
    w.row(11);
    writeOrderFields(w, o);
  });
  await sql`
    INSERT INTO orders ${ORDERS_INSERT_COLUMNS}
    SELECT ${shop}, order_id, customer_id, guest_key, placed_at, updated_at, currency, total_minor,
      refunded_minor, cancelled, test, subscription FROM ${sql.raw(STAGING_ORDERS)} ORDER BY order_id
    ${ORDERS_NEWER_WINS_KEEP_SUBSCRIPTION}`.execute(trx);
  await sql`TRUNCATE ${sql.raw(STAGING_ORDERS)}`.execute(trx);
  if (refunds.length === 0) return;
  await sql
    .raw(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING_REFUNDS} (refund_id bigint, order_id bigint, refunded_at timestamptz, amount_minor bigint) ON COMMIT DROP`)
    .execute(trx);
  await copyBinaryRows(client, `COPY ${STAGING_REFUNDS} FROM STDIN WITH (FORMAT binary)`, refunds, (w, r) => {
    w.row(4);
    writeRefundFields(w, r);
  });
  await sql`
    INSERT INTO order_refunds (shop_id, refund_id, order_id, refunded_at, amount_minor)
    SELECT ${shop}, refund_id, order_id, refunded_at, amount_minor FROM ${sql.raw(STAGING_REFUNDS)} ORDER BY refund_id
    ON CONFLICT (shop_id, refund_id) DO NOTHING`.execute(trx);
  await sql`TRUNCATE ${sql.raw(STAGING_REFUNDS)}`.execute(trx);
}

/** Marks stored orders as subscription orders (a selling-plan line item seen after its order); returns the ids found. */
export async function markSubscriptionOrders(db: Kysely<DB>, shop: string, orderIds: readonly string[]): Promise<string[]> {
  const found = await sql<{ order_id: string }>`UPDATE orders SET subscription = true
    WHERE shop_id = ${shop} AND order_id = ANY(${[...orderIds]}::bigint[]) RETURNING order_id::text AS order_id`.execute(db);
  return found.rows.map((r) => r.order_id);
}

/**
 * The recompute queue's entry that stands for every customer of the shop: customer id 0, which no Shopify customer has
 * (ids are positive; `parseShopifyId` refuses 0). A run that sees it rescores the whole shop (a full run: every
 * customer with an order or an insight), and removes it with the rest of what it read, by its `queued_seq` like any
 * entry, so one queued again meanwhile (a second backfill) stays for the next run. Incremental runs never take it.
 */
export const EVERY_CUSTOMER = '0';

/** The condition on `recompute_queue` rows that stand for one customer each (not {@link EVERY_CUSTOMER}). */
export const ONE_CUSTOMER_ENTRIES = sql`customer_id <> ${EVERY_CUSTOMER}::bigint`;

/**
 * Queues every customer of the shop for recompute ({@link EVERY_CUSTOMER}): the end of a backfill. One row, where a
 * row per customer took 14.6-29.2 s of PostgreSQL's time for 2,200,000 customers at the end of a 10,000,000-order
 * backfill (and the first full run then read and removed them all).
 */
export async function queueEveryCustomer(db: Kysely<DB>, shop: string): Promise<void> {
  await sql`INSERT INTO recompute_queue (shop_id, customer_id) VALUES (${shop}, ${EVERY_CUSTOMER}::bigint) ${REQUEUE}`.execute(db);
}

/**
 * Removes the whole-shop entry ({@link EVERY_CUSTOMER}) once a split run has covered every bucket, unless it was queued
 * again after the run read the queue (`queued_seq` past `upToSeq`). One row, in a statement of its own: it holds no
 * other queue lock while it waits, so it cannot be part of a cycle (see {@link REQUEUE}).
 */
export async function dequeueWholeShop(db: Kysely<DB>, shop: string, upToSeq: number): Promise<void> {
  await sql`DELETE FROM recompute_queue WHERE shop_id = ${shop} AND customer_id = ${EVERY_CUSTOMER}::bigint AND queued_seq <= ${upToSeq}::bigint`.execute(db);
}

/** Recompute-queue entries a run computed: removed with its writes, unless queued again meanwhile (newer `queued_seq`). */
export interface DequeuedEntries {
  /** Decimal Shopify ids. */
  customerIds: string[];
  queuedSeqs: number[];
}

/**
 * Removes queue entries a run computed, unless they were queued again meanwhile (a newer `queued_seq`). The rows are
 * locked first in customer order, as every insert of the queue takes them (see {@link REQUEUE}); a row queued again
 * while this waited for its lock no longer matches its sequence when rechecked, so it is neither locked nor removed.
 * Every change of a queue row gives it a new sequence, so each locked row is the version this statement sees, and it
 * is deleted by its row address. The entries' id range goes beside the list: a full run's chunk is a contiguous range,
 * and without it the planner hashed every queued entry of the shop for each chunk (80 ms a chunk with 300,000
 * queued, against 7 ms with the range).
 */
export async function dequeueEntries(db: Kysely<DB>, shop: string, entries: DequeuedEntries): Promise<void> {
  if (entries.customerIds.length === 0) return;
  const [low, high] = idRange(entries.customerIds);
  await sql`
    DELETE FROM recompute_queue WHERE ctid = ANY(ARRAY(
      SELECT q.ctid FROM recompute_queue q
      JOIN unnest(${entries.customerIds}::bigint[], ${entries.queuedSeqs}::bigint[]) AS t(id, s) ON q.customer_id = t.id AND q.queued_seq = t.s
      WHERE q.shop_id = ${shop} AND q.customer_id BETWEEN ${low}::bigint AND ${high}::bigint
      ORDER BY q.customer_id FOR UPDATE OF q))`.execute(db);
}

/** The lowest and highest of decimal bigint ids (compared as BigInt: ids beyond 2^53 are exact); ['0', '0'] when empty. */
export function idRange(ids: readonly string[]): [string, string] {
  if (ids.length === 0) return ['0', '0'];
  let low = BigInt(ids[0]!);
  let high = low;
  for (const id of ids) {
    const v = BigInt(id);
    if (v < low) low = v;
    else if (v > high) high = v;
  }
  return [String(low), String(high)];
}

/**
 * Unlinks a redacted customer's orders (customers/redact): by order id, customer id or guest key, they keep their
 * amounts for the shop's totals but belong to an anonymous key nobody can look up.
 */
export async function redactOrders(
  db: Kysely<DB>,
  shop: string,
  subject: { orderIds: readonly string[]; customerIds: readonly string[]; guestKeys: readonly string[] },
  anonymousKey: string,
): Promise<void> {
  await sql`UPDATE orders SET customer_id = NULL, guest_key = ${anonymousKey}
    WHERE shop_id = ${shop} AND (
      order_id = ANY(${[...subject.orderIds]}::bigint[])
      OR customer_id = ANY(${[...subject.customerIds]}::bigint[])
      OR guest_key = ANY(${[...subject.guestKeys]}::text[]))`.execute(db);
}

/**
 * The order tables this module alone writes, as `shop/redact` erases them: a shop's orders, their refunds and its
 * recompute queue. Kept here so erasing a shop's orders goes through their one writer like every other change.
 */
export const ORDER_TABLES = ['orders', 'order_refunds', 'deleted_orders', 'recompute_queue'] as const;

/**
 * An order deleted in Shopify (`orders/delete`): removes the stored order and its refunds, keeps the order id so that
 * no later version brings it back ({@link NOT_DELETED}), and queues the order's customer for recompute, so its
 * insight, the shop's figures and the extension stop counting it. An order never stored (deleted before it reached
 * the app) is remembered too.
 * @returns the customer whose order was removed, if any (none for a guest's order or one never stored).
 */
export async function deleteOrder(db: Kysely<DB>, shop: string, orderId: string, deletedAtMs: number): Promise<string[]> {
  await db
    .insertInto('deleted_orders')
    .values({ shop_id: shop, order_id: orderId, deleted_at: new Date(deletedAtMs) })
    .onConflict((oc) => oc.columns(['shop_id', 'order_id']).doNothing())
    .execute();
  return (await removeOrders(db, shop, [orderId])).customers;
}

/**
 * Removes the shop's stored orders that were deleted in Shopify, with their refunds, and queues their customers for
 * recompute: what the writers that go around {@link NOT_DELETED} stored after a deletion. Run at the end of a backfill
 * and by every reconciliation.
 * @returns how many orders were removed.
 */
export async function purgeDeletedOrders(db: Kysely<DB>, shop: string): Promise<number> {
  // The ids first, then deletes by key: most shops have none, and a join could let the planner walk a large shop's
  // orders at every reconciliation.
  const deleted = await sql<{ id: string }>`SELECT order_id::text AS id FROM deleted_orders WHERE shop_id = ${shop}`.execute(db);
  if (deleted.rows.length === 0) return 0;
  return (
    await removeOrders(
      db,
      shop,
      deleted.rows.map((r) => r.id),
    )
  ).removed;
}

/** Deletes these orders of the shop and their refunds, by key, and queues their customers for recompute. */
async function removeOrders(db: Kysely<DB>, shop: string, ids: readonly string[]): Promise<{ removed: number; customers: string[] }> {
  await sql`DELETE FROM order_refunds WHERE shop_id = ${shop} AND order_id = ANY(${ids}::bigint[])`.execute(db);
  const gone = await sql<{ customer_id: string | null }>`DELETE FROM orders WHERE shop_id = ${shop} AND order_id = ANY(${ids}::bigint[])
    RETURNING customer_id::text AS customer_id`.execute(db);
  const customers = [...new Set(gone.rows.flatMap((r) => (r.customer_id === null ? [] : [r.customer_id])))];
  await queueRecompute(db, shop, customers);
  return { removed: gone.rows.length, customers };
}

/** Erases every order, refund and queued recompute of the shop (`shop/redact`, 48 h after uninstall). */
export async function eraseShopOrders(db: Kysely<DB>, shop: string): Promise<void> {
  for (const table of ORDER_TABLES) await db.deleteFrom(table).where('shop_id', '=', shop).execute();
}

/** Replaces a guest key on the shop's orders (personal data stored in the clear by an older version). */
export async function replaceGuestKey(db: Kysely<DB>, shop: string, from: string, to: string): Promise<void> {
  await sql`UPDATE orders SET guest_key = ${to} WHERE shop_id = ${shop} AND guest_key = ${from}`.execute(db);
}

/** One verified, parsed order delivery waiting to be stored. */
export interface OrderDelivery {
  shop: string;
  webhookId: string;
  topic: string;
  order: StoredOrder;
}

/**
 * Stores a batch of order deliveries: records their webhook ids (dedupe), upserts the first delivery of each newly
 * claimed id, keeping the newest version of each order among them (later arrival on a tie), as {@link upsertOrders}
 * does, and queues the customers of changed orders, old and new.
 * @returns per delivery whether its webhook id was new, and the shops with a newly claimed delivery.
 */
export async function storeOrderDeliveries(
  db: Kysely<DB>,
  batch: readonly OrderDelivery[],
  receivedAtMs: number,
): Promise<{ result: boolean[]; shops: string[] }> {
  if (batch.every((d) => d.order.refunds.length === 0)) return storeDeliveriesInOneStatement(db, batch, receivedAtMs);
  return db.transaction().execute(async (trx) => {
    const receivedAt = new Date(receivedAtMs).toISOString();
    const claimed = await sql<{ shop_id: string; webhook_id: string }>`
      INSERT INTO webhook_deliveries (shop_id, webhook_id, topic, received_at)
      SELECT DISTINCT ON (s, w) s, w, t, ${receivedAt}::timestamptz
      FROM unnest(${batch.map((d) => d.shop)}::text[], ${batch.map((d) => d.webhookId)}::text[], ${batch.map((d) => d.topic)}::text[]) AS x(s, w, t)
      ON CONFLICT (shop_id, webhook_id) DO NOTHING
      RETURNING shop_id, webhook_id`.execute(trx);
    const fresh = new Set(claimed.rows.map((r) => `${r.shop_id}\u0000${r.webhook_id}`));
    const result: boolean[] = [];
    const byShop = new Map<string, Map<string, StoredOrder>>();
    for (const d of batch) {
      const key = `${d.shop}\u0000${d.webhookId}`;
      const isFresh = fresh.delete(key);
      result.push(isFresh);
      if (!isFresh) continue;
      let orders = byShop.get(d.shop);
      if (!orders) byShop.set(d.shop, (orders = new Map()));
      const seen = orders.get(d.order.orderId);
      // Two versions of one order in a batch: keep the newer; on a tie the later arrival, as the upsert would.
      if (!seen || d.order.updatedAtMs >= seen.updatedAtMs) orders.set(d.order.orderId, d.order);
    }
    for (const [shop, orders] of byShop) await upsertOrders(trx, shop, [...orders.values()]);
    return { result, shops: [...byShop.keys()] };
  });
}

/**
 * {@link storeOrderDeliveries} as one statement (atomic without BEGIN/COMMIT, so one round trip instead of four), for
 * batches without refunds: claim the webhook ids, keep the first delivery of each newly claimed id, the newest version
 * of each order among those, upsert them and queue the customers of changed orders, old and new. Every CTE sees the
 * snapshot from before the statement.
 */
async function storeDeliveriesInOneStatement(
  db: Kysely<DB>,
  batch: readonly OrderDelivery[],
  receivedAtMs: number,
): Promise<{ result: boolean[]; shops: string[] }> {
  const receivedAt = new Date(receivedAtMs).toISOString();
  const o = batch.map((d) => d.order);
  // Prepared (db/named-statements.ts): sent for every batch of webhooks, and keyed by primary keys only.
  const { rows } = await sql<{ shop_id: string; webhook_id: string }>`${sql.raw(PREPARED)}
    WITH d AS (
      SELECT * FROM unnest(
        ${batch.map((x) => x.shop)}::text[], ${batch.map((x) => x.webhookId)}::text[], ${batch.map((x) => x.topic)}::text[],
        ${o.map((x) => x.orderId)}::bigint[], ${o.map((x) => x.customerId)}::bigint[], ${o.map((x) => x.guestKey)}::text[],
        ${o.map((x) => new Date(x.placedAtMs).toISOString())}::timestamptz[],
        ${o.map((x) => new Date(x.updatedAtMs).toISOString())}::timestamptz[],
        ${o.map((x) => x.currency)}::text[], ${o.map((x) => x.totalMinor)}::bigint[], ${o.map((x) => x.refundedMinor)}::bigint[],
        ${o.map((x) => x.cancelled)}::boolean[], ${o.map((x) => x.test)}::boolean[], ${o.map((x) => x.subscription)}::boolean[]
      ) WITH ORDINALITY AS x(s, w, t, oid, cid, gk, placed, upd, cur, tot, ref, canc, tst, sub, i)
    ), claimed AS (
      INSERT INTO webhook_deliveries (shop_id, webhook_id, topic, received_at)
      SELECT DISTINCT ON (s, w) s, w, t, ${receivedAt}::timestamptz FROM d ORDER BY s, w, i
      ON CONFLICT (shop_id, webhook_id) DO NOTHING
      RETURNING shop_id, webhook_id
    ), fresh AS (
      SELECT DISTINCT ON (d.s, d.w) d.* FROM d JOIN claimed c ON c.shop_id = d.s AND c.webhook_id = d.w ORDER BY d.s, d.w, d.i
    ), newest AS (
      SELECT DISTINCT ON (s, oid) * FROM fresh ORDER BY s, oid, upd DESC, i DESC
    ), previous AS (
      SELECT DISTINCT o.shop_id, o.customer_id FROM orders o JOIN newest n ON o.shop_id = n.s AND o.order_id = n.oid
      WHERE o.customer_id IS NOT NULL
    ), upserted AS (
      INSERT INTO orders ${ORDERS_INSERT_COLUMNS}
      SELECT s, oid, cid, gk, placed, upd, cur, tot, ref, canc, tst, sub FROM newest
      ${ORDERS_NEWER_WINS}
      RETURNING shop_id, customer_id
    ), dirty AS (
      SELECT shop_id, customer_id FROM upserted WHERE customer_id IS NOT NULL
      UNION
      SELECT p.shop_id, p.customer_id FROM previous p WHERE EXISTS (SELECT 1 FROM upserted u WHERE u.shop_id = p.shop_id)
    ), queued AS (
      INSERT INTO recompute_queue (shop_id, customer_id) SELECT shop_id, customer_id FROM dirty ORDER BY shop_id, customer_id ${REQUEUE}
    )
    SELECT shop_id, webhook_id FROM claimed`.execute(db);
  const fresh = new Set(rows.map((r) => `${r.shop_id}\u0000${r.webhook_id}`));
  // As the transactional path: a recompute request for every shop with a newly claimed delivery.
  const shops = new Set<string>();
  for (const d of batch) if (fresh.has(`${d.shop}\u0000${d.webhookId}`)) shops.add(d.shop);
  const result = batch.map((d) => fresh.delete(`${d.shop}\u0000${d.webhookId}`));
  return { result, shops: [...shops] };
}

import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { StoredOrder } from '../ingest/order.ts';
import { ORDERS_INSERT_COLUMNS, ORDERS_NEWER_WINS, REQUEUE, upsertOrders } from '../ingest/store.ts';
import type { Clock, Logger } from '../log.ts';

/** One verified, parsed order delivery waiting to be stored. */
export interface OrderDelivery {
  shop: string;
  webhookId: string;
  topic: string;
  order: StoredOrder;
}

/** Most deliveries stored in one transaction. */
const MAX_BATCH = 500;

/**
 * How long a batch waits for company before it starts, ms. PGlite runs a whole transaction without yielding to I/O
 * callbacks, so without this pause concurrent deliveries (still verifying their HMAC) never meet in one batch.
 */
const LINGER_MS = 2;

/**
 * Group commit for order webhooks. Deliveries that arrive while a batch is being written wait and go together in the
 * next transaction: one statement records all their webhook ids (dedupe), one upserts all their orders (newest
 * `updated_at` wins, also between two versions inside one batch), one queues their customers. Per-statement cost
 * dominates on PGlite, so this is what lets one process take webhooks at over 1,000/s with a short p99. A delivery
 * is answered once its batch committed, which also committed its customers into `recompute_queue`.
 *
 * The recompute job (`afterCommit`) is then requested per shop without holding up the reply, and coalesced: while one
 * request for a shop is in flight, later batches only mark the shop again, so a burst of N batches costs two job
 * sends instead of N (each a pg-boss insert on the single embedded connection, which is where the webhook p99 went).
 * Nothing is lost if the process dies before the send: the app queues a recompute at start for every shop with rows
 * in `recompute_queue`. A failed send is retried after `retryMs` while the shop stays marked.
 */
export function createOrderBatcher(
  db: Kysely<DB>,
  clock: Clock,
  afterCommit: (shops: string[]) => Promise<void>,
  options: { log?: Logger; retryMs?: number } = {},
) {
  let pending: { delivery: OrderDelivery; resolve(fresh: boolean): void; reject(error: unknown): void }[] = [];
  let running = false;
  /** Shops whose recompute request is in flight -> whether another batch committed for them meanwhile. */
  const requesting = new Map<string, boolean>();
  const idle: (() => void)[] = [];
  const requestRecompute = (shop: string): void => {
    if (requesting.has(shop)) {
      requesting.set(shop, true);
      return;
    }
    requesting.set(shop, false);
    void (async () => {
      for (;;) {
        try {
          await afterCommit([shop]);
        } catch (error) {
          options.log?.warn('recompute request after webhook batch failed; retrying', { shop, message: (error as Error).message });
          await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 1000));
          continue;
        }
        if (requesting.get(shop) !== true) break;
        requesting.set(shop, false);
      }
      requesting.delete(shop);
      if (requesting.size === 0) for (const done of idle.splice(0)) done();
    })();
  };

  /**
   * The whole batch as one statement (atomic without BEGIN/COMMIT, so one round trip instead of four): claim the
   * webhook ids, keep the first delivery of each newly claimed id, the newest version of each order among those
   * (later arrival on a tie), upsert them as {@link upsertOrders} does and queue the customers of changed orders, old
   * and new. Every CTE sees the snapshot from before the statement. Used when no order carries refunds.
   */
  const writeBatchInOneStatement = async (batch: OrderDelivery[]): Promise<{ result: boolean[]; shops: string[] }> => {
    const receivedAt = new Date(clock.now()).toISOString();
    const o = batch.map((d) => d.order);
    const { rows } = await sql<{ shop_id: string; webhook_id: string }>`
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
        INSERT INTO recompute_queue (shop_id, customer_id) SELECT shop_id, customer_id FROM dirty ${REQUEUE}
      )
      SELECT shop_id, webhook_id FROM claimed`.execute(db);
    const fresh = new Set(rows.map((r) => `${r.shop_id}\u0000${r.webhook_id}`));
    // As the transactional path: a recompute request for every shop with a newly claimed delivery.
    const shops = new Set<string>();
    for (const d of batch) if (fresh.has(`${d.shop}\u0000${d.webhookId}`)) shops.add(d.shop);
    const result = batch.map((d) => fresh.delete(`${d.shop}\u0000${d.webhookId}`));
    return { result, shops: [...shops] };
  };

  const writeBatch = async (batch: OrderDelivery[]): Promise<{ result: boolean[]; shops: string[] }> => {
    if (batch.every((d) => d.order.refunds.length === 0)) return writeBatchInOneStatement(batch);
    return db.transaction().execute(async (trx) => {
      const receivedAt = new Date(clock.now()).toISOString();
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
  };

  const run = async (): Promise<void> => {
    running = true;
    try {
      while (pending.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
        const items = pending.slice(0, MAX_BATCH);
        pending = pending.slice(items.length);
        try {
          const { result, shops } = await writeBatch(items.map((i) => i.delivery));
          // Requested after commit so the job sees these orders; coalesced, not awaited (see above).
          for (const shop of shops) requestRecompute(shop);
          items.forEach((item, k) => item.resolve(result[k]!));
        } catch (error) {
          for (const item of items) item.reject(error);
        }
      }
    } finally {
      running = false;
    }
  };

  return {
    /** Stores the delivery (with others arriving meanwhile); resolves false when its webhook id was seen before. */
    submit(delivery: OrderDelivery): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ delivery, resolve, reject });
        if (!running) void run();
      });
    },
    /** Resolves once no recompute request is in flight or pending (tests, shutdown). */
    settled(): Promise<void> {
      return requesting.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

export type OrderBatcher = ReturnType<typeof createOrderBatcher>;

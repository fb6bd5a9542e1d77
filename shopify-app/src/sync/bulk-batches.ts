import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from '../db/schema.ts';
import type { StoredOrder } from '../ingest/order.ts';
import { createBulkOrderWriter, markSubscriptionOrders } from '../ingest/store.ts';
import type { PiiProtector } from '../ingest/pii.ts';
import { screenOrders } from '../ingest/validate.ts';
import type { Clock } from '../log.ts';

/**
 * Selling-plan marks read from line items whose order is not stored with the mark yet: order id -> the JSONL line of
 * its first such child. Shared by the reading and the batches being stored (a batch marks the stored ones at commit).
 */
export type PendingMarks = Map<string, number>;

/** The batch being read: its orders, and its line count (every kind of line since the last hand-over). */
export interface BatchReading {
  readonly size: number;
  lines: number;
  add(order: StoredOrder): void;
  /** The batch's order with this id, if it holds one. */
  find(orderId: string): StoredOrder | undefined;
  /** Ends the batch: its orders, and a new empty batch begins. */
  take(): StoredOrder[];
}

/**
 * The batch read so far. Its orders by id are indexed only when a line item names an order that is not the batch's
 * last: line items usually come right after their order (not promised, see backfill.ts), and a map entry for every
 * order cost about 0.9 µs, a twelfth of the app's CPU in a backfill.
 */
export function createBatchReading(): BatchReading {
  let orders: StoredOrder[] = [];
  let byId = new Map<string, StoredOrder>();
  let indexed = 0;
  return {
    get size() {
      return orders.length;
    },
    lines: 0,
    add(order) {
      orders.push(order);
    },
    find(orderId) {
      const last = orders[orders.length - 1];
      if (last !== undefined && last.orderId === orderId) return last;
      for (; indexed < orders.length; indexed++) byId.set(orders[indexed]!.orderId, orders[indexed]!);
      return byId.get(orderId);
    },
    take() {
      const taken = orders;
      orders = [];
      byId = new Map();
      indexed = 0;
      this.lines = 0;
      return taken;
    },
  };
}

/** What {@link createBatchStore} needs of the backfill's dependencies (backfill.ts `BackfillDeps`, which has them all). */
export interface BatchStoreDeps {
  db: Kysely<DB>;
  /** The PostgreSQL pool behind `db`: batches go through `COPY`, two at once. Absent or null: row inserts, one at a time (PGlite). */
  pool?: pg.Pool | null;
  clock: Clock;
  /** Turns guest keys into the shop's HMACs before they are stored. */
  pii?: PiiProtector;
  /** Called after each committed batch with the JSONL lines stored so far. */
  onProgress?: (shop: string, linesDone: number) => void;
}

/** The batches of one run of a bulk export being stored (see {@link createBatchStore}). */
export interface BatchStore {
  /**
   * Hands a batch over to be stored, once fewer than the store's depth are open: `linesAfter` and `ordersAfter` are
   * the run's counts with it (its checkpoint).
   */
  hand(orders: StoredOrder[], linesAfter: number, ordersAfter: number): Promise<void>;
  /** Waits for every batch handed over; the first failure among them, if any, is thrown after all have ended. */
  drain(): Promise<void>;
  /** Waits until every batch handed over has committed or failed, without throwing (a run ending on an error). */
  settle(): Promise<void>;
}

/** A batch handed over and not yet known to have ended. */
interface Handed {
  /** Settles when the batch committed (resolves) or rolled back (rejects), and its progress is counted. */
  done: Promise<void>;
  /** Resolves once the batch holds its advisory lock, or has ended without it. */
  locked: Promise<void>;
  no: number;
  /**
   * The last line its checkpoint may count: a later batch, handed over while this one is open, stores an order
   * marked by a child line this one read (the mark is not stored until that batch commits).
   */
  heldBackTo: number;
}

/**
 * Stores the batches of one run of the bulk export `operationId`; commits come in the order batches are handed over.
 *
 * Batches stored at once: on PostgreSQL two, each on its own connection, so the database works on both cores while
 * the run parses the next; on PGlite (one connection) one. A batch stores its orders at once, side by side with the
 * batch before it, then waits for that batch to end before its subscription marks and checkpoint, and commits after
 * it, as if the two were stored one after the other. The wait is a PostgreSQL lock (the batch before holds an
 * advisory lock until it ends), not a wait in this process: a batch holds its orders' row locks while it waits, and
 * when another writer of those orders (a webhook, another process backfilling the shop) waits for them while the
 * batch before waits for that writer, PostgreSQL sees the cycle and fails one of them (a backfill resumes from its
 * checkpoint, a webhook's batch is stored again) instead of all three waiting for ever. A batch whose predecessor
 * failed rolls back: its checkpoint would pass lines not stored.
 */
export function createBatchStore(deps: BatchStoreDeps, shop: string, operationId: string, pending: PendingMarks): BatchStore {
  const writer = createBulkOrderWriter(deps.db, shop, deps.pool ?? null);
  const depth = deps.pool ? 2 : 1;
  // Advisory locks this run's batches hold while they are open, so that a batch waits for the one before it inside
  // PostgreSQL, where the deadlock detector sees the wait; random, so that other runs (another process on the same
  // shop, a retry) never share them.
  const runKey = randomInt(2 ** 31);
  let batchNo = 0;
  /** The batches handed over and not yet known to have ended, oldest first. */
  const handed: Handed[] = [];

  const store = (orders: StoredOrder[], linesAfter: number, ordersAfter: number): Handed => {
    const open = handed;
    const before = open.at(-1) ?? null;
    const no = ++batchNo;
    for (const o of orders) {
      const markedAt = pending.get(o.orderId);
      if (markedAt === undefined) continue;
      pending.delete(o.orderId);
      o.subscription = true;
      for (const h of open) h.heldBackTo = Math.min(h.heldBackTo, markedAt - 1);
    }
    let holdsLock!: () => void;
    const locked = new Promise<void>((resolve) => (holdsLock = resolve));
    const handedOver: Handed = { done: Promise.resolve(), locked, no, heldBackTo: Infinity };
    handedOver.done = (async () => {
      try {
        const checkpoint = await writer.transaction(async (trx, storeOrders) => {
          if (depth > 1) {
            await sql`SELECT pg_advisory_xact_lock(${runKey}::int, ${no}::int)`.execute(trx);
            holdsLock();
          }
          await storeOrders(await screenOrders(trx, shop, orders, deps.clock.now(), deps.pii));
          if (before !== null) {
            await before.locked;
            await sql`SELECT pg_advisory_xact_lock(${runKey}::int, ${before.no}::int)`.execute(trx);
            // Ended in PostgreSQL; its promise settles as soon as its COMMIT (or failure) is read.
            await before.done;
          }
          const toMark = [...pending.keys()];
          if (toMark.length > 0) {
            // Orders stored by an earlier batch (or by a webhook): marked now, in the same transaction as the checkpoint.
            for (const orderId of await markSubscriptionOrders(trx, shop, toMark)) pending.delete(orderId);
          }
          // Held back before the first mark still waiting for its order (or stored only by a batch still open), so
          // that a restart reads that child again.
          let done = Math.min(linesAfter, handedOver.heldBackTo);
          for (const line of pending.values()) done = Math.min(done, line - 1);
          // Absolute and never decreasing, and only for the recorded operation: a second runner on the same operation
          // does not double count, one on a replaced operation does not touch the new one's checkpoint.
          await sql`UPDATE sync_state SET bulk_lines_done = GREATEST(bulk_lines_done, ${done}),
            orders_done = GREATEST(orders_done, ${ordersAfter}), message = NULL
            WHERE shop_id = ${shop} AND bulk_operation_id = ${operationId}`.execute(trx);
          return done;
        });
        deps.onProgress?.(shop, checkpoint);
      } finally {
        holdsLock();
      }
    })();
    // Awaited by the next batch, the next hand-over or the end; until then a failure must not count as unhandled.
    handedOver.done.catch(() => {});
    return handedOver;
  };

  return {
    async hand(orders, linesAfter, ordersAfter) {
      while (handed.length >= depth) await handed.shift()!.done;
      handed.push(store(orders, linesAfter, ordersAfter));
    },
    async drain() {
      const all = handed.splice(0);
      await Promise.allSettled(all.map((h) => h.done));
      for (const h of all) await h.done;
    },
    async settle() {
      await Promise.allSettled(handed.map((h) => h.done));
    },
  };
}

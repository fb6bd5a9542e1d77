import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock, Logger } from '../log.ts';
import type { StoredOrder } from './order.ts';
import type { PiiProtector } from './pii.ts';
import { createRecomputeRequests, type RecomputeRequests } from './recompute-requests.ts';
import { storeOrderDeliveries, upsertOrders, type OrderDelivery } from './store.ts';
import { orderProblem, quarantineRecord, screenOrders } from './validate.ts';

export type { OrderDelivery };

/** Most deliveries stored in one transaction. */
const MAX_BATCH = 500;

/**
 * How long a batch waits for company before it starts, ms. PGlite runs a whole transaction without yielding to I/O
 * callbacks, so without this pause concurrent deliveries (still verifying their HMAC) never meet in one batch.
 */
const LINGER_MS = 2;

/**
 * PostgreSQL's deadlock_detected and serialization_failure: the batch's statement (or transaction) was rolled back
 * whole, so running it again is safe. The queue's writers take their locks in one order (ingest/store.ts), so a
 * deadlock should not happen; if one still does, the batch is stored again instead of answering every delivery in it
 * with a 500.
 */
const RETRYABLE = new Set(['40P01', '40001']);

/** Tries of one batch before its deliveries are failed (and Shopify delivers them again later). */
const MAX_TRIES = 3;

/** What became of an order delivery handed to the sink. */
export type OrderDeliveryResult = 'processed' | 'duplicate' | 'quarantined';

/** Dependencies of {@link createOrderSink}. */
export interface OrderSinkDeps {
  db: Kysely<DB>;
  clock: Clock;
  log: Logger;
  /** Turns guest keys into the shop's HMACs before they are stored; absent only in unit tests. */
  pii?: PiiProtector;
  /** Queues the shop's recompute job (the app: a pg-boss send). */
  sendRecompute(shop: string): Promise<void>;
  /** Wait before a failed recompute request is retried, ms. Default 1,000. */
  retryMs?: number;
  /** Least time between two recompute sends for one shop, ms (see createRecomputeRequests). Default 0. */
  recomputeIntervalMs?: number;
}

/**
 * The one way orders get into the app: webhooks ({@link OrderSink.submitWebhookOrder}), the reconciliation pass
 * ({@link OrderSink.storeOrders}) and the backfill (its own transactions, with the same statements of `store.ts`) all
 * end in `ingest/store.ts`, the only writer of `orders`, `order_refunds` and `recompute_queue`; and every request for
 * the recompute job that follows goes through this sink's {@link RecomputeRequests}, the one place they are coalesced.
 */
export interface OrderSink {
  /**
   * Stores one verified, parsed order webhook. An order core cannot count (another currency, a negative amount) is
   * quarantined instead. Otherwise the delivery waits for the deliveries arriving meanwhile and goes with them in one
   * transaction (group commit): one statement records all their webhook ids (dedupe), one upserts all their orders
   * (newest `updated_at` wins, also between two versions inside one batch), one queues their customers. Per-statement
   * cost dominates on PGlite, so this is what lets one process take webhooks at over 1,000/s with a short p99. Resolves
   * once its batch committed, which also committed its customers into `recompute_queue`; the recompute job is then
   * requested without holding up the reply.
   * @param shopCurrency the shop's currency, or null while it is not known yet.
   */
  submitWebhookOrder(delivery: OrderDelivery, shopCurrency: string | null): Promise<OrderDeliveryResult>;
  /**
   * Stores orders read from Shopify (the reconciliation pass) in one transaction, newer versions winning, screened as
   * webhooks are; their customers are queued. Returns how many order rows changed (the caller then asks for the
   * recompute once, with {@link requestRecompute}).
   */
  storeOrders(shop: string, orders: readonly StoredOrder[]): Promise<number>;
  /** Requests the shop's recompute job (coalesced); resolves once a send covering this request finished. */
  requestRecompute(shop: string): Promise<void>;
  /**
   * As {@link requestRecompute}, without holding up the caller (a webhook's answer): on PostgreSQL a send waits out
   * the shop's interval (up to a second), and a failed one is retried in the background. For customers already
   * committed in `recompute_queue`, which the app also queues a recompute for at start.
   */
  requestRecomputeInBackground(shop: string): void;
  /** Resolves once no recompute request is in flight or pending (tests, shutdown). */
  settled(): Promise<void>;
}

export function createOrderSink(deps: OrderSinkDeps): OrderSink {
  const { db, clock, log } = deps;
  const recompute: RecomputeRequests = createRecomputeRequests(deps.sendRecompute, {
    log,
    ...(deps.retryMs !== undefined ? { retryMs: deps.retryMs } : {}),
    ...(deps.recomputeIntervalMs !== undefined ? { minIntervalMs: deps.recomputeIntervalMs } : {}),
  });
  let pending: { delivery: OrderDelivery; resolve(fresh: boolean): void; reject(error: unknown): void }[] = [];
  let running = false;

  const storeBatch = async (batch: OrderDelivery[]): ReturnType<typeof storeOrderDeliveries> => {
    for (let tries = 1; ; tries++) {
      try {
        return await storeOrderDeliveries(db, batch, clock.now());
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'string' || !RETRYABLE.has(code) || tries >= MAX_TRIES) throw error;
        log.warn('webhook batch stored again', { code, tries, deliveries: batch.length });
      }
    }
  };
  const run = async (): Promise<void> => {
    running = true;
    try {
      while (pending.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
        const items = pending.slice(0, MAX_BATCH);
        pending = pending.slice(items.length);
        try {
          const { result, shops } = await storeBatch(items.map((i) => i.delivery));
          // Requested after commit so the job sees these orders; coalesced, not awaited (a burst of N batches costs
          // two job sends, each a pg-boss insert on the single embedded connection, which is where the webhook p99 went).
          for (const shop of shops) recompute.requestInBackground(shop);
          items.forEach((item, k) => item.resolve(result[k]!));
        } catch (error) {
          for (const item of items) item.reject(error);
        }
      }
    } finally {
      running = false;
    }
  };
  const submit = (delivery: OrderDelivery): Promise<boolean> =>
    new Promise<boolean>((resolve, reject) => {
      pending.push({ delivery, resolve, reject });
      if (!running) void run();
    });

  return {
    async submitWebhookOrder(delivery, shopCurrency) {
      const { shop, order } = delivery;
      const problem = orderProblem(order, shopCurrency);
      if (problem !== null) {
        await quarantineRecord(db, shop, 'order', String(order.orderId), problem, clock.now());
        log.warn('order quarantined', { topic: delivery.topic, shop, webhookId: delivery.webhookId, reason: problem });
        return 'quarantined';
      }
      await deps.pii?.protectGuestKeys(db, shop, [order]);
      return (await submit(delivery)) ? 'processed' : 'duplicate';
    },
    async storeOrders(shop, orders) {
      return db.transaction().execute(async (trx) => upsertOrders(trx, shop, await screenOrders(trx, shop, orders, clock.now(), deps.pii)));
    },
    requestRecompute: (shop) => recompute.request(shop),
    requestRecomputeInBackground: (shop) => recompute.requestInBackground(shop),
    settled: () => recompute.settled(),
  };
}

import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { BULK_LINE_ITEM_FIELDS, ORDER_NODE_FIELDS, orderFromGraphql, sellingPlanLineOf } from '../ingest/order.ts';
import { purgeDeletedOrders, queueEveryCustomer } from '../ingest/store.ts';
import { quarantineRecord } from '../ingest/validate.ts';
import type { PiiProtector } from '../ingest/pii.ts';
import type { Clock, Logger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { createBatchReading, createBatchStore, type BatchReading, type PendingMarks } from './bulk-batches.ts';
import { readLineBatches } from './jsonl.ts';
import { ensureSyncState, loadSyncState } from './state.ts';

/** Dependencies of {@link runBackfill}. */
export interface BackfillDeps {
  db: Kysely<DB>;
  graphql: ShopGraphql;
  fetch: typeof fetch;
  clock: Clock;
  log: Logger;
  sleep: (ms: number) => Promise<void>;
  /**
   * Orders per insert transaction (a batch also ends after 20 × this many JSONL lines). Default 5,000, or 25,000 with
   * `pool` (a COPY's fixed cost is a few statements; larger batches spread it, and three batches are in memory at
   * most: two being stored, one being read).
   */
  batchSize?: number;
  /**
   * The PostgreSQL pool behind `db` (`Database.pool` when `Database.kind` is `postgres`): batches then go through
   * `COPY` on one of its connections (ingest/store.ts {@link createBulkOrderWriter}). Absent or null: row inserts (PGlite).
   */
  pool?: pg.Pool | null;
  /** Delay between bulk-operation status polls, ms. Default 1,000. */
  pollMs?: number;
  /** Called after each committed batch with the JSONL lines stored so far (progress bars, tests). */
  onProgress?: (shop: string, linesDone: number) => void;
  /** Runs `VACUUM (ANALYZE)` on the embedded database after the load. */
  vacuum?: () => Promise<void>;
  /** Turns guest keys into the shop's HMACs before they are stored (the app always passes it). */
  pii?: PiiProtector;
  /**
   * The job's signal: when it aborts (the job was handed back at a stop), the backfill ends with a `handed-back` error
   * at its next checkpoint (a status poll, or a batch committed with its line count), and the retry resumes there.
   */
  signal?: AbortSignal;
}

/** Ends a backfill whose job was handed back, at a point its retry resumes from. */
function checkHandedBack(deps: BackfillDeps, shop: string, where: string): void {
  if (deps.signal?.aborted) throw new AppError('handed-back', `backfill of ${shop} stopped ${where}; its retry resumes there`);
}

const RUN_BULK = `#graphql
mutation RunOrdersBulk($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message code } }
}`;

const BULK_STATUS = `#graphql
query BulkStatus($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount url partialDataUrl }
}`;

const ORDERS_COUNT = `#graphql
query OrdersCount { ordersCount(limit: null) { count } }`;

/**
 * The bulk query: every order of the shop with the fields the metrics need, and its line items' selling plans (one
 * child line per line item, for the subscription flag). Marked `/* GraphQL *\/` rather than `#graphql` so the text
 * sent stays as it was; the marker lets `@clvlens/test` find it and check it against Shopify's schema.
 */
export const BULK_ORDERS_QUERY = /* GraphQL */ `{ orders { edges { node { ${ORDER_NODE_FIELDS}
  ${BULK_LINE_ITEM_FIELDS} } } } }`;

interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string | number | null;
  url: string | null;
}

/** Status polls of a COMPLETED operation that reports objects but no result url yet, before giving up this run. */
const MAX_URL_WAIT_POLLS = 30;

/**
 * Backfills every order of the shop with a bulk operation, resumably:
 * 1. starts the operation (or reuses the one recorded in sync_state),
 * 2. polls it until it completes,
 * 3. streams the JSONL into `orders` in batches, each batch committed together with the number of lines done, so a
 *    restart (after a crash or kill -9) skips what is stored and continues,
 * 4. checks that the result held exactly the operation's `objectCount` lines, then marks the shop live, sets the
 *    reconciliation checkpoint to the start of the backfill (what changed during it is re-read), and queues every
 *    customer for recompute.
 *
 * Safe to run twice at once for one shop (two processes, a job and a direct call): every checkpoint write and the final
 * "live" are conditional on the operation recorded in sync_state, so a runner whose operation was replaced or already
 * finished by another never moves the state, and the line checkpoint only grows.
 * @returns false when there was nothing to do (already live, or another runner finished this operation).
 */
export async function runBackfill(deps: BackfillDeps, shop: string, options: { restart?: boolean } = {}): Promise<boolean> {
  const { db, log } = deps;
  await ensureSyncState(db, shop);
  let state = await loadSyncState(db, shop);
  if (!state) throw new AppError('sync', `no sync state for ${shop}`);
  if (state.state === 'live' && !options.restart) return false;
  let operationId = options.restart ? null : state.bulk_operation_id;
  if (operationId === null) {
    operationId = await startBulkOperation(deps, shop, options.restart === true);
    if (operationId === null) return false;
  }
  state = await loadSyncState(db, shop);
  if (!state) throw new AppError('sync', `no sync state for ${shop}`);
  const operation = await waitForBulkOperation(deps, shop, operationId);
  if (operation.status !== 'COMPLETED') {
    await db
      .updateTable('sync_state')
      .set({
        state: 'error',
        bulk_operation_id: null,
        bulk_lines_done: 0,
        message: `Bulk operation ${operation.status.toLowerCase()} (${operation.errorCode ?? 'no code'}); retrying.`,
      })
      .where('shop_id', '=', shop)
      .where('bulk_operation_id', '=', operationId)
      .execute();
    throw new AppError('sync', `bulk operation ${operationId} of ${shop} ended ${operation.status} (${operation.errorCode ?? 'no code'})`);
  }
  const expectedLines = Number(operation.objectCount ?? 0);
  const skipLines = state.bulk_operation_id === operationId ? Number(state.bulk_lines_done) : 0;
  const lines = operation.url === null ? 0 : await streamResult(deps, shop, operationId, operation.url, skipLines);
  if (lines !== expectedLines) {
    // Never live on a partial import. Fewer lines (a cut download, a url not published yet): keep the operation and
    // its checkpoint so the retry continues; more lines than Shopify counted: start over with a new operation.
    const resume = lines < expectedLines;
    await db
      .updateTable('sync_state')
      .set({
        state: 'error',
        message: `The export held ${lines} of ${expectedLines} orders; retrying.`,
        ...(resume ? {} : { bulk_operation_id: null, bulk_lines_done: 0 }),
      })
      .where('shop_id', '=', shop)
      .where('bulk_operation_id', '=', operationId)
      .execute();
    throw new AppError('sync', `bulk operation ${operationId} of ${shop}: read ${lines} lines, objectCount is ${expectedLines}`);
  }
  const startedAt = state.bulk_operation_id === operationId && state.backfill_started_at ? state.backfill_started_at : new Date(deps.clock.now());
  const marked = await db.transaction().execute(async (trx) => {
    const done = await trx
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('shop_id', '=', shop)
      .executeTakeFirstOrThrow();
    const updated = await trx
      .updateTable('sync_state')
      .set({
        state: 'live',
        orders_done: done.n,
        bulk_operation_id: null,
        bulk_url: null,
        bulk_lines_done: 0,
        reconcile_checkpoint: new Date(new Date(startedAt).getTime() - 60_000),
        last_sync_at: new Date(deps.clock.now()),
        message: null,
      })
      .where('shop_id', '=', shop)
      .where('bulk_operation_id', '=', operationId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    // The export may have been read before an order's deletion arrived (orders/delete), and its COPY can go straight
    // into the table: those orders go now, before anything is scored (every customer is queued just after).
    await purgeDeletedOrders(trx, shop);
    await queueEveryCustomer(trx, shop);
    return true;
  });
  if (!marked) {
    // Another runner finished this operation first or replaced it (restart): that runner owns the state.
    log.info('backfill superseded by another run', { shop, operation: operationId, lines });
    return false;
  }
  await deps.vacuum?.();
  log.info('backfill finished', { shop, operation: operationId, lines });
  return true;
}

/**
 * Starts the bulk operation and records it in sync_state. Unless `replace`, it is recorded only when no other
 * operation is and the shop is not live: when another runner got there first, its operation is followed instead
 * (ours finds the same orders and is left to finish unused), and null is returned if that one already made the shop live.
 */
async function startBulkOperation(deps: BackfillDeps, shop: string, replace: boolean): Promise<string | null> {
  let estimated: number | null = null;
  try {
    const count = await deps.graphql.request<{ ordersCount: { count: number } | null }>(ORDERS_COUNT, {}, 10);
    estimated = count.ordersCount ? Number(count.ordersCount.count) : null;
  } catch (error) {
    deps.log.warn('ordersCount unavailable; progress has no estimate', { shop, message: (error as Error).message });
  }
  for (let attempt = 1; ; attempt++) {
    const result = await deps.graphql.request<{
      bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: { message: string; code: string | null }[] };
    }>(RUN_BULK, { query: BULK_ORDERS_QUERY }, 10);
    const { bulkOperation, userErrors } = result.bulkOperationRunQuery;
    if (bulkOperation) {
      let update = deps.db
        .updateTable('sync_state')
        .set({
          state: 'backfilling',
          bulk_operation_id: bulkOperation.id,
          bulk_lines_done: 0,
          orders_done: 0,
          orders_estimated: estimated,
          backfill_started_at: new Date(deps.clock.now()),
          message: null,
        })
        .where('shop_id', '=', shop);
      if (!replace) update = update.where('bulk_operation_id', 'is', null).where('state', '<>', 'live');
      const recorded = await update.executeTakeFirst();
      if (Number(recorded.numUpdatedRows) === 0) {
        const other = await loadSyncState(deps.db, shop);
        deps.log.info('another backfill recorded its bulk operation first; following it', {
          shop,
          ours: bulkOperation.id,
          theirs: other?.bulk_operation_id ?? null,
          state: other?.state ?? null,
        });
        return other?.bulk_operation_id ?? null;
      }
      deps.log.info('bulk operation started', { shop, operation: bulkOperation.id, estimated });
      return bulkOperation.id;
    }
    const busy = userErrors.some((e) => e.code === 'OPERATION_IN_PROGRESS');
    if (!busy || attempt >= 30) {
      throw new AppError('sync', `bulkOperationRunQuery for ${shop} failed: ${userErrors.map((e) => e.message).join('; ')}`);
    }
    // Another runner's operation may be the one in progress: follow it once recorded.
    const other = await loadSyncState(deps.db, shop);
    if (!replace && other?.bulk_operation_id) return other.bulk_operation_id;
    if (!replace && other?.state === 'live') return null;
    await deps.sleep(deps.pollMs ?? 1000);
  }
}

async function waitForBulkOperation(deps: BackfillDeps, shop: string, id: string): Promise<BulkOperation> {
  for (let urlWaits = 0; ;) {
    const { bulkOperation } = await deps.graphql.request<{ bulkOperation: BulkOperation | null }>(BULK_STATUS, { id }, 2);
    if (!bulkOperation) {
      await deps.db
        .updateTable('sync_state')
        .set({ state: 'error', bulk_operation_id: null, bulk_lines_done: 0, message: 'The export was not found at Shopify; starting a new one.' })
        .where('shop_id', '=', shop)
        .where('bulk_operation_id', '=', id)
        .execute();
      throw new AppError('sync', `bulk operation ${id} of ${shop} not found`);
    }
    const finished = !['CREATED', 'RUNNING', 'CANCELING'].includes(bulkOperation.status);
    // Shopify's url is null only when the operation found nothing; objects without a url are not ready yet.
    const urlPending = bulkOperation.status === 'COMPLETED' && bulkOperation.url === null && Number(bulkOperation.objectCount ?? 0) > 0;
    if (finished && (!urlPending || ++urlWaits > MAX_URL_WAIT_POLLS)) return bulkOperation;
    checkHandedBack(deps, shop, 'while Shopify prepared the export');
    if (urlPending) deps.log.warn('bulk operation completed without its result url yet; polling again', { shop, operation: id });
    await deps.db
      .updateTable('sync_state')
      .set({ message: `Shopify is preparing the export (${Number(bulkOperation.objectCount ?? 0)} orders so far).` })
      .where('shop_id', '=', shop)
      .where('bulk_operation_id', '=', id)
      .execute();
    await deps.sleep(deps.pollMs ?? 1000);
  }
}

/**
 * Streams the operation's JSONL into `orders`, skipping the first `skipLines` (stored by an earlier run).
 *
 * The file holds order lines and, for each order, one child line per line item (`__parentId` = the order's gid). With
 * `groupObjects: false` (the default since API 2026-01) Shopify does not promise that children follow their parent, so
 * a line item with a selling plan marks its order wherever the order is: in the batch being read (flag set before the
 * insert), already stored (an `UPDATE` in the batch's transaction), or not stored yet (kept in `pending` until the
 * order line or a webhook stores it; only selling-plan items of orders not yet seen are held, never the file).
 *
 * `bulk_lines_done` counts JSONL lines of every kind and is the resume point: every line up to it has its effect
 * committed. A batch commits the lines it read, except that the checkpoint stays before the first line of any
 * `pending` child (its mark is not stored yet), so a restart re-reads that child; re-read orders are upserted again
 * and keep a subscription flag already stored (`insertOrdersBulk` in ingest/store.ts), so a crash anywhere, even between an order
 * and its children, loses no mark.
 * @returns the number of lines the file held (skipped ones included).
 */
async function streamResult(deps: BackfillDeps, shop: string, operationId: string, url: string, skipLines: number): Promise<number> {
  const response = await deps.fetch(url);
  if (!response.ok || !response.body) {
    // An expired or missing result: the retry starts a new operation.
    await deps.db
      .updateTable('sync_state')
      .set({ state: 'error', bulk_operation_id: null, bulk_lines_done: 0, message: `The export download failed (HTTP ${response.status}); retrying.` })
      .where('shop_id', '=', shop)
      .where('bulk_operation_id', '=', operationId)
      .execute();
    throw new AppError('sync', `bulk result of ${shop}: HTTP ${response.status}`);
  }
  const batchSize = deps.batchSize ?? (deps.pool ? 25_000 : 5000);
  const maxBatchLines = batchSize * 20;
  // The shop's key for guest orders, made now if it has none: a batch that made it would hold the shop's row until it
  // commits, after the batch before it, which may need that row too (a deadlock of the two seen under load).
  await deps.pii?.prepareShop(deps.db, shop);
  const pending: PendingMarks = new Map();
  const reading = createBatchReading();
  const batches = createBatchStore(deps, shop, operationId, pending);
  let lineNo = 0;
  let linesDone = skipLines;
  let ordersDone = 0;
  const handOver = async (): Promise<void> => {
    if (reading.lines === 0) return;
    linesDone += reading.lines;
    const orders = reading.take();
    ordersDone += orders.length;
    await batches.hand(orders, linesDone, ordersDone);
  };
  await deps.db.updateTable('sync_state').set({ bulk_url: url }).where('shop_id', '=', shop).where('bulk_operation_id', '=', operationId).execute();
  try {
    for await (const lines of readLineBatches(response.body))
      for (const line of lines) {
        lineNo++;
        // A JSON key is the only place `"__parentId"` can appear unescaped: child lines are told apart without parsing.
        const child = line.includes('"__parentId"');
        if (lineNo <= skipLines) {
          if (!child) ordersDone++;
          continue;
        }
        reading.lines++;
        // Nothing in here does I/O: whatever it throws is about this line, which is reported and skipped, since every
        // retry would stop on the same line again.
        try {
          readExportLine(line, child, lineNo, reading, pending);
        } catch (error) {
          const reason = `bulk export ${operationId}, line ${lineNo}: ${(error as Error).message}`;
          await quarantineRecord(deps.db, shop, 'bulk-line', String(lineNo), reason, deps.clock.now());
          deps.log.warn('bulk export line skipped', { shop, operation: operationId, line: lineNo, error: (error as Error).message });
        }
        if (reading.size >= batchSize || reading.lines >= maxBatchLines) {
          await handOver();
          if (deps.signal?.aborted) {
            // The batches handed over commit with their line counts, and the retry goes on after them.
            await batches.drain();
            checkHandedBack(deps, shop, `after line ${lineNo}`);
          }
        }
      }
    await handOver();
  } finally {
    // A run that fails while batches are being stored ends only when they have committed or failed, so nothing of
    // this run writes after it returned.
    await batches.settle();
  }
  await batches.drain();
  if (pending.size > 0) {
    deps.log.warn('bulk line items whose order is not in the export; their marks are dropped', { shop, operation: operationId, orders: pending.size });
  }
  return lineNo;
}

/**
 * One JSONL line of the export: an order line joins the batch; a line item with a selling plan marks its order, in
 * the batch or, when the order is not in it, in `pending` (its first such line kept). Throws on a line it cannot read.
 */
function readExportLine(line: string, child: boolean, lineNo: number, reading: BatchReading, pending: PendingMarks): void {
  if (!child) {
    // Plain JSON.parse: a GraphQL export carries every id as a gid string (and 64-bit scalars as strings), no id as a number.
    const node = JSON.parse(line) as Record<string, unknown>;
    if (typeof node['id'] === 'string' && node['id'].includes('/Order/')) reading.add(orderFromGraphql(node));
  } else if (!line.includes('"sellingPlan":null')) {
    // Most line items have no selling plan: only the others are parsed.
    const item = sellingPlanLineOf(JSON.parse(line));
    if (item !== null && item.hasSellingPlan) {
      const order = reading.find(item.orderId);
      if (order !== undefined) order.subscription = true;
      else if (!pending.has(item.orderId)) pending.set(item.orderId, lineNo);
    }
  }
}

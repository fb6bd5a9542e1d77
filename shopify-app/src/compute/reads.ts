// What a recompute reads besides orders: the recompute queue (the compute job's claim of work; only ingest/store.ts
// writes it), the deleted customers and the ids of the live insights.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { EVERY_CUSTOMER, ONE_CUSTOMER_ENTRIES, type DequeuedEntries } from '../ingest/store.ts';
import { PAGE_ROWS } from './deps.ts';
import { yieldToEventLoop } from './insights.ts';

/**
 * The first `limit` customers of the shop's recompute queue, oldest `queued_seq` first: an incremental run's work.
 * Without the whole-shop entry ({@link EVERY_CUSTOMER}), which only a full run takes.
 */
export async function readQueue(db: Kysely<DB>, shop: string, limit: number): Promise<DequeuedEntries> {
  const { rows } = await sql<{ customer_id: string; queued_seq: number }>`
    SELECT customer_id::text AS customer_id, queued_seq FROM recompute_queue WHERE shop_id = ${shop} AND ${ONE_CUSTOMER_ENTRIES}
    ORDER BY queued_seq LIMIT ${limit}`.execute(db);
  return { customerIds: rows.map((r) => r.customer_id), queuedSeqs: rows.map((r) => Number(r.queued_seq)) };
}

/**
 * The shop's whole queue, the whole-shop entry ({@link EVERY_CUSTOMER}) included: what a full run covers and removes
 * at its end. In pages of {@link PAGE_ROWS} with the event loop free in between, oldest `queued_seq` first.
 */
export async function readWholeQueue(db: Kysely<DB>, shop: string): Promise<DequeuedEntries> {
  const all: DequeuedEntries = { customerIds: [], queuedSeqs: [] };
  for (;;) {
    const after = all.queuedSeqs.length === 0 ? null : all.queuedSeqs[all.queuedSeqs.length - 1]!;
    const { rows } = await sql<{ customer_id: string; queued_seq: number }>`
      SELECT customer_id::text AS customer_id, queued_seq FROM recompute_queue WHERE shop_id = ${shop}
        ${after === null ? sql`` : sql`AND queued_seq > ${after}`}
      ORDER BY queued_seq LIMIT ${PAGE_ROWS}`.execute(db);
    for (const r of rows) {
      all.customerIds.push(r.customer_id);
      all.queuedSeqs.push(Number(r.queued_seq));
    }
    if (rows.length < PAGE_ROWS) return all;
    await yieldToEventLoop();
  }
}

/**
 * What the shop has queued, in one read: the customers (not counting the whole-shop entry) and whether the whole shop
 * is queued ({@link EVERY_CUSTOMER}: the end of a backfill), which calls for a full run.
 */
export async function queueState(db: Kysely<DB>, shop: string): Promise<{ customers: number; wholeShop: boolean }> {
  const { rows } = await sql<{ n: string | number; whole: boolean }>`
    SELECT count(*) FILTER (WHERE ${ONE_CUSTOMER_ENTRIES}) AS n, count(*) FILTER (WHERE NOT ${ONE_CUSTOMER_ENTRIES}) > 0 AS whole
    FROM recompute_queue WHERE shop_id = ${shop}`.execute(db);
  return { customers: Number(rows[0]?.n ?? 0), wholeShop: rows[0]?.whole === true };
}

/** The shop's deleted customers, among `ids` (all of them when null). */
export async function deletedCustomers(db: Kysely<DB>, shop: string, ids: readonly string[] | null): Promise<Set<string>> {
  let query = db
    .selectFrom('customers')
    .select(sql<string>`customer_id::text`.as('customer_id'))
    .where('shop_id', '=', shop)
    .where('deleted', '=', true);
  // One array parameter, not an `IN` list of one parameter per id: the list's text changed with its length, so
  // PostgreSQL parsed and planned every call anew (100 of the 110 ms this read took in a pg-processes run), and a
  // run over thousands of customers sent thousands of parameters.
  if (ids) query = query.where(sql<boolean>`customer_id = ANY(${[...ids]}::bigint[])`);
  return new Set((await query.execute()).map((r) => r.customer_id));
}

/** The ids of the shop's live (not deleted) insights, by id, read in pages with the event loop free in between. */
export async function liveInsightIds(db: Kysely<DB>, shop: string): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    let query = db
      .selectFrom('customer_insights')
      .select(sql<string>`customer_id::text`.as('customer_id'))
      .where('shop_id', '=', shop)
      .where('deleted', '=', false);
    if (ids.length > 0) query = query.where('customer_id', '>', ids[ids.length - 1]!);
    const rows = await query.orderBy('customer_insights.customer_id').limit(PAGE_ROWS).execute();
    for (const row of rows) ids.push(row.customer_id);
    if (rows.length < PAGE_ROWS) return ids;
    await yieldToEventLoop();
  }
}

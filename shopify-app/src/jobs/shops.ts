import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock } from '../log.ts';
import { asOfFor } from '../compute/insights.ts';

/** The installed shops. */
export async function activeShops(db: Kysely<DB>): Promise<string[]> {
  return (await db.selectFrom('shops').select('shop_id').where('status', '=', 'active').execute()).map((r) => r.shop_id);
}

/**
 * Active shops whose backfill is unfinished: `backfilling` (a process died in it), `error` (pg-boss used up its
 * retries) or `not-started` (the process died between the install and sending its job). Nothing is scored before a
 * shop's history is stored, so each of them must be resumed, not left for the next install.
 */
export async function shopsWithUnfinishedBackfill(db: Kysely<DB>): Promise<string[]> {
  const rows = await db
    .selectFrom('sync_state')
    .innerJoin('shops', 'shops.shop_id', 'sync_state.shop_id')
    .select('sync_state.shop_id')
    .where('sync_state.state', 'in', ['not-started', 'backfilling', 'error'])
    .where('shops.status', '=', 'active')
    .execute();
  return rows.map((r) => r.shop_id);
}

/** Active shops whose computed "as of" is before the end of their current local day (their models are a day old). */
export async function shopsOnAnEarlierDay(db: Kysely<DB>, clock: Clock): Promise<string[]> {
  const rows = await db
    .selectFrom('shops')
    .innerJoin('shop_metrics', 'shop_metrics.shop_id', 'shops.shop_id')
    .select(['shops.shop_id', 'shops.iana_timezone', 'shop_metrics.as_of'])
    .where('shops.status', '=', 'active')
    .execute();
  return rows.filter((r) => r.as_of.getTime() < asOfFor(clock.now(), r.iana_timezone ?? 'UTC')).map((r) => r.shop_id);
}

/**
 * Active shops with at least one customer queued for recompute: one probe of the queue's primary key per shop, so the
 * sweep costs the same whatever the queue holds.
 */
export async function shopsWithQueuedCustomers(db: Kysely<DB>): Promise<string[]> {
  const rows = await db
    .selectFrom('shops')
    .select('shop_id')
    .where('status', '=', 'active')
    .where(({ exists, selectFrom }) => exists(selectFrom('recompute_queue as q').select('q.shop_id').whereRef('q.shop_id', '=', 'shops.shop_id')))
    .execute();
  return rows.map((r) => r.shop_id);
}

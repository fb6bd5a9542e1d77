import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { StoredOrder } from '../ingest/order.ts';

/** A stored order for tests: a counted USD order of a customer, no refunds; `overrides` set the rest. */
export function storedOrder(overrides: Partial<StoredOrder> & Pick<StoredOrder, 'orderId' | 'placedAtMs'>): StoredOrder {
  return {
    customerId: null,
    guestKey: null,
    updatedAtMs: overrides.placedAtMs,
    currency: 'USD',
    totalMinor: 1000,
    refundedMinor: 0,
    cancelled: false,
    test: false,
    subscription: false,
    refunds: [],
    ...overrides,
  };
}

/** Empties the sync tables and leaves one active USD shop in UTC (the sync tests' starting point). */
export async function resetSyncTables(db: Kysely<DB>, shop: string): Promise<void> {
  for (const table of ['orders', 'order_refunds', 'recompute_queue', 'sync_state', 'shops'] as const) {
    await db.deleteFrom(table).execute();
  }
  await db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
}

/**
 * Records the shop's backfill as finished (`live`), as for a shop whose order history is stored: a shop without models
 * is scored only then (`historyStored` in compute/shop-state.ts).
 */
export async function markBackfilled(db: Kysely<DB>, shop: string): Promise<void> {
  await db
    .insertInto('sync_state')
    .values({ shop_id: shop, state: 'live' })
    .onConflict((oc) => oc.column('shop_id').doUpdateSet({ state: 'live' }))
    .execute();
}

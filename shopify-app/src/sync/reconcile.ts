import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { orderFromGraphql, orderNodeFields } from '../ingest/order.ts';
import { upsertOrders } from '../ingest/store.ts';
import type { Clock, Logger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { loadSyncState } from './state.ts';

const ORDERS_PAGE = `#graphql
query ReconcileOrders($cursor: String, $q: String) {
  orders(first: 25, after: $cursor, sortKey: UPDATED_AT, query: $q) {
    pageInfo { hasNextPage endCursor }
    nodes { ${orderNodeFields('(first: 10)')} }
  }
}`;

// 25 orders with up to 10 refunds each cost about 900 points, under the 1,000-point single-query limit.
/** Re-read orders this far before the checkpoint, for Shopify's search-index lag and clock skew. */
const CHECKPOINT_MARGIN_MS = 2 * 60_000;

/**
 * Pages every order updated since the shop's reconciliation checkpoint (sorted by `updated_at`) and upserts it with
 * the same newer-wins rule as webhooks, so a lost or late webhook is corrected within one interval. Advances the
 * checkpoint to the newest `updated_at` seen. Runs only for live shops (the backfill covers the rest).
 * @returns the number of order rows that changed.
 */
export async function runReconcile(
  deps: { db: Kysely<DB>; graphql: ShopGraphql; clock: Clock; log: Logger },
  shop: string,
): Promise<number> {
  const state = await loadSyncState(deps.db, shop);
  if (!state || state.state !== 'live') return 0;
  const since = new Date((state.reconcile_checkpoint?.getTime() ?? 0) - CHECKPOINT_MARGIN_MS);
  const q = `updated_at:>='${since.toISOString()}'`;
  let cursor: string | null = null;
  let newestMs = state.reconcile_checkpoint?.getTime() ?? 0;
  let changed = 0;
  for (;;) {
    const page: {
      orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: unknown[] };
    } = await deps.graphql.request(ORDERS_PAGE, { cursor, q }, 950);
    const orders = page.orders.nodes.map((node) => orderFromGraphql(node));
    if (orders.length > 0) {
      changed += await deps.db.transaction().execute((trx) => upsertOrders(trx, shop, orders));
      for (const o of orders) newestMs = Math.max(newestMs, o.updatedAtMs);
    }
    if (!page.orders.pageInfo.hasNextPage || page.orders.pageInfo.endCursor === null) break;
    cursor = page.orders.pageInfo.endCursor;
  }
  await deps.db
    .updateTable('sync_state')
    .set({ reconcile_checkpoint: new Date(newestMs), last_sync_at: new Date(deps.clock.now()) })
    .where('shop_id', '=', shop)
    .execute();
  if (changed > 0) deps.log.info('reconciliation corrected orders', { shop, changed });
  return changed;
}

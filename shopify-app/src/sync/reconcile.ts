import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { isSubscriptionOrder, ORDER_LINE_ITEMS_PAGE, orderFromGraphql, orderNodeFields, pagedLineItemFields, sellingPlansOf } from '../ingest/order.ts';
import type { OrderSink } from '../ingest/order-sink.ts';
import type { Clock, Logger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { purgeDeletedOrders } from '../ingest/store.ts';
import { loadSyncState } from './state.ts';

/**
 * Line items read with each order (their selling plans decide the subscription flag); an order with more is read
 * further with {@link ORDER_LINE_ITEMS_PAGE} unless one of these already has a selling plan.
 */
const LINE_ITEMS_PER_ORDER = 25;

/**
 * Orders per page, from Shopify's cost model (object 1, connection 2 + first × node): one order costs 1 + 5 (money
 * and customer) + 10 × 3 (refunds) + 3 + 25 × 2 (line items and their pageInfo) = 89, the page 2 + 11 × 89 + 1 = 982,
 * under the 1,000-point single-query limit.
 */
const ORDERS_PER_PAGE = 11;
const PAGE_COST = 2 + ORDERS_PER_PAGE * (39 + 2 * LINE_ITEMS_PER_ORDER) + 1;

const ORDERS_PAGE = `#graphql
query ReconcileOrders($cursor: String, $q: String) {
  orders(first: ${ORDERS_PER_PAGE}, after: $cursor, sortKey: UPDATED_AT, query: $q) {
    pageInfo { hasNextPage endCursor }
    nodes { ${orderNodeFields('(first: 10)')}
      ${pagedLineItemFields(LINE_ITEMS_PER_ORDER)} }
  }
}`;

interface LineItemsPage {
  pageInfo?: { hasNextPage?: boolean; endCursor?: string | null };
}

/** Re-read orders this far before the checkpoint, for Shopify's search-index lag and clock skew. */
const CHECKPOINT_MARGIN_MS = 2 * 60_000;

/**
 * Pages every order updated since the shop's reconciliation checkpoint (sorted by `updated_at`) and hands it to the
 * order sink, which upserts it with the same newer-wins rule as webhooks, so a lost or late webhook is corrected within one interval. Advances the
 * checkpoint to the newest `updated_at` seen, and removes again the deleted orders a late webhook stored. Runs only for
 * live shops (the backfill covers the rest).
 * @returns the number of order rows that changed.
 */
export async function runReconcile(
  deps: { db: Kysely<DB>; graphql: ShopGraphql; clock: Clock; log: Logger; orders: Pick<OrderSink, 'storeOrders'> },
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
    } = await deps.graphql.request(ORDERS_PAGE, { cursor, q }, PAGE_COST);
    const orders = page.orders.nodes.map((node) => orderFromGraphql(node));
    for (const [i, node] of page.orders.nodes.entries()) {
      const order = orders[i];
      const n = node as { id?: unknown; lineItems?: LineItemsPage };
      if (order === undefined || order.subscription || n.lineItems?.pageInfo?.hasNextPage !== true) continue;
      order.subscription = await moreLineItemsHaveSellingPlan(deps.graphql, String(n.id), n.lineItems.pageInfo.endCursor ?? null);
    }
    if (orders.length > 0) {
      changed += await deps.orders.storeOrders(shop, orders);
      for (const o of orders) newestMs = Math.max(newestMs, o.updatedAtMs);
    }
    if (!page.orders.pageInfo.hasNextPage || page.orders.pageInfo.endCursor === null) break;
    cursor = page.orders.pageInfo.endCursor;
  }
  // Orders deleted in Shopify that a webhook batch stored again after their orders/delete (ingest/store.ts).
  changed += await purgeDeletedOrders(deps.db, shop);
  await deps.db
    .updateTable('sync_state')
    .set({ reconcile_checkpoint: new Date(newestMs), last_sync_at: new Date(deps.clock.now()) })
    .where('shop_id', '=', shop)
    .execute();
  if (changed > 0) deps.log.info('reconciliation corrected orders', { shop, changed });
  return changed;
}

/** Reads the rest of an order's line items (after `cursor`) until one has a selling plan. */
async function moreLineItemsHaveSellingPlan(graphql: ShopGraphql, orderGid: string, cursor: string | null): Promise<boolean> {
  for (let after = cursor; ;) {
    const page = await graphql.request<{ order: { lineItems: LineItemsPage } | null }>(ORDER_LINE_ITEMS_PAGE, { id: orderGid, cursor: after }, 510);
    if (page.order === null) return false;
    if (isSubscriptionOrder(null, sellingPlansOf(page.order.lineItems))) return true;
    const info = page.order.lineItems.pageInfo;
    if (info?.hasNextPage !== true || !info.endCursor) return false;
    after = info.endCursor;
  }
}

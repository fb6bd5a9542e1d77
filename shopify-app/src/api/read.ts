import { DEFAULT_CHURN_HORIZON_DAYS, type ShopSummaryV1 } from '@clvlens/core';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { MAX_SHOPIFY_ID, shopifyIdOrNull } from '../ingest/order.ts';
import type { Clock } from '../log.ts';
import { ApiError } from '../errors.ts';
import type { FeedCache } from './feed-cache.ts';

/** Largest page of the delta feed. */
export const FEED_MAX_LIMIT = 5000;
export const FEED_DEFAULT_LIMIT = 1000;

/**
 * Where a reader of the delta feed stands: the last change sequence it was served, and the life of the shop's data that
 * sequence belongs to (when the shop's row was created, UTC ms; null in cursors of app versions before it). A shop's
 * sequence starts again at 0 when its data is erased (`shop/redact`, 48 hours after an uninstall) and it installs the
 * app again, so a sequence alone cannot tell a reader from that earlier life.
 */
export interface FeedCursor {
  seq: number;
  life: number | null;
}

/** Parses `since`: empty for the start, else an opaque `c<seq>.<life>` (or `c<seq>` from app versions before lives). */
export function parseCursor(since: string | undefined): FeedCursor {
  if (since === undefined || since === '') return { seq: 0, life: null };
  const m = /^c(\d{1,15})(?:\.(\d{1,15}))?$/.exec(since);
  if (!m) throw new ApiError('bad-request', `since: ${JSON.stringify(since)} is not a cursor returned by this API`);
  return { seq: Number(m[1]), life: m[2] === undefined ? null : Number(m[2]) };
}

/**
 * True when `cursor` was served in an earlier life of the shop's data: its life is not the shop's, or (a cursor without
 * a life) its sequence is past any the shop has handed out. The reader then starts over (`reset` on the page). A
 * life-less cursor from an earlier life whose sequence the new life has already passed cannot be told apart; readers
 * hold a cursor with a life after their next page.
 */
export function isFromEarlierLife(cursor: FeedCursor, shop: { life: number; insightSeq: number }): boolean {
  return cursor.life !== null ? cursor.life !== shop.life : cursor.seq > shop.insightSeq;
}

/**
 * One page of the delta feed as JSON (`CustomersFeedV1`, UTF-8): insights changed after the cursor, ordered by change
 * sequence; from the start, with `reset`, when the cursor is from an earlier life of the shop's data
 * ({@link isFromEarlierLife}). The stored payloads are spliced in as they are, never parsed, which keeps a
 * 200,000-customer sync fast; from the feed cache (PGlite) as the bytes it keeps, copied once into the page.
 */
export async function readCustomersFeed(
  db: Kysely<DB>,
  shop: string,
  since: string | undefined,
  limitText: string | undefined,
  cache: FeedCache | null = null,
): Promise<Uint8Array<ArrayBuffer>> {
  const cursor = parseCursor(since);
  let limit = FEED_DEFAULT_LIMIT;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > FEED_MAX_LIMIT) {
      throw new ApiError('bad-request', `limit must be an integer from 1 to ${FEED_MAX_LIMIT}, got ${JSON.stringify(limitText)}`);
    }
  }
  const row = await db.selectFrom('shops').select(['installed_at', 'insight_seq']).where('shop_id', '=', shop).executeTakeFirst();
  // The extension token proved an active shop, whose row exists; one erased since has nothing to serve.
  if (!row) throw new ApiError('not-found', `${shop} has no data (yet).`);
  const shopLife = { life: new Date(row.installed_at).getTime(), insightSeq: Number(row.insight_seq) };
  const reset = isFromEarlierLife(cursor, shopLife);
  const after = reset ? 0 : cursor.seq;
  const page = { after, limit, life: shopLife.life, reset };
  if (cache) return feedPage(await cache.read(db, shop, after, limit), page);
  const { rows } = await sql<{ customer_id: string; change_seq: number; deleted: boolean; payload: string | null }>`
    SELECT customer_id::text AS customer_id, change_seq, deleted, payload FROM customer_insights
    WHERE shop_id = ${shop} AND change_seq > ${after} ORDER BY change_seq LIMIT ${limit + 1}`.execute(db);
  return feedPage(
    rows.map((r) => ({ customerId: r.customer_id, seq: r.change_seq, payload: r.deleted ? null : r.payload })),
    page,
  );
}

/** The page of the first `limit` of `rows` (one more tells that there are more); a null payload is a tombstone. */
function feedPage(
  rows: readonly { customerId: string; seq: number; payload: Uint8Array | string | null }[],
  { after, limit, life, reset }: { after: number; limit: number; life: number; reset: boolean },
): Uint8Array<ArrayBuffer> {
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const parts: Uint8Array[] = [FEED_OPEN];
  const deleted: string[] = [];
  for (const row of page) {
    if (row.payload === null) {
      deleted.push(JSON.stringify(row.customerId));
      continue;
    }
    if (parts.length > 1) parts.push(COMMA);
    parts.push(typeof row.payload === 'string' ? Buffer.from(row.payload, 'utf8') : row.payload);
  }
  const last = page.length > 0 ? page[page.length - 1]!.seq : after;
  parts.push(
    Buffer.from(`],"deletedCustomerIds":[${deleted.join(',')}],"nextCursor":"c${last}.${life}","hasMore":${hasMore}${reset ? ',"reset":true' : ''}}`, 'utf8'),
  );
  return Buffer.concat(parts);
}

const FEED_OPEN = Buffer.from('{"customers":[', 'utf8');
const COMMA = Buffer.from(',', 'utf8');

/**
 * The id of an API path (`/customers/<id>`): a Shopify id in decimal, 1 to 2^63 - 1 (ids are 64-bit, compared as
 * text, never as a JavaScript number); `bad-request` naming the rule otherwise.
 */
export function parseApiId(text: string, what: 'customer' | 'order'): string {
  const id = /^\d{1,19}$/.test(text) ? shopifyIdOrNull(text) : null;
  if (id === null) {
    throw new ApiError('bad-request', `${what} id must be a numeric Shopify id (decimal digits, 1 to ${MAX_SHOPIFY_ID}), got ${JSON.stringify(text)}`);
  }
  return id;
}

/** A customer's insight as JSON text, or `not-found`. */
export async function readCustomerInsight(db: Kysely<DB>, shop: string, customerIdText: string): Promise<string> {
  const customerId = parseApiId(customerIdText, 'customer');
  const row = await db
    .selectFrom('customer_insights')
    .select(['payload', 'deleted'])
    .where('shop_id', '=', shop)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (!row || row.deleted || row.payload === null) throw new ApiError('not-found', `No insight for customer ${customerIdText} in ${shop} (yet).`);
  return row.payload;
}

/** The insight of an order's customer, or `not-found` (unknown order, or a guest order). */
export async function readOrderCustomerInsight(db: Kysely<DB>, shop: string, orderIdText: string): Promise<string> {
  const orderId = parseApiId(orderIdText, 'order');
  const order = await db
    .selectFrom('orders')
    .select(sql<string | null>`customer_id::text`.as('customer_id'))
    .where('shop_id', '=', shop)
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (!order) throw new ApiError('not-found', `Order ${orderIdText} is not known in ${shop} (yet).`);
  if (order.customer_id === null) throw new ApiError('guest-order', `Order ${orderIdText} has no customer (guest checkout).`);
  return readCustomerInsight(db, shop, order.customer_id);
}

/** The sync part of the shop summary, from sync_state. */
export async function readSyncStatus(db: Kysely<DB>, shop: string): Promise<ShopSummaryV1['sync']> {
  const state = await db.selectFrom('sync_state').selectAll().where('shop_id', '=', shop).executeTakeFirst();
  if (!state) return { state: 'not-started', ordersDone: 0, ordersEstimated: null, lastSyncAtMs: null, message: null };
  let ordersDone = Number(state.orders_done);
  if (state.state === 'live') {
    const count = await db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('shop_id', '=', shop)
      .executeTakeFirstOrThrow();
    ordersDone = count.n;
  }
  const known = ['not-started', 'backfilling', 'live', 'error'] as const;
  return {
    state: (known as readonly string[]).includes(state.state) ? (state.state as (typeof known)[number]) : 'error',
    ordersDone,
    ordersEstimated: state.orders_estimated === null ? null : Number(state.orders_estimated),
    lastSyncAtMs: state.last_sync_at?.getTime() ?? null,
    message: state.message,
  };
}

/**
 * The shop summary: the last computed metrics plus the live sync status. `churnHorizonDays` (the app's setting) fills
 * in the horizon until the first computation, and for metrics stored before the summary carried it.
 */
export async function readShopSummary(db: Kysely<DB>, clock: Clock, shop: string, churnHorizonDays = DEFAULT_CHURN_HORIZON_DAYS): Promise<ShopSummaryV1> {
  const [metrics, shopRow, sync] = await Promise.all([
    db.selectFrom('shop_metrics').select(['payload']).where('shop_id', '=', shop).executeTakeFirst(),
    db.selectFrom('shops').select(['currency', 'iana_timezone']).where('shop_id', '=', shop).executeTakeFirst(),
    readSyncStatus(db, shop),
  ]);
  // The shop's zone as Shopify gave it at install (the zone the metrics were computed in, and the admin's).
  const timeZone = shopRow?.iana_timezone ?? 'UTC';
  if (metrics) {
    // Metrics stored before the summary carried the churn horizon and backtest lack them until the next full run.
    const stored = JSON.parse(metrics.payload) as Partial<Omit<ShopSummaryV1, 'sync'>> & Omit<ShopSummaryV1, 'sync' | 'churnHorizonDays' | 'churnBacktest'>;
    return {
      ...stored,
      churnHorizonDays: stored.churnHorizonDays ?? churnHorizonDays,
      churnBacktest: stored.churnBacktest ?? null,
      shopDomain: shop,
      timeZone,
      sync,
    };
  }
  // Nothing computed yet (the history being imported, or its first run waiting): say so (`metricsPending`, with
  // sync.state) and zero counts, not invented numbers.
  return {
    shopDomain: shop,
    currency: shopRow?.currency ?? 'USD',
    asOfMs: clock.now(),
    timeZone,
    sync,
    metricsPending: true,
    customers: 0,
    repeatPurchaseRate: { windowDays: 365, value: 0 },
    returningCustomerRate: 0,
    averageClvMinor: 0,
    averagePredictedClvMinor: null,
    churn: { d30: 0, d60: 0, d90: 0 },
    churnHorizonDays,
    churnBacktest: null,
    churnTrend: { weekStartMs: [], d30: [], d60: [], d90: [] },
    topAtRisk: [],
  };
}

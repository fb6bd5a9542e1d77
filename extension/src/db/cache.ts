import type { IDBPDatabase } from 'idb';
import type { PlainError } from '../errors.ts';
import type { CustomerInsightV1 } from '@clvlens/core';
import {
  CHUNK_MAX_CUSTOMERS,
  CHUNK_TARGET_BYTES,
  type CachedCustomer,
  type CustomerChunk,
  type NoticeRecord,
  type OrderCustomerRecord,
  type RetentionDB,
  type ShopRecord,
} from './schema.ts';

export type RetentionDb = IDBPDatabase<RetentionDB>;

/**
 * Copies the fields a badge or card needs from an API insight; anything else (should the app ever send a name) is
 * left behind. So are the `churnReasons` of app versions before 2026-12-07: English sentences, where the card words
 * its own reasons from the numbers in the browser's language (utils/customer-facts.ts). They were a fifth of what a
 * customer took to store: 844 bytes a cached customer with them, 670 without, on the CDNOW bench shop.
 */
export function toCachedCustomer(shopDomain: string, insight: CustomerInsightV1): CachedCustomer {
  return {
    shopDomain,
    customerId: String(insight.customerId),
    currency: insight.currency,
    orderCount: insight.orderCount,
    isRepeat: insight.isRepeat,
    historicClvMinor: insight.historicClvMinor,
    predictedClvMinor: insight.predictedClvMinor,
    averageOrderValueMinor: insight.averageOrderValueMinor,
    firstOrderAtMs: insight.firstOrderAtMs,
    lastOrderAtMs: insight.lastOrderAtMs,
    daysSinceLastOrder: insight.daysSinceLastOrder,
    expectedNextOrderAtMs: insight.expectedNextOrderAtMs,
    overdue: insight.overdue,
    pAlive: insight.pAlive,
    churnProbability: insight.churnProbability,
    // An app from before issue 11 sends neither field.
    churnHorizonDays: typeof insight.churnHorizonDays === 'number' ? insight.churnHorizonDays : null,
    newCustomer: insight.newCustomer === true,
    churnTier: insight.churnTier,
    confidence: insight.confidence,
    rfmSegment: insight.rfmSegment,
    orderHistory: insight.orderHistory.map((o) => ({ placedAtMs: o.placedAtMs, amountMinor: o.amountMinor })),
    // Absent from apps before issue 12.
    notCountedOrders: (insight.notCountedOrders ?? []).map((o) => ({ placedAtMs: o.placedAtMs, reason: o.reason })),
    updatedAtMs: insight.updatedAtMs,
  };
}

export async function getShop(db: RetentionDb, shopDomain: string): Promise<ShopRecord | undefined> {
  return db.get('shops', shopDomain);
}

export async function getShopByHandle(db: RetentionDb, storeHandle: string): Promise<ShopRecord | undefined> {
  return db.getFromIndex('shops', 'byStoreHandle', storeHandle.toLowerCase());
}

/** What every badge lookup needs about a connected shop: its domain and the time zone its admin shows dates in. */
export interface ShopKey {
  shopDomain: string;
  /** The shop's IANA zone from its summary; null before the first summary, or from an app that does not send it. */
  timeZone: string | null;
  /** Why the last sync failed (the cache may be out of date); null after a good one. */
  problem: PlainError | null;
  /** The app has computed nothing for the shop yet (its summary's `metricsPending`): no customer has figures yet. */
  metricsPending: boolean;
}

// store handle -> shop key of connected shops, per open database. Every badge lookup starts here, and a read from
// IndexedDB would be one more round trip to the storage process; connect, disconnect and summaries change it.
const domainsByHandle = new WeakMap<RetentionDb, Map<string, ShopKey>>();

/** The {@link ShopKey} of a stored shop. */
export const shopKeyOf = (shop: ShopRecord): ShopKey => ({
  shopDomain: shop.shopDomain,
  timeZone: shop.summary?.timeZone ?? null,
  problem: shop.lastError,
  metricsPending: shop.summary?.metricsPending === true,
});

/** The connected shop with this store handle (null when none), from memory after the first read. */
export async function getShopKeyByHandle(db: RetentionDb, storeHandle: string): Promise<ShopKey | null> {
  const handle = storeHandle.toLowerCase();
  let known = domainsByHandle.get(db);
  const hit = known?.get(handle);
  if (hit !== undefined) return hit;
  const shop = await getShopByHandle(db, handle);
  if (!shop) return null;
  if (!known) domainsByHandle.set(db, (known = new Map()));
  const key = shopKeyOf(shop);
  known.set(handle, key);
  return key;
}

/** The domain of the connected shop with this store handle (null when none), from memory after the first read. */
export async function getShopDomainByHandle(db: RetentionDb, storeHandle: string): Promise<string | null> {
  return (await getShopKeyByHandle(db, storeHandle))?.shopDomain ?? null;
}

/** Status reads: every shop and notice in one transaction (the popup waits for it before its first render). */
export async function listShopsAndNotices(db: RetentionDb): Promise<{ shops: ShopRecord[]; notices: NoticeRecord[] }> {
  const tx = db.transaction(['shops', 'notices'], 'readonly');
  const [shops, notices] = await Promise.all([tx.objectStore('shops').getAll(), tx.objectStore('notices').getAll(), tx.done]);
  return { shops, notices };
}

export async function listShops(db: RetentionDb): Promise<ShopRecord[]> {
  return db.getAll('shops');
}

export async function putShop(db: RetentionDb, shop: ShopRecord): Promise<void> {
  domainsByHandle.delete(db);
  await db.put('shops', shop);
}

/** Applies a change to the stored shop record, if the shop is still connected (it may be disconnected mid-sync). */
export async function updateShop(db: RetentionDb, shopDomain: string, change: (shop: ShopRecord) => ShopRecord): Promise<ShopRecord | undefined> {
  const tx = db.transaction('shops', 'readwrite');
  const current = await tx.store.get(shopDomain);
  if (!current) {
    await tx.done;
    return undefined;
  }
  const next = change(current);
  if (next.storeHandle !== current.storeHandle) domainsByHandle.delete(db);
  await tx.store.put(next);
  await tx.done;
  // A new summary may carry another time zone: the remembered key follows the stored record.
  domainsByHandle.get(db)?.set(next.storeHandle.toLowerCase(), shopKeyOf(next));
  return next;
}

/** All keys of one shop in a `[shopDomain, ...]`-keyed store: arrays sort after strings and numbers. */
export function shopKeyRange(shopDomain: string): IDBKeyRange {
  return IDBKeyRange.bound([shopDomain], [shopDomain, []]);
}

/** customerId -> chunk seq for one shop, kept in memory by the only writer (the background). */
type ChunkIndex = Map<string, number>;

// Per open database, per shop. Loaded lazily from the small `chunkIds` store; updated after each committed write.
const indexes = new WeakMap<RetentionDb, Map<string, Promise<ChunkIndex>>>();
// Writes to one shop's chunks are serialised: each decides "new or existing" from the index.
const writeQueues = new WeakMap<RetentionDb, Map<string, Promise<unknown>>>();

function shopIndex(db: RetentionDb, shopDomain: string): Promise<ChunkIndex> {
  let perDb = indexes.get(db);
  if (!perDb) indexes.set(db, (perDb = new Map()));
  let index = perDb.get(shopDomain);
  if (!index) {
    index = db.getAll('chunkIds', shopKeyRange(shopDomain)).then((records) => {
      const map: ChunkIndex = new Map();
      for (const r of records) for (const id of r.ids) map.set(id, r.seq);
      return map;
    });
    perDb.set(shopDomain, index);
    index.catch(() => perDb.delete(shopDomain));
  }
  return index;
}

function forgetIndex(db: RetentionDb, shopDomain: string): void {
  indexes.get(db)?.delete(shopDomain);
}

function serialised<T>(db: RetentionDb, shopDomain: string, fn: () => Promise<T>): Promise<T> {
  let perDb = writeQueues.get(db);
  if (!perDb) writeQueues.set(db, (perDb = new Map()));
  const run = (perDb.get(shopDomain) ?? Promise.resolve()).then(fn, fn);
  perDb.set(
    shopDomain,
    run.catch(() => undefined),
  );
  return run;
}

/**
 * Upserts and deletes customers of one shop in one transaction, optionally changing the shop record with it.
 * Changed customers are rewritten in their chunk; new ones are appended in fresh chunks of about
 * {@link CHUNK_TARGET_BYTES}. Returns false (and writes nothing) when the shop is not connected.
 */
function writeCustomers(
  db: RetentionDb,
  shopDomain: string,
  customers: readonly CachedCustomer[],
  deletedIds: readonly string[],
  changeShop: (shop: ShopRecord) => ShopRecord,
): Promise<boolean> {
  return serialised(db, shopDomain, async () => {
    const index = await shopIndex(db, shopDomain);
    // Last write wins within one call, as in the feed. Each customer is turned into its stored text once, here.
    const upserts = new Map<string, string>();
    for (const c of customers) upserts.set(c.customerId, JSON.stringify(c));
    const deletes = new Set(deletedIds);
    for (const id of deletes) upserts.delete(id);
    const touched = new Set<number>();
    const fresh: [string, string][] = [];
    for (const [id, text] of upserts) {
      const seq = index.get(id);
      if (seq === undefined) fresh.push([id, text]);
      else touched.add(seq);
    }
    for (const id of deletes) {
      const seq = index.get(id);
      if (seq !== undefined) touched.add(seq);
    }

    // Relaxed durability: a page lost to a crash is fetched again from the previous cursor.
    const tx = db.transaction(['shops', 'customerChunks', 'chunkIds'], 'readwrite', { durability: 'relaxed' });
    const shops = tx.objectStore('shops');
    const chunks = tx.objectStore('customerChunks');
    const chunkIds = tx.objectStore('chunkIds');
    const shop = await shops.get(shopDomain);
    if (!shop) {
      tx.abort();
      await tx.done.catch(() => undefined);
      return false;
    }
    const indexChanges: [string, number | null][] = [];
    const writes: Promise<unknown>[] = [];
    const put = (chunk: CustomerChunk) => writes.push(chunks.put(chunk), chunkIds.put({ shopDomain, seq: chunk.seq, ids: chunk.ids }));
    const existing = await Promise.all([...touched].map((seq) => chunks.get([shopDomain, seq])));
    for (const chunk of existing) {
      if (!chunk) continue;
      const ids: string[] = [];
      const texts: string[] = [];
      chunk.ids.forEach((id, i) => {
        if (deletes.has(id)) {
          indexChanges.push([id, null]);
          return;
        }
        ids.push(id);
        texts.push(upserts.get(id) ?? chunk.texts[i]!);
      });
      if (ids.length === 0) writes.push(chunks.delete([shopDomain, chunk.seq]), chunkIds.delete([shopDomain, chunk.seq]));
      else put({ shopDomain, seq: chunk.seq, ids, texts });
    }
    let seq = shop.nextChunkSeq;
    let next: CustomerChunk = { shopDomain, seq, ids: [], texts: [] };
    let bytes = 0;
    for (const [id, text] of fresh) {
      next.ids.push(id);
      next.texts.push(text);
      indexChanges.push([id, seq]);
      bytes += text.length;
      if (bytes >= CHUNK_TARGET_BYTES || next.ids.length === CHUNK_MAX_CUSTOMERS) {
        put(next);
        next = { shopDomain, seq: ++seq, ids: [], texts: [] };
        bytes = 0;
      }
    }
    if (next.ids.length > 0) {
      put(next);
      seq++;
    }
    const removed = indexChanges.filter(([, s]) => s === null).length;
    const nextShop = changeShop({
      ...shop,
      nextChunkSeq: seq,
      cachedCustomers: index.size + fresh.length - removed,
    });
    writes.push(shops.put(nextShop));
    try {
      await Promise.all([...writes, tx.done]);
    } catch (error) {
      forgetIndex(db, shopDomain);
      throw error;
    }
    for (const [id, s] of indexChanges) {
      if (s === null) index.delete(id);
      else index.set(id, s);
    }
    return true;
  });
}

/**
 * Writes one delta-feed page atomically: upserts, deletions and the new cursor commit together, so an interrupted
 * sync resumes from the last complete page. Returns false when the shop was disconnected meanwhile.
 */
export async function applyFeedPage(
  db: RetentionDb,
  shopDomain: string,
  page: { customers: CachedCustomer[]; deletedCustomerIds: string[]; nextCursor: string },
  nowMs: number,
): Promise<boolean> {
  return writeCustomers(db, shopDomain, page.customers, page.deletedCustomerIds, (shop) => ({
    ...shop,
    cursor: page.nextCursor,
    lastUsedAtMs: nowMs,
    evicted: false,
  }));
}

/** Upserts one customer (e.g. fetched for an order page) without moving the feed cursor. */
export async function putCustomer(db: RetentionDb, customer: CachedCustomer): Promise<void> {
  await writeCustomers(db, customer.shopDomain, [customer], [], (shop) => shop);
}

/**
 * The stored JSON texts of these customers of one shop (those cached), read from their chunks in one read-only
 * transaction, without parsing them: what a lookup passes on to the page as it is.
 */
export async function getCustomerTexts(db: RetentionDb, shopDomain: string, customerIds: readonly string[]): Promise<Map<string, string>> {
  const index = await shopIndex(db, shopDomain);
  const wanted = new Map<number, Set<string>>();
  for (const id of customerIds) {
    const seq = index.get(id);
    if (seq === undefined) continue;
    let set = wanted.get(seq);
    if (!set) wanted.set(seq, (set = new Set()));
    set.add(id);
  }
  const out = new Map<string, string>();
  if (wanted.size === 0) return out;
  const tx = db.transaction('customerChunks', 'readonly');
  // A read-only transaction's results are final when its requests succeed: waiting for its 'complete' event as well
  // would cost one more round trip to the storage backend on every badge lookup. Its failure still rejects the reads.
  tx.done.catch(() => undefined);
  const chunks = await Promise.all([...wanted.keys()].map((seq) => tx.store.get([shopDomain, seq])));
  for (const chunk of chunks) {
    if (!chunk) continue;
    const ids = wanted.get(chunk.seq);
    chunk.ids.forEach((id, i) => {
      if (ids?.has(id)) out.set(id, chunk.texts[i]!);
    });
  }
  return out;
}

export async function getCustomers(db: RetentionDb, shopDomain: string, customerIds: readonly string[]): Promise<Map<string, CachedCustomer>> {
  const out = new Map<string, CachedCustomer>();
  // Only the wanted customers are parsed: our own JSON.stringify of a CachedCustomer (see writeCustomers).
  for (const [id, text] of await getCustomerTexts(db, shopDomain, customerIds)) out.set(id, JSON.parse(text) as CachedCustomer);
  return out;
}

/** Customers cached for a shop (from the in-memory index). */
export async function countCustomers(db: RetentionDb, shopDomain: string): Promise<number> {
  return (await shopIndex(db, shopDomain)).size;
}

export async function getOrderCustomers(db: RetentionDb, shopDomain: string, orderIds: readonly string[]): Promise<Map<string, OrderCustomerRecord>> {
  const tx = db.transaction('orderCustomers', 'readonly');
  tx.done.catch(() => undefined); // read-only: the reads are final when they succeed (see getCustomerTexts)
  const found = await Promise.all(orderIds.map((id) => tx.store.get([shopDomain, id])));
  const out = new Map<string, OrderCustomerRecord>();
  for (const r of found) if (r) out.set(r.orderId, r);
  return out;
}

export async function putOrderCustomer(db: RetentionDb, record: OrderCustomerRecord): Promise<void> {
  await db.put('orderCustomers', record);
}

/** Deletes every cached record of a shop (customers and order mappings), keeping or dropping the shop record. */
export function clearShopCache(db: RetentionDb, shopDomain: string, opts: { dropShop: boolean }): Promise<void> {
  return serialised(db, shopDomain, async () => {
    if (opts.dropShop) domainsByHandle.delete(db);
    const tx = db.transaction(['shops', 'customerChunks', 'chunkIds', 'orderCustomers'], 'readwrite');
    const range = shopKeyRange(shopDomain);
    const shops = tx.objectStore('shops');
    const shop = await shops.get(shopDomain);
    await Promise.all([
      tx.objectStore('customerChunks').delete(range),
      tx.objectStore('chunkIds').delete(range),
      tx.objectStore('orderCustomers').delete(range),
      opts.dropShop ? shops.delete(shopDomain) : shop ? shops.put({ ...shop, cachedCustomers: 0 }) : Promise.resolve(),
      tx.done,
    ]);
    // Again after the commit: a lookup meanwhile may have read the shop before it was dropped.
    if (opts.dropShop) domainsByHandle.delete(db);
    forgetIndex(db, shopDomain);
  });
}

export async function addNotice(db: RetentionDb, notice: NoticeRecord): Promise<void> {
  await db.add('notices', notice);
}

export async function listNotices(db: RetentionDb): Promise<NoticeRecord[]> {
  return db.getAll('notices');
}

export async function clearNotices(db: RetentionDb): Promise<void> {
  await db.clear('notices');
}

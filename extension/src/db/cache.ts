import type { IDBPDatabase } from 'idb';
import type { CustomerInsightV1 } from '@clvlens/core';
import type { CachedCustomer, NoticeRecord, OrderCustomerRecord, RetentionDB, ShopRecord } from './schema.ts';

export type RetentionDb = IDBPDatabase<RetentionDB>;

/** Copies the fields a badge or card needs from an API insight; anything else (should the app ever send a name)
 * is left behind. */
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
    churnTier: insight.churnTier,
    churnReasons: insight.churnReasons.map(String),
    confidence: insight.confidence,
    rfmSegment: insight.rfmSegment,
    orderHistory: insight.orderHistory.map((o) => ({ placedAtMs: o.placedAtMs, amountMinor: o.amountMinor })),
    updatedAtMs: insight.updatedAtMs,
  };
}

export async function getShop(db: RetentionDb, shopDomain: string): Promise<ShopRecord | undefined> {
  return db.get('shops', shopDomain);
}

export async function getShopByHandle(db: RetentionDb, storeHandle: string): Promise<ShopRecord | undefined> {
  return db.getFromIndex('shops', 'byStoreHandle', storeHandle.toLowerCase());
}

export async function listShops(db: RetentionDb): Promise<ShopRecord[]> {
  return db.getAll('shops');
}

export async function putShop(db: RetentionDb, shop: ShopRecord): Promise<void> {
  await db.put('shops', shop);
}

/** Applies a change to the stored shop record, if the shop is still connected (it may be disconnected mid-sync). */
export async function updateShop(
  db: RetentionDb,
  shopDomain: string,
  change: (shop: ShopRecord) => ShopRecord,
): Promise<ShopRecord | undefined> {
  const tx = db.transaction('shops', 'readwrite');
  const current = await tx.store.get(shopDomain);
  if (!current) {
    await tx.done;
    return undefined;
  }
  const next = change(current);
  await tx.store.put(next);
  await tx.done;
  return next;
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
  const tx = db.transaction(['shops', 'customers'], 'readwrite');
  const shops = tx.objectStore('shops');
  const customers = tx.objectStore('customers');
  const shop = await shops.get(shopDomain);
  if (!shop) {
    tx.abort();
    await tx.done.catch(() => undefined);
    return false;
  }
  // Issue every request without awaiting each: they queue in order on the transaction, which is much faster.
  const writes: Promise<unknown>[] = [];
  for (const c of page.customers) writes.push(customers.put(c));
  for (const id of page.deletedCustomerIds) writes.push(customers.delete([shopDomain, id]));
  writes.push(shops.put({ ...shop, cursor: page.nextCursor, lastUsedAtMs: nowMs, evicted: false }));
  await Promise.all([...writes, tx.done]);
  return true;
}

export async function getCustomers(
  db: RetentionDb,
  shopDomain: string,
  customerIds: readonly string[],
): Promise<Map<string, CachedCustomer>> {
  const tx = db.transaction('customers', 'readonly');
  const found = await Promise.all(customerIds.map((id) => tx.store.get([shopDomain, id])));
  await tx.done;
  const out = new Map<string, CachedCustomer>();
  for (const c of found) if (c) out.set(c.customerId, c);
  return out;
}

export async function putCustomer(db: RetentionDb, customer: CachedCustomer): Promise<void> {
  await db.put('customers', customer);
}

export async function countCustomers(db: RetentionDb, shopDomain: string): Promise<number> {
  return db.countFromIndex('customers', 'byShop', shopDomain);
}

export async function getOrderCustomers(
  db: RetentionDb,
  shopDomain: string,
  orderIds: readonly string[],
): Promise<Map<string, OrderCustomerRecord>> {
  const tx = db.transaction('orderCustomers', 'readonly');
  const found = await Promise.all(orderIds.map((id) => tx.store.get([shopDomain, id])));
  await tx.done;
  const out = new Map<string, OrderCustomerRecord>();
  for (const r of found) if (r) out.set(r.orderId, r);
  return out;
}

export async function putOrderCustomer(db: RetentionDb, record: OrderCustomerRecord): Promise<void> {
  await db.put('orderCustomers', record);
}

/** Deletes every cached record of a shop (customers and order mappings), keeping or dropping the shop record. */
export async function clearShopCache(db: RetentionDb, shopDomain: string, opts: { dropShop: boolean }): Promise<void> {
  const tx = db.transaction(['shops', 'customers', 'orderCustomers'], 'readwrite');
  const range = IDBKeyRange.bound([shopDomain], [shopDomain, []]);
  await Promise.all([
    tx.objectStore('customers').delete(range),
    tx.objectStore('orderCustomers').delete(range),
    opts.dropShop ? tx.objectStore('shops').delete(shopDomain) : Promise.resolve(),
    tx.done,
  ]);
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

import type { CustomersFeedV1 } from '@clvlens/core';
import { ExtensionError, ExtensionErrorCode, isQuotaError, toPlainError } from '../errors.ts';
import { addNotice, applyFeedPage, clearShopCache, countCustomers, getShop, listShops, updateShop, type RetentionDb, toCachedCustomer } from '../db/cache.ts';
import { createApiClient, type FetchLike } from './api-client.ts';

export interface SyncDeps {
  db: RetentionDb;
  fetch: FetchLike;
  /** Wall clock, UTC epoch ms (injected so tests control it). */
  nowMs: () => number;
  /** Customers per feed page (`limit`); the app may cap it. */
  pageSize?: number;
  /**
   * Told after each committed page which customer ids it changed (null once more than {@link CHANGED_IDS_CAP}
   * changed in this run: then treat every customer as changed). Pages are reported as they commit, so a run that
   * fails later still reports what it did write.
   */
  onChanged?: (customerIds: string[] | null) => void;
}

/**
 * `full`: the shop summary, then the feed, with the shop shown as syncing (connect, alarm, "Sync now").
 * `delta`: the freshness check behind visible badges, every few seconds: the feed only, the summary only when
 * something changed, and no write at all when the feed page is empty (the common case).
 */
export type SyncMode = 'full' | 'delta';

export interface SyncResult {
  shopDomain: string;
  pages: number;
  customersReceived: number;
  customersDeleted: number;
  /** Shops whose cache was evicted to make room during this sync. */
  evictedShops: string[];
  /**
   * Ids upserted or deleted by this run, in feed order, capped at {@link CHANGED_IDS_CAP}; null when more changed
   * than that (an initial sync): then every customer counts as changed.
   */
  changedCustomerIds: string[] | null;
}

export const CHANGED_IDS_CAP = 5000;

/** The app refused the feed cursor: HTTP 400 to a feed request (the extension's own `limit` is always valid). */
function isRefusedCursor(error: unknown): boolean {
  return error instanceof ExtensionError && error.code === ExtensionErrorCode.appError && error.params?.['status'] === 400;
}

export const DEFAULT_PAGE_SIZE = 2500;

/**
 * Frees space by dropping the cached customers of the least recently used other shop. The shop stays connected and
 * is marked `evicted`, so its next on-demand sync starts from scratch; the user gets a notice. Returns the evicted
 * shop's domain, or null when no other shop has a cache to drop.
 */
export async function evictOldestShop(db: RetentionDb, exceptShopDomain: string, nowMs: number): Promise<string | null> {
  const candidates = (await listShops(db)).filter((s) => s.shopDomain !== exceptShopDomain && !s.evicted).sort((a, b) => a.lastUsedAtMs - b.lastUsedAtMs);
  const victim = candidates[0];
  if (!victim) return null;
  await clearShopCache(db, victim.shopDomain, { dropShop: false });
  await updateShop(db, victim.shopDomain, (s) => ({ ...s, evicted: true, cursor: null, cachedCustomers: 0 }));
  await addNotice(db, {
    atMs: nowMs,
    message:
      `Browser storage was full, so CLV Lens removed its cached data for ${victim.shopDomain} (the shop used least ` +
      `recently) to make room for ${exceptShopDomain}. Press "Sync now" for ${victim.shopDomain} to fetch it again.`,
    evicted: { shop: victim.shopDomain, forShop: exceptShopDomain },
  });
  return victim.shopDomain;
}

/**
 * Brings one shop's cache up to date: the shop summary, then the delta feed from the stored cursor until `hasMore`
 * is false. Each page commits with its cursor, so an interrupted sync resumes where it stopped. Throws
 * {@link ExtensionError}; the shop record then carries the error for the popup.
 */
export async function syncShop(deps: SyncDeps, shopDomain: string, mode: SyncMode = 'full'): Promise<SyncResult> {
  const { db } = deps;
  const shop = await getShop(db, shopDomain);
  if (!shop) {
    throw new ExtensionError(ExtensionErrorCode.notConnected, `${shopDomain} is not connected. Connect it from the options page.`, {
      params: { shop: shopDomain },
    });
  }
  if (mode === 'full') await updateShop(db, shopDomain, (s) => ({ ...s, syncState: 'syncing' }));
  const client = createApiClient(deps.fetch, shop.appUrl, shop.token);
  const result: SyncResult = {
    shopDomain,
    pages: 0,
    customersReceived: 0,
    customersDeleted: 0,
    evictedShops: [],
    changedCustomerIds: [],
  };
  /** Reports changed ids; null: every customer of the shop changed. */
  const noteChanged = (ids: string[] | null) => {
    if (!result.changedCustomerIds || ids?.length === 0) return;
    if (ids === null || result.changedCustomerIds.length + ids.length > CHANGED_IDS_CAP) {
      result.changedCustomerIds = null;
      deps.onChanged?.(null);
    } else {
      result.changedCustomerIds.push(...ids);
      deps.onChanged?.(ids);
    }
  };
  try {
    if (mode === 'full') {
      const summary = await client.summary();
      await updateShop(db, shopDomain, (s) => ({ ...s, summary }));
    }
    let cursor = shop.evicted ? null : shop.cursor;
    const limit = deps.pageSize ?? DEFAULT_PAGE_SIZE;
    let pending = client.customersPage(cursor, limit);
    // Once per run: the app refused the stored cursor, and the feed starts over from the beginning.
    let restarted = false;
    for (;;) {
      let page: CustomersFeedV1;
      try {
        page = await pending;
      } catch (error) {
        if (restarted || cursor === null || !isRefusedCursor(error)) throw error;
        // The app answers 400 to a cursor it did not hand out: one stored from another version of the app (while a
        // deploy rolls across its processes, or after a downgrade) or another installation. Waiting would fail the
        // same way on every sync; starting over, as on a reset, brings the cache back in line with the app.
        restarted = true;
        cursor = null;
        pending = client.customersPage(null, limit);
        page = await pending;
      }
      // Fetch the next page while this one is written: network and IndexedDB overlap.
      if (page.hasMore) {
        pending = client.customersPage(page.nextCursor, limit);
        pending.catch(() => undefined);
      }
      if (mode === 'delta' && page.customers.length === 0 && page.deletedCustomerIds.length === 0 && page.nextCursor === cursor && !page.hasMore) {
        // Nothing changed: a freshness check costs one small GET and no IndexedDB write.
        if (shop.syncState !== 'idle' || shop.lastError !== null) {
          await updateShop(db, shopDomain, (s) => ({ ...s, syncState: 'idle', lastError: null, lastSyncAtMs: deps.nowMs() }));
        }
        return result;
      }
      if (page.reset === true || (restarted && cursor === null)) {
        // The feed starts over with this page: the app's data for this shop started over (uninstalled, erased 48
        // hours later, installed again: `reset`), or the app refused the stored cursor. Every customer cached from
        // before may be gone or changed.
        await clearShopCache(db, shopDomain, { dropShop: false });
        noteChanged(null);
      }
      const cached = page.customers.map((c) => toCachedCustomer(shopDomain, c));
      const write = () =>
        applyFeedPage(db, shopDomain, { customers: cached, deletedCustomerIds: page.deletedCustomerIds, nextCursor: page.nextCursor }, deps.nowMs());
      let stillConnected: boolean;
      try {
        stillConnected = await write();
      } catch (error) {
        if (!isQuotaError(error)) throw error;
        const evicted = await evictOldestShop(db, shopDomain, deps.nowMs());
        if (evicted === null) {
          throw new ExtensionError(
            ExtensionErrorCode.quotaExceeded,
            `Browser storage is full: CLV Lens could cache only part of ${shopDomain}. Free disk space or disconnect ` +
              `shops you no longer use, then press "Sync now".`,
            { cause: error, params: { shop: shopDomain } },
          );
        }
        result.evictedShops.push(evicted);
        try {
          stillConnected = await write();
        } catch (retryError) {
          if (!isQuotaError(retryError)) throw retryError;
          throw new ExtensionError(
            ExtensionErrorCode.quotaExceeded,
            `Browser storage is still full after removing ${evicted}'s cache: CLV Lens could cache only part of ` +
              `${shopDomain}. Free disk space, then press "Sync now".`,
            { cause: retryError, params: { shop: shopDomain } },
          );
        }
      }
      if (!stillConnected) return result;
      result.pages++;
      result.customersReceived += page.customers.length;
      result.customersDeleted += page.deletedCustomerIds.length;
      noteChanged([...cached.map((c) => c.customerId), ...page.deletedCustomerIds]);
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    // A delta run that found changes refreshes the popup's shop numbers too (they move with every order).
    const summary = mode === 'delta' ? await client.summary() : null;
    const cachedCustomers = await countCustomers(db, shopDomain);
    await updateShop(db, shopDomain, (s) => ({
      ...s,
      ...(summary ? { summary } : {}),
      cachedCustomers,
      syncState: 'idle',
      lastSyncAtMs: deps.nowMs(),
      lastUsedAtMs: deps.nowMs(),
      lastError: null,
      evicted: false,
    }));
    return result;
  } catch (error) {
    const plain = toPlainError(error);
    await updateShop(db, shopDomain, (s) => ({ ...s, syncState: 'error', lastError: plain }));
    if (plain.code === ExtensionErrorCode.quotaExceeded) await addNotice(db, { atMs: deps.nowMs(), message: plain.message, error: plain });
    throw error;
  }
}

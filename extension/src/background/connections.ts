import { clearShopCache, getShop, getShopByHandle, listShopsAndNotices, putShop } from '../db/cache.ts';
import { ExtensionError, ExtensionErrorCode, toPlainError, type PlainError } from '../errors.ts';
import type { ResponseMap, ShopStatus } from '../messages/protocol.ts';
import { createApiClient, normalizeAppUrl, pair } from '../sync/api-client.ts';
import type { BackgroundContext } from './context.ts';
import type { SyncRunner } from './sync-runner.ts';

/** Pairing with an app, unpairing, the popup's status of every shop, and the customer names the app serves live. */
export interface Connections {
  status(): Promise<ResponseMap['status.get']>;
  connect(rawUrl: string, code: string): Promise<ResponseMap['connect']>;
  disconnect(shopDomain: string): Promise<ResponseMap['disconnect']>;
  customerNames(storeHandle: string, ids: readonly string[]): Promise<ResponseMap['customers.names']>;
}

const latest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

export function createConnections(ctx: BackgroundContext, syncer: SyncRunner): Connections {
  const { deps, db } = ctx;

  async function status(): Promise<ResponseMap['status.get']> {
    const { shops, notices } = await listShopsAndNotices(await db());
    const out: ShopStatus[] = [];
    for (const s of shops) {
      out.push({
        shopDomain: s.shopDomain,
        storeHandle: s.storeHandle,
        appUrl: s.appUrl,
        connectedAtMs: s.connectedAtMs,
        // Freshness checks run every few seconds behind the badges: only full syncs show as "syncing".
        syncState: syncer.runningMode(s.shopDomain) === 'full' ? 'syncing' : s.syncState === 'syncing' ? 'idle' : s.syncState,
        lastSyncAtMs: latest(s.lastSyncAtMs, syncer.lastCheckedAtMs(s.shopDomain)),
        lastError: s.lastError,
        evicted: s.evicted,
        cachedCustomers: s.cachedCustomers,
        summary: s.summary,
      });
    }
    return { shops: out, notices };
  }

  async function connect(rawUrl: string, code: string): Promise<ResponseMap['connect']> {
    const appUrl = normalizeAppUrl(rawUrl);
    if (code.trim() === '') {
      throw new ExtensionError(ExtensionErrorCode.pairingCodeInvalid, 'Enter the pairing code shown on the app dashboard.');
    }
    const paired = await pair(deps.fetch, appUrl, code);
    const d = await db();
    const previous = await getShop(d, paired.shopDomain);
    // A new app URL for a known shop means another installation: its cursor and cache mean nothing there.
    if (previous && previous.appUrl !== appUrl) await clearShopCache(d, paired.shopDomain, { dropShop: true });
    syncer.forget(paired.shopDomain);
    const keep = previous && previous.appUrl === appUrl ? previous : null;
    const now = deps.nowMs();
    await putShop(d, {
      shopDomain: paired.shopDomain,
      storeHandle: paired.storeHandle.toLowerCase(),
      appUrl,
      token: paired.token,
      connectedAtMs: now,
      lastUsedAtMs: now,
      cursor: keep?.cursor ?? null,
      syncState: 'idle',
      lastSyncAtMs: keep?.lastSyncAtMs ?? null,
      lastError: null,
      evicted: keep?.evicted ?? false,
      cachedCustomers: keep?.cachedCustomers ?? 0,
      nextChunkSeq: keep?.nextChunkSeq ?? 0,
      summary: keep?.summary ?? null,
    });
    // The first sync runs on after the answer; the options page follows it through status.get.
    syncer.sync(paired.shopDomain).catch(() => undefined);
    return { shopDomain: paired.shopDomain, storeHandle: paired.storeHandle.toLowerCase() };
  }

  async function disconnect(shopDomain: string): Promise<ResponseMap['disconnect']> {
    const d = await db();
    const shop = await getShop(d, shopDomain);
    if (!shop) throw new ExtensionError(ExtensionErrorCode.notConnected, `${shopDomain} is not connected.`, { params: { shop: shopDomain } });
    let unpairError: PlainError | null = null;
    try {
      await createApiClient(deps.fetch, shop.appUrl, shop.token).unpair();
    } catch (error) {
      unpairError = toPlainError(error);
    }
    await syncer.settled(shopDomain);
    await clearShopCache(d, shopDomain, { dropShop: true });
    syncer.forget(shopDomain);
    return { unpairError };
  }

  /** Names pass through in memory only: nothing here writes them to IndexedDB or storage. */
  async function customerNames(storeHandle: string, ids: readonly string[]): Promise<ResponseMap['customers.names']> {
    const shop = await getShopByHandle(await db(), storeHandle);
    const unique = [...new Set(ids)].filter((id) => /^[1-9]\d{0,18}$/.test(id)).slice(0, 50);
    if (!shop || unique.length === 0) return { names: {} };
    try {
      return { names: await createApiClient(deps.fetch, shop.appUrl, shop.token).customerNames(unique) };
    } catch {
      // Names are a nicety: without them the list shows customer numbers.
      return { names: {} };
    }
  }

  return { status, connect, disconnect, customerNames };
}

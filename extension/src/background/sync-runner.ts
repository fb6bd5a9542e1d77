import { getShopByHandle, listShops } from '../db/cache.ts';
import { ExtensionErrorCode } from '../errors.ts';
import type { ResponseMap } from '../messages/protocol.ts';
import { syncShop, type SyncMode, type SyncResult } from '../sync/sync.ts';
import type { BackgroundContext } from './context.ts';
import { createFreshness, DEFAULT_FRESHNESS } from './freshness.ts';

/** Runs shop syncs (one at a time per shop) and the freshness loop behind visible badges. */
export interface SyncRunner {
  /**
   * Syncs one shop; concurrent calls for the same shop share one run (a `full` call waits for a running `delta` one,
   * then runs). Every run's changed ids go to the freshness change log for the pages that show badges.
   */
  sync(shopDomain: string, mode?: SyncMode): Promise<SyncResult>;
  /** The mode of the shop's running sync, or null. */
  runningMode(shopDomain: string): SyncMode | null;
  /** Resolves when the shop's running sync (if any) has ended, however it ended. */
  settled(shopDomain: string): Promise<void>;
  /** When a sync (a delta check writes nothing when nothing changed) last succeeded: "last sync" in the popup. */
  lastCheckedAtMs(shopDomain: string): number | null;
  /** Drops what the runner remembers of a shop (connected anew or disconnected). */
  forget(shopDomain: string): void;
  /** A page's `fresh.poll`: changed ids since `sinceMs`, starting a delta sync when one is due. */
  pollFreshness(storeHandle: string, sinceMs: number | null): Promise<ResponseMap['fresh.poll']>;
  /** Periodic sync of every shop that is connected, not evicted and not waiting for a reconnect. */
  syncAll(): Promise<void>;
  /** Resumes syncs a stopped service worker left half done (MV3 stops idle workers). */
  resumeInterrupted(): Promise<void>;
}

export function createSyncRunner(ctx: BackgroundContext): SyncRunner {
  const { deps, db } = ctx;
  const running = new Map<string, { mode: SyncMode; run: Promise<SyncResult> }>();
  const lastCheckedAtMs = new Map<string, number>();
  const freshness = createFreshness({
    config: { ...DEFAULT_FRESHNESS, ...deps.freshness },
    nowMs: deps.nowMs,
    deltaSync: (shopDomain) => sync(shopDomain, 'delta'),
  });

  function sync(shopDomain: string, mode: SyncMode = 'full'): Promise<SyncResult> {
    const existing = running.get(shopDomain);
    if (existing && (existing.mode === 'full' || mode === 'delta')) return existing.run;
    const run = (async () => {
      await existing?.run.catch(() => undefined);
      const result = await syncShop(
        {
          db: await db(),
          fetch: deps.fetch,
          nowMs: deps.nowMs,
          ...(deps.pageSize ? { pageSize: deps.pageSize } : {}),
          onChanged: (ids) => freshness.record(shopDomain, ids),
        },
        shopDomain,
        mode,
      );
      lastCheckedAtMs.set(shopDomain, deps.nowMs());
      return result;
    })();
    const entry = { mode, run };
    running.set(shopDomain, entry);
    const forget = () => {
      if (running.get(shopDomain) === entry) running.delete(shopDomain);
    };
    run.then(forget, forget);
    return run;
  }

  return {
    sync,
    runningMode: (shopDomain) => running.get(shopDomain)?.mode ?? null,
    async settled(shopDomain) {
      await running.get(shopDomain)?.run.catch(() => undefined);
    },
    lastCheckedAtMs: (shopDomain) => lastCheckedAtMs.get(shopDomain) ?? null,
    forget(shopDomain) {
      freshness.forget(shopDomain);
      lastCheckedAtMs.delete(shopDomain);
    },
    async pollFreshness(storeHandle, sinceMs) {
      const shop = await getShopByHandle(await db(), storeHandle);
      if (!shop) return freshness.notConnected();
      // Evicted shops wait for "Sync now"; a rejected token waits for a reconnect. Pages keep polling slowly.
      const skipSync = shop.evicted || shop.lastError?.code === ExtensionErrorCode.unauthorized;
      return freshness.poll(shop.shopDomain, sinceMs, { skipSync });
    },
    async syncAll() {
      const shops = await listShops(await db());
      for (const s of shops) {
        if (s.evicted || s.lastError?.code === ExtensionErrorCode.unauthorized) continue;
        await sync(s.shopDomain).catch(() => undefined);
      }
    },
    async resumeInterrupted() {
      const shops = await listShops(await db());
      for (const s of shops) {
        if (s.syncState === 'syncing' && !running.has(s.shopDomain)) await sync(s.shopDomain).catch(() => undefined);
      }
    },
  };
}

import type { CustomerInsightV1 } from '@clvlens/core';
import {
  clearNotices,
  clearShopCache,
  countCustomers,
  getCustomerTexts,
  getOrderCustomers,
  getShop,
  getShopByHandle,
  getShopDomainByHandle,
  getShopKeyByHandle,
  listShops,
  listShopsAndNotices,
  putCustomer,
  putOrderCustomer,
  putShop,
  toCachedCustomer,
  updateShop,
  type RetentionDb,
} from '../db/cache.ts';
import type { CachedCustomer } from '../db/schema.ts';
import { ExtensionError, ExtensionErrorCode, toPlainError, type PlainError } from '../errors.ts';
import {
  DEFAULT_BADGE_SETTINGS,
  parseRequest,
  type BadgeSettings,
  type Envelope,
  type Request,
  type ResponseMap,
  type ShopStatus,
} from '../messages/protocol.ts';
import { createApiClient, normalizeAppUrl, pair, type FetchLike } from '../sync/api-client.ts';
import { syncShop, type SyncMode, type SyncResult } from '../sync/sync.ts';
import { createFreshness, DEFAULT_FRESHNESS, type FreshnessConfig } from './freshness.ts';

export interface SettingsStore {
  get(): Promise<BadgeSettings>;
  set(settings: BadgeSettings): Promise<void>;
}

export interface BackgroundDeps {
  openDb: () => Promise<RetentionDb>;
  fetch: FetchLike;
  nowMs: () => number;
  settings: SettingsStore;
  pageSize?: number;
  /** The freshness loop behind visible badges (defaults: {@link DEFAULT_FRESHNESS}). */
  freshness?: Partial<FreshnessConfig>;
}

export interface BackgroundService {
  /** Answers one message from any extension context; never throws (errors come back as `{ ok: false }`). */
  handleMessage(raw: unknown): Promise<Envelope<unknown>>;
  /**
   * Syncs one shop; concurrent calls for the same shop share one run (a `full` call waits for a running `delta` one,
   * then runs). Every run's changed ids go to the freshness change log for the pages that show badges.
   */
  sync(shopDomain: string, mode?: SyncMode): Promise<SyncResult>;
  /** Periodic sync of every shop that is connected, not evicted and not waiting for a reconnect. */
  syncAll(): Promise<void>;
  /**
   * Resumes syncs a stopped service worker left half done (MV3 stops idle workers): the feed continues from the last
   * committed page's cursor. Called when the worker starts.
   */
  resumeInterrupted(): Promise<void>;
}

/** A guest-order answer is re-checked after this long, since the app may link the order to a customer later. */
const NULL_ORDER_MAPPING_TTL_MS = 24 * 60 * 60 * 1000;
const ORDER_LOOKUP_CONCURRENCY = 4;
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** Coerces stored or received settings to the current shape, keeping only booleans it knows. */
export function normalizeSettings(raw: unknown): BadgeSettings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<string, unknown>>;
  const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
  const f = (typeof r.fields === 'object' && r.fields !== null ? r.fields : {}) as Partial<Record<string, unknown>>;
  const d = DEFAULT_BADGE_SETTINGS;
  return {
    showListBadges: bool(r.showListBadges, d.showListBadges),
    showDetailCard: bool(r.showDetailCard, d.showDetailCard),
    fields: {
      churnTier: bool(f.churnTier, d.fields.churnTier),
      predictedClv: bool(f.predictedClv, d.fields.predictedClv),
      historicClv: bool(f.historicClv, d.fields.historicClv),
      orderCount: bool(f.orderCount, d.fields.orderCount),
      overdue: bool(f.overdue, d.fields.overdue),
      repeat: bool(f.repeat, d.fields.repeat),
    },
  };
}

/**
 * `{"id": <stored text>, ...}` for a packed lookup answer: the cache's texts are JSON of a {@link CachedCustomer}
 * (written by the cache from `JSON.stringify`), spliced in as they are; `null` for ids not cached.
 */
function packCustomers(ids: readonly string[], textOf: (id: string) => string | undefined): string {
  return `{${ids.map((id) => `${JSON.stringify(id)}:${textOf(id) ?? 'null'}`).join(',')}}`;
}

const latest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

async function mapWithConcurrency<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/** The background service worker's logic, with its dependencies passed in so unit tests run it in process. */
export function createBackgroundService(deps: BackgroundDeps): BackgroundService {
  let dbPromise: Promise<RetentionDb> | null = null;
  const db = () => (dbPromise ??= deps.openDb());
  const running = new Map<string, { mode: SyncMode; run: Promise<SyncResult> }>();
  const lastUsedWrite = new Map<string, number>();
  // When a delta check last succeeded (it writes nothing when nothing changed): "last sync" in the popup.
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

  async function pollFreshness(storeHandle: string, sinceMs: number | null): Promise<ResponseMap['fresh.poll']> {
    const shop = await getShopByHandle(await db(), storeHandle);
    if (!shop) return freshness.notConnected();
    // Evicted shops wait for "Sync now"; a rejected token waits for a reconnect. Pages keep polling slowly.
    const skipSync = shop.evicted || shop.lastError?.code === ExtensionErrorCode.unauthorized;
    return freshness.poll(shop.shopDomain, sinceMs, { skipSync });
  }

  /**
   * Notes that a shop's badges were looked at (eviction picks the shop unused longest). Not awaited by lookups: the
   * read-write transaction would hold a badge's answer for a commit, and a failed write only loses a timestamp.
   */
  function touch(shopDomain: string): void {
    const now = deps.nowMs();
    if (now - (lastUsedWrite.get(shopDomain) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    lastUsedWrite.set(shopDomain, now);
    void db()
      .then((d) => updateShop(d, shopDomain, (s) => ({ ...s, lastUsedAtMs: now })))
      .catch(() => undefined);
  }

  async function lookupCustomers(storeHandle: string, ids: readonly string[], packed: boolean): Promise<ResponseMap['customers.lookup']> {
    const d = await db();
    const key = await getShopKeyByHandle(d, storeHandle);
    if (key === null) return { connected: false, shopDomain: null, customers: {} };
    const { shopDomain, timeZone, problem } = key;
    const unique = [...new Set(ids)];
    const texts = await getCustomerTexts(d, shopDomain, unique);
    touch(shopDomain);
    if (packed) return { connected: true, shopDomain, timeZone, problem, customers: {}, customersJson: packCustomers(unique, (id) => texts.get(id)) };
    const customers: Record<string, CachedCustomer | null> = {};
    for (const id of unique) {
      const text = texts.get(id);
      customers[id] = text === undefined ? null : (JSON.parse(text) as CachedCustomer);
    }
    return { connected: true, shopDomain, timeZone, problem, customers };
  }

  async function lookupOrders(storeHandle: string, orderIds: readonly string[], packed: boolean): Promise<ResponseMap['orders.lookup']> {
    const d = await db();
    const shop = await getShopByHandle(d, storeHandle);
    if (!shop) return { connected: false, shopDomain: null, customers: {}, orderCustomerIds: {} };
    const unique = [...new Set(orderIds)];
    const known = await getOrderCustomers(d, shop.shopDomain, unique);
    const now = deps.nowMs();
    const orderCustomerIds: Record<string, string | null> = {};
    const guestOrderIds: string[] = [];
    const fetched = new Map<string, CachedCustomer>();
    const misses: string[] = [];
    for (const id of unique) {
      const rec = known.get(id);
      if (rec && (rec.customerId !== null || now - rec.fetchedAtMs < NULL_ORDER_MAPPING_TTL_MS)) {
        orderCustomerIds[id] = rec.customerId;
        if (rec.guest) guestOrderIds.push(id);
      } else {
        misses.push(id);
      }
    }
    if (misses.length > 0) {
      const client = createApiClient(deps.fetch, shop.appUrl, shop.token);
      await mapWithConcurrency(misses, ORDER_LOOKUP_CONCURRENCY, async (orderId) => {
        let insight: CustomerInsightV1 | null | 'guest';
        try {
          insight = await client.orderCustomer(orderId);
        } catch {
          // Unreachable app or a transient error: show the quiet placeholder now, ask again on the next page view.
          orderCustomerIds[orderId] = null;
          return;
        }
        const guest = insight === 'guest';
        const customerId = insight && insight !== 'guest' ? String(insight.customerId) : null;
        orderCustomerIds[orderId] = customerId;
        if (guest) guestOrderIds.push(orderId);
        try {
          await putOrderCustomer(d, { shopDomain: shop.shopDomain, orderId, customerId, ...(guest ? { guest } : {}), fetchedAtMs: now });
          if (insight && insight !== 'guest') {
            const cached = toCachedCustomer(shop.shopDomain, insight);
            fetched.set(cached.customerId, cached);
            await putCustomer(d, cached);
          }
        } catch {
          // A full disk only loses this mapping: it is fetched again next time.
        }
      });
    }
    const customerIds = [...new Set(Object.values(orderCustomerIds).filter((v): v is string => v !== null))];
    const cached = await getCustomerTexts(
      d,
      shop.shopDomain,
      customerIds.filter((id) => !fetched.has(id)),
    );
    touch(shop.shopDomain);
    const base = {
      connected: true,
      shopDomain: shop.shopDomain,
      timeZone: shop.summary?.timeZone ?? null,
      problem: shop.lastError,
      orderCustomerIds,
      guestOrderIds,
    };
    const textOf = (id: string): string | undefined => {
      const f = fetched.get(id);
      return f ? JSON.stringify(f) : cached.get(id);
    };
    if (packed) return { ...base, customers: {}, customersJson: packCustomers(customerIds, textOf) };
    const customers: Record<string, CachedCustomer | null> = {};
    for (const id of customerIds) {
      const text = cached.get(id);
      customers[id] = fetched.get(id) ?? (text === undefined ? null : (JSON.parse(text) as CachedCustomer));
    }
    return { ...base, customers };
  }

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
        syncState: running.get(s.shopDomain)?.mode === 'full' ? 'syncing' : s.syncState === 'syncing' ? 'idle' : s.syncState,
        lastSyncAtMs: latest(s.lastSyncAtMs, lastCheckedAtMs.get(s.shopDomain) ?? null),
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
    freshness.forget(paired.shopDomain);
    lastCheckedAtMs.delete(paired.shopDomain);
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
    sync(paired.shopDomain).catch(() => undefined);
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
    await running.get(shopDomain)?.run.catch(() => undefined);
    await clearShopCache(d, shopDomain, { dropShop: true });
    freshness.forget(shopDomain);
    lastCheckedAtMs.delete(shopDomain);
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

  /**
   * Opens the database and loads each connected shop's handle -> domain entry and id -> chunk index, once per worker
   * life. A content script's first message is `settings.get` (then `fresh.poll`), before any badge lookup: started
   * there, the lookups that follow find the index loading or loaded instead of starting it. Never throws.
   */
  let warmed: Promise<void> | null = null;
  const warm = () =>
    (warmed ??= (async () => {
      try {
        const d = await db();
        for (const s of await listShops(d)) {
          await getShopDomainByHandle(d, s.storeHandle);
          await countCustomers(d, s.shopDomain);
        }
      } catch {
        // Only a head start: lookups load what they need themselves.
      }
    })());

  async function handle(req: Request): Promise<unknown> {
    switch (req.type) {
      case 'customers.lookup':
        return lookupCustomers(req.storeHandle, req.customerIds, req.packed === true);
      case 'orders.lookup':
        return lookupOrders(req.storeHandle, req.orderIds, req.packed === true);
      case 'status.get':
        return status();
      case 'settings.get':
        void warm();
        return normalizeSettings(await deps.settings.get());
      case 'settings.set': {
        const settings = normalizeSettings(req.settings);
        await deps.settings.set(settings);
        return settings;
      }
      case 'fresh.poll':
        void warm();
        return pollFreshness(req.storeHandle, req.sinceMs);
      case 'sync.now': {
        const r = await sync(req.shopDomain);
        return { customersReceived: r.customersReceived, customersDeleted: r.customersDeleted, evictedShops: r.evictedShops };
      }
      case 'connect':
        return connect(req.appUrl, req.code);
      case 'disconnect':
        return disconnect(req.shopDomain);
      case 'notices.dismiss':
        await clearNotices(await db());
        return null;
      case 'customers.names':
        return customerNames(req.storeHandle, req.customerIds);
    }
  }

  return {
    async handleMessage(raw) {
      const req = parseRequest(raw);
      if (!req) {
        const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String(raw.type) : typeof raw;
        return { ok: false, error: { code: ExtensionErrorCode.badMessage, message: `Unknown or malformed message (${type}).` } };
      }
      try {
        return { ok: true, value: await handle(req) };
      } catch (error) {
        return { ok: false, error: toPlainError(error) };
      }
    },
    sync,
    async resumeInterrupted() {
      const shops = await listShops(await db());
      for (const s of shops) {
        if (s.syncState === 'syncing' && !running.has(s.shopDomain)) await sync(s.shopDomain).catch(() => undefined);
      }
    },
    async syncAll() {
      const shops = await listShops(await db());
      for (const s of shops) {
        if (s.evicted || s.lastError?.code === ExtensionErrorCode.unauthorized) continue;
        await sync(s.shopDomain).catch(() => undefined);
      }
    },
  };
}

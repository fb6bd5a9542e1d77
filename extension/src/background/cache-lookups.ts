import type { CustomerInsightV1 } from '@clvlens/core';
import {
  countCustomers,
  getCustomerTexts,
  getOrderCustomers,
  getShopByHandle,
  getShopDomainByHandle,
  getShopKeyByHandle,
  listShops,
  putCustomer,
  putOrderCustomer,
  shopKeyOf,
  toCachedCustomer,
  updateShop,
  type ShopKey,
} from '../db/cache.ts';
import type { CachedCustomer } from '../db/schema.ts';
import type { ResponseMap } from '../messages/protocol.ts';
import { createApiClient } from '../sync/api-client.ts';
import type { BackgroundContext } from './context.ts';

/** A guest-order answer is re-checked after this long, since the app may link the order to a customer later. */
const NULL_ORDER_MAPPING_TTL_MS = 24 * 60 * 60 * 1000;
const ORDER_LOOKUP_CONCURRENCY = 4;
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** The badges' reads: customers by id and by order id, from the cache (orders missing there are asked of the app). */
export interface CacheLookups {
  lookupCustomers(storeHandle: string, ids: readonly string[], packed: boolean): Promise<ResponseMap['customers.lookup']>;
  lookupOrders(storeHandle: string, orderIds: readonly string[], packed: boolean): Promise<ResponseMap['orders.lookup']>;
  /** Loads each connected shop's handle -> domain entry and id -> chunk index, once per worker life. Never throws. */
  warm(): Promise<void>;
}

/**
 * `{"id": <stored text>, ...}` for a packed lookup answer: the cache's texts are JSON of a {@link CachedCustomer}
 * (written by the cache from `JSON.stringify`), spliced in as they are; `null` for ids not cached.
 */
function packCustomers(ids: readonly string[], textOf: (id: string) => string | undefined): string {
  return `{${ids.map((id) => `${JSON.stringify(id)}:${textOf(id) ?? 'null'}`).join(',')}}`;
}

/** What every lookup answer says of its connected shop (`metricsPending` only when true). */
function answerOf(key: ShopKey) {
  const { shopDomain, timeZone, problem, metricsPending } = key;
  return { connected: true, shopDomain, timeZone, problem, ...(metricsPending ? { metricsPending } : {}) };
}

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

export function createCacheLookups(ctx: BackgroundContext): CacheLookups {
  const { deps, db } = ctx;
  const lastUsedWrite = new Map<string, number>();

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
    const { shopDomain } = key;
    const unique = [...new Set(ids)];
    const texts = await getCustomerTexts(d, shopDomain, unique);
    touch(shopDomain);
    const base = answerOf(key);
    if (packed) return { ...base, customers: {}, customersJson: packCustomers(unique, (id) => texts.get(id)) };
    const customers: Record<string, CachedCustomer | null> = {};
    for (const id of unique) {
      const text = texts.get(id);
      customers[id] = text === undefined ? null : (JSON.parse(text) as CachedCustomer);
    }
    return { ...base, customers };
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
    const base = { ...answerOf(shopKeyOf(shop)), orderCustomerIds, guestOrderIds };
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

  return { lookupCustomers, lookupOrders, warm };
}

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ChurnTierV1, NotCountedReasonV1, RfmSegmentV1, ShopSummaryV1 } from '@clvlens/core';
import type { PlainError } from '../errors.ts';

/**
 * One customer as cached for badges and cards: the numbers, tier, segment and dates of `CustomerInsightV1`, copied
 * field by field (see `toCachedCustomer`) so nothing else the app may send is kept. No names, emails or addresses.
 */
export interface CachedCustomer {
  shopDomain: string;
  customerId: string;
  currency: string;
  orderCount: number;
  isRepeat: boolean;
  historicClvMinor: number;
  predictedClvMinor: number | null;
  averageOrderValueMinor: number;
  firstOrderAtMs: number | null;
  lastOrderAtMs: number | null;
  daysSinceLastOrder: number | null;
  expectedNextOrderAtMs: number | null;
  overdue: boolean;
  pAlive: number;
  /** Chance of no counted order in the next `churnHorizonDays` days. */
  churnProbability: number;
  /**
   * H of `churnProbability`, days; null for a record from an app version before the horizon (its probability was
   * then 1 - pAlive, and is shown without a horizon until the next sync replaces it).
   */
  churnHorizonDays: number | null;
  /** One order so far, within the shop's usual time to a second: shown as "New" rather than as a risk. */
  newCustomer: boolean;
  churnTier: ChurnTierV1;
  confidence: 'normal' | 'low';
  rfmSegment: RfmSegmentV1 | null;
  orderHistory: { placedAtMs: number; amountMinor: number }[];
  /** Orders the admin lists but no figure counts (refunded in full, free, cancelled, test), newest first. */
  notCountedOrders: { placedAtMs: number; reason: NotCountedReasonV1 }[];
  updatedAtMs: number;
}

/** A paired shop: where its app is, the token, and where its sync stands. */
export interface ShopRecord {
  shopDomain: string;
  storeHandle: string;
  appUrl: string;
  /** Bearer token from `POST /api/v1/pair`; kept only in the extension origin. */
  token: string;
  connectedAtMs: number;
  /** Last use (sync or lookup), for evicting the least recently used shop when storage is full. */
  lastUsedAtMs: number;
  /** Delta-feed cursor after the last fully applied page; null before the first page. */
  cursor: string | null;
  syncState: 'idle' | 'syncing' | 'error';
  lastSyncAtMs: number | null;
  lastError: PlainError | null;
  /** True when the cache was evicted for space: the next sync starts from scratch. */
  evicted: boolean;
  /** Customers in the cache (kept with every write, so the popup never counts 200,000 keys). */
  cachedCustomers: number;
  /** Sequence number of the next customer chunk to append. */
  nextChunkSeq: number;
  summary: ShopSummaryV1 | null;
}

/** Which customer an order belongs to (order list rows link to orders, not customers). */
export interface OrderCustomerRecord {
  shopDomain: string;
  orderId: string;
  /** null when the app says the order has no customer (guest checkout). */
  customerId: string | null;
  /** true when the app said the order is a guest checkout (customerId is then null); absent in older records. */
  guest?: boolean;
  fetchedAtMs: number;
}

/** Something the user should know (storage evictions); shown in the popup and options page until dismissed. */
export interface NoticeRecord {
  id?: number;
  atMs: number;
  /** English, for logs and notices stored by older versions; the popup shows the catalog text from the fields below. */
  message: string;
  /** A sync error worth keeping after the sync (storage full). */
  error?: PlainError;
  /** Another shop's cache was dropped to make room: `shop` lost its cache, `forShop` needed the space. */
  evicted?: { shop: string; forShop: string };
}

/**
 * Customers of one shop stored as one record, each as its JSON text. IndexedDB pays a fixed cost per request (in
 * Chromium an IPC to the storage process), so writing 200,000 customers one record each took about 4x longer than the
 * 10 s budget; chunks cut the requests. Texts rather than objects: structured clone copies a string in one piece
 * instead of walking ~20 fields and an order history per customer, and a lookup parses only the customers it wants.
 */
export interface CustomerChunk {
  shopDomain: string;
  seq: number;
  ids: string[];
  /** `JSON.stringify` of each {@link CachedCustomer}, in `ids` order. */
  texts: string[];
}

/** The ids of one chunk, stored apart so the in-memory id -> chunk index loads without reading every customer. */
export interface ChunkIds {
  shopDomain: string;
  seq: number;
  ids: string[];
}

/**
 * A chunk is closed once its texts reach this many bytes (UTF-16 code units). Measured in Chromium 156 with 200,000
 * customers of ~1.3 KB: chunks of ~65 KB (50 customers) cost the browser process 2.2 s of CPU, chunks of ~130 KB or
 * more 0.4-0.5 s, since values over 64 KiB are written as blob files beside LevelDB rather than into it. A lookup
 * still reads one chunk: 0.4-0.6 ms at 130-260 KB.
 */
export const CHUNK_TARGET_BYTES = 192 * 1024;
/** At most this many customers per chunk, however small their records (a lookup reads one chunk's texts). */
export const CHUNK_MAX_CUSTOMERS = 1000;

/**
 * The extension's IndexedDB schema. Every per-shop store is keyed `[shopDomain, ...]`, so a shop's records are the
 * key range `[shopDomain] .. [shopDomain, []]` (arrays sort after strings and numbers); no secondary index, since each
 * would add writes to a 200,000-customer initial sync.
 */
export interface RetentionDB extends DBSchema {
  shops: { key: string; value: ShopRecord; indexes: { byStoreHandle: string } };
  customerChunks: { key: [string, number]; value: CustomerChunk };
  chunkIds: { key: [string, number]; value: ChunkIds };
  orderCustomers: { key: [string, string]; value: OrderCustomerRecord };
  notices: { key: number; value: NoticeRecord };
}

export const RETENTION_DB_NAME = 'clvlens';
/**
 * v1: shops and one record per customer. v2: order-to-customer mapping and user notices. v3: customers in chunks
 * (the v1 store is dropped and every shop re-syncs from the start: the cache is derived data). v4: each chunk holds
 * its customers as JSON texts (converted in place; no re-sync).
 */
export const RETENTION_DB_VERSION = 4;

/**
 * Opens (and creates or upgrades) the cache. Only the background service worker calls this: a content script's
 * IndexedDB would belong to the admin page's origin.
 */
export function openRetentionDb(name: string = RETENTION_DB_NAME): Promise<IDBPDatabase<RetentionDB>> {
  return openDB<RetentionDB>(name, RETENTION_DB_VERSION, {
    async upgrade(db, oldVersion, _newVersion, tx) {
      // Step through every version in order, so an old database gains exactly what each later version added.
      // The v1 `customers` store is not in today's schema type, hence the untyped handle for the steps that touch it.
      const raw = db as unknown as IDBPDatabase;
      if (oldVersion < 1) {
        const shops = db.createObjectStore('shops', { keyPath: 'shopDomain' });
        shops.createIndex('byStoreHandle', 'storeHandle');
        raw.createObjectStore('customers', { keyPath: ['shopDomain', 'customerId'] });
      }
      if (oldVersion < 2) {
        db.createObjectStore('orderCustomers', { keyPath: ['shopDomain', 'orderId'] });
        db.createObjectStore('notices', { keyPath: 'id', autoIncrement: true });
      }
      if (oldVersion < 3) {
        raw.deleteObjectStore('customers');
        db.createObjectStore('customerChunks', { keyPath: ['shopDomain', 'seq'] });
        db.createObjectStore('chunkIds', { keyPath: ['shopDomain', 'seq'] });
        const shops = tx.objectStore('shops');
        for (const shop of await shops.getAll()) {
          await shops.put({ ...shop, cursor: null, cachedCustomers: 0, nextChunkSeq: 0 });
        }
      }
      if (oldVersion === 3) {
        // Same chunks, same ids and seqs: only the value's shape changes, so the cursors stay valid.
        const chunks = tx.objectStore('customerChunks');
        for (let cursor = await chunks.openCursor(); cursor; cursor = await cursor.continue()) {
          const old = cursor.value as unknown as { shopDomain: string; seq: number; customers: CachedCustomer[] };
          await cursor.update({
            shopDomain: old.shopDomain,
            seq: old.seq,
            ids: old.customers.map((c) => c.customerId),
            texts: old.customers.map((c) => JSON.stringify(c)),
          });
        }
      }
    },
  });
}

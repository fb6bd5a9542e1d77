import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ChurnTierV1, RfmSegmentV1, ShopSummaryV1 } from '@clvlens/core';
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
  churnProbability: number;
  churnTier: ChurnTierV1;
  churnReasons: string[];
  confidence: 'normal' | 'low';
  rfmSegment: RfmSegmentV1 | null;
  orderHistory: { placedAtMs: number; amountMinor: number }[];
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
  summary: ShopSummaryV1 | null;
}

/** Which customer an order belongs to (order list rows link to orders, not customers). */
export interface OrderCustomerRecord {
  shopDomain: string;
  orderId: string;
  /** null when the app says the order has no customer (guest checkout). */
  customerId: string | null;
  fetchedAtMs: number;
}

/** Something the user should know (storage evictions); shown in the popup and options page until dismissed. */
export interface NoticeRecord {
  id?: number;
  atMs: number;
  message: string;
}

/** The extension's IndexedDB schema. Customers are partitioned per shop by a compound key `[shopDomain, id]`. */
export interface RetentionDB extends DBSchema {
  shops: { key: string; value: ShopRecord; indexes: { byStoreHandle: string } };
  customers: { key: [string, string]; value: CachedCustomer; indexes: { byShop: string } };
  orderCustomers: { key: [string, string]; value: OrderCustomerRecord; indexes: { byShop: string } };
  notices: { key: number; value: NoticeRecord };
}

export const RETENTION_DB_NAME = 'clvlens';
/** v1: shops and customers. v2: order-to-customer mapping and user notices. */
export const RETENTION_DB_VERSION = 2;

/**
 * Opens (and creates or upgrades) the cache. Only the background service worker calls this: a content script's
 * IndexedDB would belong to the admin page's origin.
 */
export function openRetentionDb(name: string = RETENTION_DB_NAME): Promise<IDBPDatabase<RetentionDB>> {
  return openDB<RetentionDB>(name, RETENTION_DB_VERSION, {
    upgrade(db, oldVersion) {
      // Step through every version in order, so a v1 database gains exactly what v2 added.
      if (oldVersion < 1) {
        const shops = db.createObjectStore('shops', { keyPath: 'shopDomain' });
        shops.createIndex('byStoreHandle', 'storeHandle');
        const customers = db.createObjectStore('customers', { keyPath: ['shopDomain', 'customerId'] });
        customers.createIndex('byShop', 'shopDomain');
      }
      if (oldVersion < 2) {
        const orders = db.createObjectStore('orderCustomers', { keyPath: ['shopDomain', 'orderId'] });
        orders.createIndex('byShop', 'shopDomain');
        db.createObjectStore('notices', { keyPath: 'id', autoIncrement: true });
      }
    },
  });
}

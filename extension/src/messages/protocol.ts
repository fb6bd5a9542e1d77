import type { CachedCustomer, NoticeRecord } from '../db/schema.ts';
import type { PlainError } from '../errors.ts';
import type { ShopSummaryV1 } from '@clvlens/core';

/** Which badge parts and views the merchant wants (options page). */
export interface BadgeSettings {
  showListBadges: boolean;
  showDetailCard: boolean;
  fields: { churnTier: boolean; predictedClv: boolean; historicClv: boolean; orderCount: boolean; overdue: boolean; repeat: boolean };
}

export const DEFAULT_BADGE_SETTINGS: BadgeSettings = {
  showListBadges: true,
  showDetailCard: true,
  // The admin's own columns already show orders and amount spent: badges show what it does not (risk, predicted CLV).
  fields: { churnTier: true, predictedClv: true, historicClv: false, orderCount: false, overdue: true, repeat: false },
};

/** What the popup and options page show about one connected shop. */
export interface ShopStatus {
  shopDomain: string;
  storeHandle: string;
  appUrl: string;
  connectedAtMs: number;
  syncState: 'idle' | 'syncing' | 'error';
  lastSyncAtMs: number | null;
  lastError: PlainError | null;
  evicted: boolean;
  cachedCustomers: number;
  summary: ShopSummaryV1 | null;
}

/** Lookup answer: `connected` false when no paired shop has this store handle; `customers[id]` null when not cached. */
export interface LookupResult {
  connected: boolean;
  shopDomain: string | null;
  /**
   * The shop's IANA time zone (from its summary): badges and cards show dates and count days in it, as the admin
   * does. Null or absent when not known yet; the viewer's zone is used then.
   */
  timeZone?: string | null;
  /** Why the shop's last sync failed, when it did: the card says its numbers may be out of date, and why. */
  problem?: PlainError | null;
  /**
   * True while the app has computed nothing for the shop (importing its order history, or scoring its customers for
   * the first time): a customer without an answer is then "not ready yet" rather than unknown. Absent otherwise.
   */
  metricsPending?: boolean;
  customers: Record<string, CachedCustomer | null>;
  /**
   * Asked for with `packed: true` (the content script): `customers` as one JSON text, and `customers` itself empty.
   * The background splices the cache's stored texts into it without parsing them, and one string crosses the message
   * boundary far faster than 50 nested objects (Chromium converts message objects value by value); see
   * {@link unpackLookup}.
   */
  customersJson?: string;
}

/** A lookup answer with `customers` filled in, whether it came packed or not. */
export function unpackLookup<T extends LookupResult>(answer: T): T {
  if (answer.customersJson === undefined) return answer;
  const { customersJson, ...rest } = answer;
  return { ...rest, customers: JSON.parse(customersJson) as Record<string, CachedCustomer | null> } as T;
}

/** A poll's answer: which customers changed since the page's `sinceMs`, and when to poll again. */
export interface FreshnessAnswer {
  connected: boolean;
  shopDomain: string | null;
  /** Customer ids upserted or deleted in the cache since `sinceMs` (empty when nothing changed). */
  changedCustomerIds: string[];
  /** True when the background cannot list the changes (it restarted, or too much changed): re-read every id shown. */
  reset: boolean;
  /** Pass back as the next poll's `sinceMs` (background clock; the page and the worker share the machine's clock). */
  nowMs: number;
  /** When to poll next (the interval, longer while backing off after errors or when not connected). */
  nextPollMs: number;
}

/**
 * The one message protocol between content scripts, popup, options page and the background service worker,
 * discriminated on `type`. Each request's answer type is in {@link ResponseMap}.
 */
export type Request =
  | { type: 'customers.lookup'; storeHandle: string; customerIds: string[]; packed?: boolean }
  | { type: 'orders.lookup'; storeHandle: string; orderIds: string[]; packed?: boolean }
  | { type: 'status.get' }
  | { type: 'settings.get' }
  | { type: 'settings.set'; settings: BadgeSettings }
  | { type: 'sync.now'; shopDomain: string }
  /**
   * A visible page with badges polls every few seconds: the background runs a throttled delta sync of the store's
   * shop and answers which customer ids changed in the cache since `sinceMs` (the previous answer's `nowMs`).
   */
  | { type: 'fresh.poll'; storeHandle: string; sinceMs: number | null }
  | { type: 'connect'; appUrl: string; code: string }
  | { type: 'disconnect'; shopDomain: string }
  | { type: 'notices.dismiss' }
  /** Display names read live through the app (never cached): for the popup's at-risk list and the order card. */
  | { type: 'customers.names'; storeHandle: string; customerIds: string[] };

export interface ResponseMap {
  'customers.lookup': LookupResult;
  /** Keyed by order id: the order's customer, or null (not cached, guest order, unknown order). */
  'orders.lookup': LookupResult & {
    orderCustomerIds: Record<string, string | null>;
    /** Orders the app says are guest checkouts (their customer id is null). */
    guestOrderIds?: string[];
  };
  'status.get': { shops: ShopStatus[]; notices: NoticeRecord[] };
  'settings.get': BadgeSettings;
  'settings.set': BadgeSettings;
  'sync.now': { customersReceived: number; customersDeleted: number; evictedShops: string[] };
  'fresh.poll': FreshnessAnswer;
  connect: { shopDomain: string; storeHandle: string };
  /** `unpairError` when the app could not be told (the local cache is cleared anyway). */
  disconnect: { unpairError: PlainError | null };
  'notices.dismiss': null;
  /** Names by customer id; empty when the shop is not connected or the app could not be reached. */
  'customers.names': { names: Record<string, string> };
}

export type RequestType = Request['type'];
export type RequestOf<T extends RequestType> = Extract<Request, { type: T }>;

/** Every answer crosses the boundary in this envelope; errors are plain objects. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: PlainError };

const REQUEST_TYPES: ReadonlySet<string> = new Set<RequestType>([
  'customers.lookup',
  'orders.lookup',
  'status.get',
  'settings.get',
  'settings.set',
  'sync.now',
  'fresh.poll',
  'connect',
  'disconnect',
  'notices.dismiss',
  'customers.names',
]);

const isOptionalBoolean = (v: unknown): boolean => v === undefined || typeof v === 'boolean';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Validates an incoming message (it may come from any extension context); null when it is not a {@link Request}. */
export function parseRequest(raw: unknown): Request | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  if (typeof m.type !== 'string' || !REQUEST_TYPES.has(m.type)) return null;
  switch (m.type) {
    case 'customers.lookup':
      return typeof m.storeHandle === 'string' && isStringArray(m.customerIds) && isOptionalBoolean(m.packed) ? (m as Request) : null;
    case 'customers.names':
      return typeof m.storeHandle === 'string' && isStringArray(m.customerIds) ? (m as Request) : null;
    case 'orders.lookup':
      return typeof m.storeHandle === 'string' && isStringArray(m.orderIds) && isOptionalBoolean(m.packed) ? (m as Request) : null;
    case 'sync.now':
    case 'disconnect':
      return typeof m.shopDomain === 'string' ? (m as Request) : null;
    case 'fresh.poll':
      return typeof m.storeHandle === 'string' && (m.sinceMs === null || (typeof m.sinceMs === 'number' && Number.isFinite(m.sinceMs))) ? (m as Request) : null;
    case 'connect':
      return typeof m.appUrl === 'string' && typeof m.code === 'string' ? (m as Request) : null;
    case 'settings.set':
      return typeof m.settings === 'object' && m.settings !== null ? (m as Request) : null;
    default:
      return m as Request;
  }
}

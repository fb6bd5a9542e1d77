import type { CustomerView } from '../components/Badge.tsx';
import type { CachedCustomer } from '../db/schema.ts';
import type { PlainError } from '../errors.ts';
import type { LookupResult, ResponseMap } from '../messages/protocol.ts';
import type { AdminLink } from '../utils/admin-urls.ts';

/** What the page asks the background about, as given to the scanner (see `ScannerDeps`). */
export interface AnswerSources {
  nowMs: () => number;
  lookupCustomers: (storeHandle: string, customerIds: string[]) => Promise<LookupResult>;
  lookupOrders: (storeHandle: string, orderIds: string[]) => Promise<ResponseMap['orders.lookup']>;
  customerNames?: (storeHandle: string, customerIds: string[]) => Promise<Record<string, string>>;
  onError?: (error: unknown) => void;
}

/** Ids to ask for, per store handle. */
export type IdsByStore = Map<string, Set<string>>;

/** Adds `id` of `store` to `ids`. */
export function want(ids: IdsByStore, store: string, id: string): void {
  let set = ids.get(store);
  if (!set) ids.set(store, (set = new Set()));
  set.add(id);
}

/** What the background said of one order. */
export interface OrderAnswer {
  atMs: number;
  connected: boolean;
  customerId: string | null;
  /** A guest checkout: no customer, and none will come. */
  guest: boolean;
}

/** The page's memory of the background's answers (see {@link createAnswers}). */
export interface Answers {
  /** What is known about a customer: null when it still has to be asked for. */
  viewFor(storeHandle: string, customerId: string): CustomerView | null;
  /** The order's answer: undefined when it still has to be asked for. */
  orderAnswer(storeHandle: string, orderId: string): OrderAnswer | undefined;
  /** What a badge or card for `link` shows: null when it still has to be asked for. */
  viewForLink(link: AdminLink): CustomerView | null;
  /** The customer a link shows, as far as known (an order's customer comes from its answer, however old). */
  customerOf(link: AdminLink): string | null;
  /** Asks the background for these customers and orders (one lookup per store and kind) and keeps the answers. */
  fetch(customerIds: IdsByStore, orderIds: IdsByStore): Promise<void>;
  /** The customer's display name: undefined when not asked yet, null when Shopify gave none. */
  nameOf(storeHandle: string, customerId: string): string | null | undefined;
  /** Reads the names of these customers live (at most 50 a request); a name not given is kept as null. */
  fetchNames(customerIds: IdsByStore): Promise<void>;
  /** Forgets every answer and name (after a sync or a settings change). */
  clear(): void;
}

/** Answers are asked for again after this long, ms. */
const ANSWER_TTL_MS = 30_000;
/** Names per live request: the app's limit. */
const NAMES_PER_REQUEST = 50;

/**
 * Answers per store handle and id, so rows added later and SPA navigations render from memory, with each store's
 * time zone (dates on badges and cards are the shop's, as in the admin) and last sync problem (the card says its
 * numbers may be out of date). Display names are held in this page's memory only, never stored.
 */
export function createAnswers(sources: AnswerSources): Answers {
  const customers = new Map<string, { atMs: number; connected: boolean; customer: CachedCustomer | null }>();
  const orders = new Map<string, OrderAnswer>();
  const zones = new Map<string, string>();
  const problems = new Map<string, PlainError>();
  const pending = new Set<string>();
  const names = new Map<string, string | null>();
  const noteShop = (storeHandle: string, r: LookupResult) => {
    if (r.timeZone) zones.set(storeHandle, r.timeZone);
    if (r.problem) problems.set(storeHandle, r.problem);
    else problems.delete(storeHandle);
    if (r.metricsPending) pending.add(storeHandle);
    else pending.delete(storeHandle);
  };
  // Without an answer for the customer: "not ready yet" while the app has computed nothing for the shop.
  const missing = (storeHandle: string): CustomerView => (pending.has(storeHandle) ? { state: 'missing', pending: true } : { state: 'missing' });

  const viewFor = (storeHandle: string, customerId: string): CustomerView | null => {
    const a = customers.get(`${storeHandle}:${customerId}`);
    if (!a || sources.nowMs() - a.atMs > ANSWER_TTL_MS) return null;
    if (!a.connected) return { state: 'not-connected' };
    return a.customer ? { state: 'found', customer: a.customer, timeZone: zones.get(storeHandle), problem: problems.get(storeHandle) } : missing(storeHandle);
  };

  const orderAnswer = (storeHandle: string, orderId: string): OrderAnswer | undefined => {
    const a = orders.get(`${storeHandle}:${orderId}`);
    return a && sources.nowMs() - a.atMs <= ANSWER_TTL_MS ? a : undefined;
  };

  return {
    viewFor,
    orderAnswer,
    viewForLink(link) {
      if (link.kind === 'customer') return viewFor(link.storeHandle, link.customerId);
      const a = orderAnswer(link.storeHandle, link.orderId);
      if (!a) return null;
      if (!a.connected) return { state: 'not-connected' };
      if (a.customerId === null) return a.guest ? { state: 'guest' } : missing(link.storeHandle);
      return viewFor(link.storeHandle, a.customerId);
    },
    customerOf(link) {
      if (link.kind === 'customer') return link.customerId;
      return orders.get(`${link.storeHandle}:${link.orderId}`)?.customerId ?? null;
    },
    async fetch(customerIds, orderIds) {
      const now = sources.nowMs();
      const jobs: Promise<void>[] = [];
      for (const [storeHandle, ids] of orderIds) {
        jobs.push(
          sources.lookupOrders(storeHandle, [...ids]).then((r) => {
            noteShop(storeHandle, r);
            for (const id of ids) {
              const customerId = r.connected ? (r.orderCustomerIds[id] ?? null) : null;
              const guest = r.connected && (r.guestOrderIds ?? []).includes(id);
              orders.set(`${storeHandle}:${id}`, { atMs: now, connected: r.connected, customerId, guest });
              if (customerId !== null && customerId in r.customers) {
                customers.set(`${storeHandle}:${customerId}`, { atMs: now, connected: true, customer: r.customers[customerId] ?? null });
              }
            }
          }),
        );
      }
      for (const [storeHandle, ids] of customerIds) {
        jobs.push(
          sources.lookupCustomers(storeHandle, [...ids]).then((r) => {
            noteShop(storeHandle, r);
            for (const id of ids) customers.set(`${storeHandle}:${id}`, { atMs: now, connected: r.connected, customer: r.customers[id] ?? null });
          }),
        );
      }
      const results = await Promise.allSettled(jobs);
      for (const r of results) if (r.status === 'rejected') sources.onError?.(r.reason);
    },
    nameOf: (storeHandle, customerId) => names.get(`${storeHandle}:${customerId}`),
    async fetchNames(customerIds) {
      if (!sources.customerNames) return;
      for (const [storeHandle, ids] of customerIds) {
        const all = [...ids];
        for (let i = 0; i < all.length; i += NAMES_PER_REQUEST) {
          const chunk = all.slice(i, i + NAMES_PER_REQUEST);
          let got: Record<string, string> = {};
          try {
            got = await sources.customerNames(storeHandle, chunk);
          } catch (error) {
            sources.onError?.(error);
          }
          // Unknown names are remembered as such: the badge stays by the order link, with no request per scan.
          for (const id of chunk) names.set(`${storeHandle}:${id}`, got[id] ?? null);
        }
      }
    },
    clear() {
      customers.clear();
      orders.clear();
      names.clear();
    },
  };
}

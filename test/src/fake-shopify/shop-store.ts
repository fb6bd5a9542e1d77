import type { Customer, MarketingActivity, Order, Shop } from '../shop-model/types.ts';
import { FakeShopifyError } from './errors.ts';
import type { MetafieldDefinitionRecord, MetafieldRecord } from './metafields.ts';
import { sortByKey, type SortValue } from './pagination.ts';

/** A webhook subscription: app-wide (from the app config, like `shopify.app.toml`) or per shop (Admin API). */
export interface WebhookSubscriptionRecord {
  id: number;
  /** Lower-case REST topic (`orders/create`). */
  topic: string;
  uri: string;
  format: 'JSON';
  includeFields: string[];
  filter: string | null;
  /** API version the payloads are serialized in (`X-Shopify-API-Version`). */
  apiVersion: string;
  createdAtMs: number;
  updatedAtMs: number;
  source: 'app' | 'shop';
}

/** GraphQL `BulkOperationStatus`. */
export type BulkOperationStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';

export interface BulkOperationRecord {
  id: number;
  status: BulkOperationStatus;
  errorCode: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT' | null;
  createdAtMs: number;
  completedAtMs: number | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  /** Local path of the JSONL result while it exists. */
  filePath: string | null;
  query: string;
  type: 'QUERY' | 'MUTATION';
  /** Set while running so `bulkOperationCancel` can stop it. */
  cancelRequested: boolean;
}

export type OrderSortKey = 'CREATED_AT' | 'UPDATED_AT' | 'PROCESSED_AT' | 'ID' | 'ORDER_NUMBER';
export type CustomerSortKey = 'CREATED_AT' | 'UPDATED_AT' | 'ID' | 'NAME';

export const ORDER_SORT_VALUE: Readonly<Record<OrderSortKey, (o: Order) => SortValue>> = {
  CREATED_AT: (o) => o.createdAtMs,
  UPDATED_AT: (o) => o.updatedAtMs,
  PROCESSED_AT: (o) => o.processedAtMs,
  ID: (o) => o.id,
  ORDER_NUMBER: (o) => o.orderNumber,
};

export const CUSTOMER_SORT_VALUE: Readonly<Record<CustomerSortKey, (c: Customer) => SortValue>> = {
  CREATED_AT: (c) => c.createdAtMs,
  UPDATED_AT: (c) => c.updatedAtMs,
  ID: (c) => c.id,
  NAME: (c) => `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim().toLowerCase(),
};

/** First index whose (key, id) is >= (key(x), id(x)). */
function lowerBound<T>(xs: readonly T[], x: T, key: (x: T) => SortValue, id: (x: T) => number): number {
  const kx = key(x);
  const ix = id(x);
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = xs[mid] as T;
    const km = key(m);
    if (km < kx || (km === kx && id(m) < ix)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted<T>(xs: T[], x: T, key: (x: T) => SortValue, id: (x: T) => number): void {
  xs.splice(lowerBound(xs, x, key, id), 0, x);
}

function removeSorted<T>(xs: T[], x: T, key: (x: T) => SortValue, id: (x: T) => number): void {
  const i = lowerBound(xs, x, key, id);
  if (xs[i] !== undefined && id(xs[i] as T) === id(x)) xs.splice(i, 1);
  else {
    // The stored record was mutated in place, so its old key is unknown: fall back to a scan.
    const j = xs.findIndex((y) => id(y) === id(x));
    if (j >= 0) xs.splice(j, 1);
  }
}

/** The live state of one shop in the fake: its data, app installation, subscriptions, bulk operations, bucket. */
export class ShopStore {
  shop: Shop;
  installed = true;
  readonly customers = new Map<number, Customer>();
  readonly orders = new Map<number, Order>();
  readonly subscriptions: WebhookSubscriptionRecord[] = [];
  readonly bulkOperations: BulkOperationRecord[] = [];
  /** Marketing activities in id order (`marketingActivities`). */
  readonly marketingActivities: MarketingActivity[] = [];
  readonly metafieldDefinitions: MetafieldDefinitionRecord[] = [];
  /** Metafield values by `<ownerType>/<ownerId>`, then `<namespace>.<key>`. */
  readonly metafields = new Map<string, Map<string, MetafieldRecord>>();
  nextMetafieldId = 1;
  /** Leaky bucket: points available at `bucketAtMs`. */
  bucketAvailable: number;
  bucketAtMs: number;
  private orderIndexes = new Map<OrderSortKey, Order[]>();
  private customerIndexes = new Map<CustomerSortKey, Customer[]>();
  private byCustomer: Map<number, Order[]> | null = null;
  private maxIds = { order: 0, customer: 0, lineItem: 0, refund: 0, orderNumber: 1000 };

  constructor(shop: Shop, nowMs: number) {
    this.shop = shop;
    this.bucketAvailable = shop.plan.bucketSize;
    this.bucketAtMs = nowMs;
  }

  /** Adds or replaces an order; the caller emits webhooks. */
  putOrder(order: Order): void {
    if (!Number.isSafeInteger(order.id) || order.id <= 0) {
      throw new FakeShopifyError('BAD_INPUT', `order id must be a positive safe integer, got ${order.id}`);
    }
    const old = this.orders.get(order.id);
    this.orders.set(order.id, order);
    // Keep built indexes sorted in place (a live shop changes one order at a time; re-sorting 1M orders per
    // change would not keep up).
    for (const [sortKey, idx] of this.orderIndexes) {
      const key = ORDER_SORT_VALUE[sortKey];
      if (old !== undefined) removeSorted(idx, old, key, (o) => o.id);
      insertSorted(idx, order, key, (o) => o.id);
    }
    if (this.byCustomer !== null) {
      if (old?.customerId !== undefined && old.customerId !== null) {
        const list = this.byCustomer.get(old.customerId);
        if (list !== undefined)
          removeSorted(
            list,
            old,
            (o) => o.id,
            (o) => o.id,
          );
      }
      if (order.customerId !== null) {
        let list = this.byCustomer.get(order.customerId);
        if (list === undefined) this.byCustomer.set(order.customerId, (list = []));
        insertSorted(
          list,
          order,
          (o) => o.id,
          (o) => o.id,
        );
      }
    }
    this.maxIds.order = Math.max(this.maxIds.order, order.id);
    this.maxIds.orderNumber = Math.max(this.maxIds.orderNumber, order.orderNumber);
    for (const li of order.lineItems) this.maxIds.lineItem = Math.max(this.maxIds.lineItem, li.id);
    for (const r of order.refunds) this.maxIds.refund = Math.max(this.maxIds.refund, r.id);
  }

  /** Removes an order (Shopify's order deletion); the caller emits `orders/delete`. */
  deleteOrder(id: number): Order {
    const o = this.getOrder(id);
    this.orders.delete(id);
    for (const [sortKey, idx] of this.orderIndexes) removeSorted(idx, o, ORDER_SORT_VALUE[sortKey], (x) => x.id);
    if (this.byCustomer !== null && o.customerId !== null) {
      const list = this.byCustomer.get(o.customerId);
      if (list !== undefined)
        removeSorted(
          list,
          o,
          (x) => x.id,
          (x) => x.id,
        );
    }
    return o;
  }

  putCustomer(customer: Customer): void {
    if (!Number.isSafeInteger(customer.id) || customer.id <= 0) {
      throw new FakeShopifyError('BAD_INPUT', `customer id must be a positive safe integer, got ${customer.id}`);
    }
    const old = this.customers.get(customer.id);
    this.customers.set(customer.id, customer);
    this.maxIds.customer = Math.max(this.maxIds.customer, customer.id);
    for (const [sortKey, idx] of this.customerIndexes) {
      const key = CUSTOMER_SORT_VALUE[sortKey];
      if (old !== undefined) removeSorted(idx, old, key, (c) => c.id);
      insertSorted(idx, customer, key, (c) => c.id);
    }
  }

  deleteCustomer(id: number): Customer {
    const c = this.customers.get(id);
    if (c === undefined) throw new FakeShopifyError('UNKNOWN_CUSTOMER', `no customer ${id} in ${this.shop.domain}`);
    this.customers.delete(id);
    // A deleted resource takes its metafields with it.
    this.metafields.delete(`CUSTOMER/${id}`);
    for (const [sortKey, idx] of this.customerIndexes) removeSorted(idx, c, CUSTOMER_SORT_VALUE[sortKey], (x) => x.id);
    return c;
  }

  getOrder(id: number): Order {
    const o = this.orders.get(id);
    if (o === undefined) throw new FakeShopifyError('UNKNOWN_ORDER', `no order ${id} in ${this.shop.domain}`);
    return o;
  }

  /** Orders sorted ascending by (sort key, id); rebuilt lazily after a change. */
  orderIndex(sortKey: OrderSortKey): Order[] {
    let idx = this.orderIndexes.get(sortKey);
    if (idx === undefined) {
      const key = ORDER_SORT_VALUE[sortKey];
      idx = sortByKey([...this.orders.values()], key, (o) => o.id);
      this.orderIndexes.set(sortKey, idx);
    }
    return idx;
  }

  customerIndex(sortKey: CustomerSortKey): Customer[] {
    let idx = this.customerIndexes.get(sortKey);
    if (idx === undefined) {
      const key = CUSTOMER_SORT_VALUE[sortKey];
      idx = sortByKey([...this.customers.values()], key, (c) => c.id);
      this.customerIndexes.set(sortKey, idx);
    }
    return idx;
  }

  /** The orders of a customer, in id order. */
  ordersOf(customerId: number): readonly Order[] {
    if (this.byCustomer === null) {
      const m = new Map<number, Order[]>();
      for (const o of this.orderIndex('ID')) {
        if (o.customerId === null) continue;
        let list = m.get(o.customerId);
        if (list === undefined) m.set(o.customerId, (list = []));
        list.push(o);
      }
      this.byCustomer = m;
    }
    return this.byCustomer.get(customerId) ?? [];
  }

  /** Next free ids for records created through the control API. */
  nextOrderId(): number {
    return ++this.maxIds.order;
  }
  nextOrderNumber(): number {
    return ++this.maxIds.orderNumber;
  }
  nextCustomerId(): number {
    return ++this.maxIds.customer;
  }
  nextLineItemId(): number {
    return ++this.maxIds.lineItem;
  }
  nextRefundId(): number {
    return ++this.maxIds.refund;
  }
}

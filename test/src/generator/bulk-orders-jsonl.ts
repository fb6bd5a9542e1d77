import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';

/**
 * A bulk-operation result of any size, written straight to disk: the JSONL Shopify (and the fake's bulk export) writes
 * for the app's orders query (`BULK_ORDERS_QUERY` in shopify-app/src/sync/backfill.ts): one line per order with the
 * fields in query order, then one child line per line item with `__parentId`. The orders are arithmetic on their
 * index (no shop held in memory, no random generator to run), so 10,000,000 orders take a minute to write and the
 * truth is summed on the way. For shops too large for the fake to hold (see `useBulkOrdersFile` of its control API).
 */
export interface BulkOrdersTruth {
  orders: number;
  /** JSONL lines (`objectCount`): orders plus line items. */
  lines: number;
  /** Sum of every order's shop-money total, minor units (USD). */
  totalMinor: number;
  /** Orders with a selling-plan line item or placed by a subscription contract. */
  subscriptionOrders: number;
  /** Orders without a customer, placed with an email (guest keys). */
  guestOrders: number;
  refunds: number;
  refundMinor: number;
  /** Distinct customer ids. */
  customers: number;
}

/** First order id: far above the fake's own ids. */
const ORDER_ID_BASE = 10_000_000_000;
const REFUND_ID_BASE = 30_000_000_000;
const LINE_ITEM_ID_BASE = 50_000_000_000;
const CUSTOMER_ID_BASE = 70_000_000_000;
const START_MS = Date.UTC(2019, 0, 1);
const SPAN_MS = Date.UTC(2026, 0, 1) - START_MS;

const money = (minor: number): string => `{"shopMoney":{"amount":"${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}","currencyCode":"USD"}}`;

/**
 * Order `i` of `orders`: its lines and what it adds to the truth. Mixed like a large shop: a quarter as many customers
 * as orders, 12 % guest checkouts, 1 % free orders, 3 % refunded (half), 2 % cancelled, 0.5 % test, 4 % starting a
 * subscription (a selling plan on the last line item), 3 % renewals (`subscription_contract`), 1 to 3 line items.
 */
function orderLines(i: number, orders: number, truth: BulkOrdersTruth): string {
  const h = Math.imul(i ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  const pick = h % 1000;
  const id = ORDER_ID_BASE + i;
  const created = START_MS + Math.floor((i / orders) * SPAN_MS);
  const createdAt = new Date(created).toISOString().replace('.000Z', 'Z');
  const updatedAt = new Date(created + (h % 5) * 3_600_000).toISOString().replace('.000Z', 'Z');
  const guest = pick < 120;
  const customers = Math.max(1, Math.floor(orders / 4));
  const customer = guest ? 'null' : `{"id":"gid://shopify/Customer/${CUSTOMER_ID_BASE + (h % customers)}"}`;
  const email = guest ? `"guest${h % 100_000}@example.com"` : 'null';
  const totalMinor = pick >= 120 && pick < 130 ? 0 : 500 + (h % 20_000);
  const refunded = pick >= 130 && pick < 160 && totalMinor > 0;
  const refundMinor = refunded ? Math.floor(totalMinor / 2) : 0;
  const cancelled = pick >= 160 && pick < 180;
  const test = pick >= 180 && pick < 185;
  const starts = pick >= 200 && pick < 240;
  const renews = pick >= 240 && pick < 270;
  const refunds = refunded
    ? `[{"id":"gid://shopify/Refund/${REFUND_ID_BASE + i}","createdAt":"${new Date(created + 2 * 86_400_000).toISOString().replace('.000Z', 'Z')}","totalRefundedSet":${money(refundMinor)}}]`
    : '[]';
  let text =
    `{"id":"gid://shopify/Order/${id}","createdAt":"${createdAt}","processedAt":"${createdAt}","updatedAt":"${updatedAt}",` +
    `"cancelledAt":${cancelled ? `"${updatedAt}"` : 'null'},"test":${test},"email":${email},` +
    `"sourceName":"${renews ? 'subscription_contract' : 'web'}","currencyCode":"USD","totalPriceSet":${money(totalMinor)},` +
    `"totalRefundedSet":${money(refundMinor)},"customer":${customer},"refunds":${refunds}}\n`;
  const items = 1 + (h % 3);
  for (let k = 0; k < items; k++) {
    const plan = starts && k === items - 1 ? '{"name":"Monthly, 10% off"}' : 'null';
    text += `{"id":"gid://shopify/LineItem/${LINE_ITEM_ID_BASE + i * 4 + k}","sellingPlan":${plan},"__parentId":"gid://shopify/Order/${id}"}\n`;
  }
  truth.orders++;
  truth.lines += 1 + items;
  truth.totalMinor += totalMinor;
  if (starts || renews) truth.subscriptionOrders++;
  if (guest) truth.guestOrders++;
  if (refunded) {
    truth.refunds++;
    truth.refundMinor += refundMinor;
  }
  return text;
}

/** The JSONL of `orders` orders as a string (small sizes: tests). */
export function bulkOrdersJsonl(orders: number): { text: string; truth: BulkOrdersTruth } {
  const truth = emptyTruth(orders);
  let text = '';
  for (let i = 0; i < orders; i++) text += orderLines(i, orders, truth);
  return { text, truth };
}

/** Writes the JSONL of `orders` orders to `path` (through a temporary name, so a cut run leaves no half file). */
export async function writeBulkOrdersJsonl(path: string, orders: number): Promise<BulkOrdersTruth> {
  const truth = emptyTruth(orders);
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const closed = once(out, 'close');
  let chunk = '';
  for (let i = 0; i < orders; i++) {
    chunk += orderLines(i, orders, truth);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await closed;
  await rename(partial, path);
  return truth;
}

function emptyTruth(orders: number): BulkOrdersTruth {
  // Customer ids are h % customers of a well-mixed hash: count them from the same formula, without holding a set of
  // 2.5M for the small cases only; for the truth the bench reads the stored distinct count against this.
  const customers = Math.max(1, Math.floor(orders / 4));
  const seen = new Uint8Array(customers);
  let distinct = 0;
  for (let i = 0; i < orders; i++) {
    const h = Math.imul(i ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
    if (h % 1000 < 120) continue;
    const c = h % customers;
    if (seen[c] === 0) {
      seen[c] = 1;
      distinct++;
    }
  }
  return { orders: 0, lines: 0, totalMinor: 0, subscriptionOrders: 0, guestOrders: 0, refunds: 0, refundMinor: 0, customers: distinct };
}

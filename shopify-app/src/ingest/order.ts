import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import { parseMoneyToMinor } from './money.ts';

/** A refund as stored: money in minor units of the shop currency. */
export interface StoredRefund {
  refundId: string;
  refundedAtMs: number;
  amountMinor: number;
}

/** An order as the app stores it: Shopify's strings parsed once, here (house style §5, §6). */
export interface StoredOrder {
  /** Shopify's numeric id as canonical decimal text (ids are 64-bit; see {@link parseShopifyId}). */
  orderId: string;
  customerId: string | null;
  /** sha256 of the lower-cased email, the identity of a guest order; null when the order has a customer. */
  guestKey: string | null;
  placedAtMs: number;
  updatedAtMs: number;
  currency: string;
  totalMinor: number;
  /** Refunded so far according to the order payload; refunds carries the detail when the payload has it. */
  refundedMinor: number;
  cancelled: boolean;
  test: boolean;
  subscription: boolean;
  refunds: StoredRefund[];
}

type Json = Record<string, unknown>;

/** The largest id PostgreSQL's `bigint` holds (2^63 - 1); Shopify documents ids as 64-bit integers. */
export const MAX_SHOPIFY_ID = '9223372036854775807';
const ID_TEXT = /^(?:gid:\/\/shopify\/[A-Za-z]+\/)?0*([1-9]\d{0,18})$/;

/**
 * The decimal id (canonical: no leading zeros) of `gid://shopify/Order/123`, `"123"` or 123, in 1..2^63-1; throws
 * with the field name on anything else. Ids stay text: they are 64-bit, and a JavaScript number rounds them above
 * 2^53, so a number that is not a safe integer is refused (it was rounded before it got here; parse bodies with
 * `parseJsonExact`).
 */
export function parseShopifyId(value: unknown, field: string): string {
  const id = shopifyIdOrNull(value);
  if (id === null) {
    const rounded = typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);
    throw new AppError('bad-payload', `${field}: ${JSON.stringify(value)} is not a Shopify id${rounded ? ' (a number above 2^53, already rounded)' : ''}`);
  }
  return id;
}

/** {@link parseShopifyId} without the throw: the canonical decimal id, or null. */
export function shopifyIdOrNull(value: unknown): string | null {
  const text = typeof value === 'string' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : '';
  const m = ID_TEXT.exec(text);
  const digits = m?.[1];
  if (digits === undefined || (digits.length === 19 && digits > MAX_SHOPIFY_ID)) return null;
  return digits;
}

/** Parses an ISO 8601 date-time into UTC epoch ms; throws naming the field. */
export function parseTimeMs(value: unknown, field: string): number {
  const ms = typeof value === 'string' ? (utcSecondsMs(value) ?? Date.parse(value)) : Number.NaN;
  if (!Number.isFinite(ms)) throw new AppError('bad-payload', `${field}: ${JSON.stringify(value)} is not a date-time`);
  return ms;
}

/** The value of decimal digits `text[from, to)`, or -1 when one is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Days in `month` (1-12) of `year`, proleptic Gregorian. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ`, the form of every GraphQL `DateTime` Shopify sends, and the same with milliseconds
 * (`.sssZ`, as `Date#toISOString` writes), read without `Date.parse` (three per order were a tenth of a backfill's
 * parse time); null for anything else, which `Date.parse` then reads. Only values that are certainly valid take this
 * path (years from 1000, real calendar days), so both give the same result.
 */
function utcSecondsMs(text: string): number | null {
  const length = text.length;
  if (length !== 20 && length !== 24) return null;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84) return null;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(length - 1) !== 90) return null;
  let millis = 0;
  if (length === 24) {
    if (text.charCodeAt(19) !== 46) return null;
    millis = digitsAt(text, 20, 23);
    if (millis < 0) return null;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  const hour = digitsAt(text, 11, 13);
  const minute = digitsAt(text, 14, 16);
  const second = digitsAt(text, 17, 19);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return null;
  }
  if (day > daysInMonth(year, month)) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/** The identity of a guest order: a hash, so that the app keeps no guest email. */
export function guestKeyOf(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('hex');
}

function obj(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Reads a `*_set.shop_money` (REST) or `*Set.shopMoney` (GraphQL) bag: `[amount, currency]` or null. */
function shopMoney(bag: unknown): [string | number, string] | null {
  const b = obj(bag);
  const money = obj(b?.['shop_money']) ?? obj(b?.['shopMoney']);
  if (!money) return null;
  const amount = money['amount'];
  const currency = str(money['currency_code']) ?? str(money['currencyCode']);
  if ((typeof amount !== 'string' && typeof amount !== 'number') || currency === null) return null;
  return [amount, currency];
}

/** Reads a `*_set.presentment_money` bag: `[amount, currency]` or null. */
function presentmentMoney(bag: unknown): [string | number, string] | null {
  const b = obj(bag);
  const money = obj(b?.['presentment_money']) ?? obj(b?.['presentmentMoney']);
  if (!money) return null;
  const amount = money['amount'];
  const currency = str(money['currency_code']) ?? str(money['currencyCode']);
  if ((typeof amount !== 'string' && typeof amount !== 'number') || currency === null) return null;
  return [amount, currency];
}

/** Converts a buyer-currency amount to the shop currency with the order's own shop/presentment total ratio. */
export interface PresentmentRate {
  currency: string;
  shopPerPresentment: number;
}

/**
 * Order payload of the `orders/*` webhooks (REST shape, snake_case, numeric ids: parse the body with
 * `parseJsonExact` so that ids above 2^53 arrive as text). The refunded total is
 * `total_price_set - current_total_price_set` in shop money (refund transactions are in the buyer's currency).
 */
export function orderFromWebhook(payload: unknown): StoredOrder {
  const p = obj(payload);
  if (!p) throw new AppError('bad-payload', 'order webhook: the body is not a JSON object');
  const orderId = parseShopifyId(p['id'], 'order.id');
  const total = shopMoney(p['total_price_set']);
  const currency = total?.[1] ?? str(p['currency']);
  if (currency === null) throw new AppError('bad-payload', `order ${orderId}: no currency`);
  const totalRaw = total?.[0] ?? p['total_price'];
  if (typeof totalRaw !== 'string' && typeof totalRaw !== 'number') {
    throw new AppError('bad-payload', `order ${orderId}: no total_price`);
  }
  const totalMinor = parseMoneyToMinor(totalRaw, currency, `order ${orderId} total_price`);
  const current = shopMoney(p['current_total_price_set']);
  const presentment = presentmentMoney(p['total_price_set']);
  let rate: PresentmentRate | null = null;
  if (presentment && presentment[1] !== currency) {
    const presentmentMinor = parseMoneyToMinor(presentment[0], presentment[1], `order ${orderId} total_price_set.presentment_money`);
    if (presentmentMinor > 0) rate = { currency: presentment[1], shopPerPresentment: totalMinor / presentmentMinor };
  }
  const customer = obj(p['customer']);
  const customerId = customer && customer['id'] != null ? parseShopifyId(customer['id'], `order ${orderId} customer.id`) : null;
  const email = str(p['email']) ?? str(p['contact_email']) ?? str(customer?.['email']);
  const refunds = Array.isArray(p['refunds'])
    ? p['refunds'].map((r, i) => refundFromWebhook(r, currency, `order ${orderId} refunds[${i}]`, rate)).filter((r) => r.amountMinor !== null)
    : [];
  const lineItems = Array.isArray(p['line_items']) ? p['line_items'] : [];
  const subscription = isSubscriptionOrder(
    p['source_name'],
    lineItems.map((li) => obj(li)?.['selling_plan_allocation']),
  );
  const refundedMinor = current
    ? Math.max(0, totalMinor - parseMoneyToMinor(current[0], current[1], `order ${orderId} current_total_price_set`))
    : refunds.reduce((sum, r) => sum + (r.amountMinor ?? 0), 0);
  return {
    orderId,
    customerId,
    guestKey: customerId === null && email !== null ? guestKeyOf(email) : null,
    placedAtMs: parseTimeMs(p['processed_at'] ?? p['created_at'], `order ${orderId} processed_at`),
    updatedAtMs: parseTimeMs(p['updated_at'] ?? p['created_at'], `order ${orderId} updated_at`),
    currency,
    totalMinor,
    refundedMinor,
    cancelled: p['cancelled_at'] != null,
    test: p['test'] === true,
    subscription,
    refunds: refunds.map((r) => ({ refundId: r.refundId, refundedAtMs: r.refundedAtMs, amountMinor: r.amountMinor ?? 0 })),
  };
}

/**
 * A refund of the `refunds/create` webhook or of an order payload's `refunds[]` (REST shape). Its transactions are in
 * the buyer's currency: they are converted with `rate` (the order's ratio) when given; without one, an amount in a
 * currency other than the shop's is unknown (`amountMinor: null`), and the order's own refunded total is the truth.
 */
export function refundFromWebhook(
  payload: unknown,
  shopCurrency: string,
  field = 'refund',
  rate: PresentmentRate | null = null,
): { refundId: string; orderId: string | null; refundedAtMs: number; amountMinor: number | null } {
  const r = obj(payload);
  if (!r) throw new AppError('bad-payload', `${field}: not a JSON object`);
  const refundId = parseShopifyId(r['id'], `${field}.id`);
  const total = shopMoney(r['total_refunded_set']);
  let amountMinor: number | null = 0;
  if (total) {
    amountMinor = parseMoneyToMinor(total[0], total[1], `${field}.total_refunded_set`);
  } else {
    const transactions = Array.isArray(r['transactions']) ? r['transactions'] : [];
    for (const [i, t] of transactions.entries()) {
      const tx = obj(t);
      if (!tx || tx['kind'] !== 'refund' || (tx['status'] !== undefined && tx['status'] !== 'success')) continue;
      const set = shopMoney(tx['amount_set']);
      const raw = set?.[0] ?? tx['amount'];
      if (typeof raw !== 'string' && typeof raw !== 'number') continue;
      const txCurrency = set?.[1] ?? str(tx['currency']) ?? shopCurrency;
      const where = `${field}.transactions[${i}].amount`;
      if (txCurrency === shopCurrency) amountMinor = (amountMinor ?? 0) + parseMoneyToMinor(raw, txCurrency, where);
      else if (rate && rate.currency === txCurrency)
        amountMinor = (amountMinor ?? 0) + Math.round(parseMoneyToMinor(raw, txCurrency, where) * rate.shopPerPresentment);
      else amountMinor = null;
      if (amountMinor === null) break;
    }
  }
  return {
    refundId,
    orderId: r['order_id'] != null ? parseShopifyId(r['order_id'], `${field}.order_id`) : null,
    refundedAtMs: parseTimeMs(r['processed_at'] ?? r['created_at'], `${field}.created_at`),
    amountMinor,
  };
}

/**
 * Whether an order is recurring (for MRR), the one rule for every payload: created by a subscription contract
 * (`source_name` / `sourceName` = `subscription_contract`, the renewals), or any line item bought with a selling plan
 * (REST `selling_plan_allocation`, GraphQL `LineItem.sellingPlan`; the checkout that starts a subscription).
 * @param sellingPlans one entry per line item read: its selling plan, or null/undefined when it has none.
 */
export function isSubscriptionOrder(sourceName: unknown, sellingPlans: Iterable<unknown>): boolean {
  if (sourceName === 'subscription_contract') return true;
  for (const plan of sellingPlans) if (plan != null) return true;
  return false;
}

/**
 * The order fields every GraphQL order read asks for (bulk backfill and reconciliation), so both parse the same way.
 * Line items are not in it: a bulk query asks them as a nested connection (their own JSONL lines, see
 * {@link BULK_LINE_ITEM_FIELDS}), a paged query with {@link PAGED_LINE_ITEM_FIELDS}.
 */
export const ORDER_NODE_FIELDS = orderNodeFields('');

/** {@link ORDER_NODE_FIELDS} with arguments on `refunds` (`(first: 10)` keeps a paged query's cost bounded). */
export function orderNodeFields(refundsArgs: string): string {
  return `id createdAt processedAt updatedAt cancelledAt test email sourceName currencyCode
  totalPriceSet { shopMoney { amount currencyCode } }
  totalRefundedSet { shopMoney { amount currencyCode } }
  customer { id }
  refunds${refundsArgs} { id createdAt totalRefundedSet { shopMoney { amount currencyCode } } }`;
}

/**
 * The line items of an order in a bulk query: a nested connection (no `first` allowed), each item its own JSONL line
 * `{"id":..,"sellingPlan":{..}|null,"__parentId":"gid://shopify/Order/.."}`, read by {@link sellingPlanLineOf}.
 */
export const BULK_LINE_ITEM_FIELDS = 'lineItems { edges { node { id sellingPlan { name } } } }';

/**
 * The line items of an order in a paged query, `first` of them; `pageInfo` tells when an order has more, which are
 * then read with {@link ORDER_LINE_ITEMS_PAGE}.
 */
export function pagedLineItemFields(first: number): string {
  return `lineItems(first: ${first}) { pageInfo { hasNextPage endCursor } nodes { sellingPlan { name } } }`;
}

/** The rest of one order's line items, after `$cursor` (cost 2 + 250 × 2 + 3, under the 1,000-point limit). */
export const ORDER_LINE_ITEMS_PAGE = `#graphql
query OrderLineItems($id: ID!, $cursor: String) {
  order(id: $id) { id lineItems(first: 250, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { sellingPlan { name } } } }
}`;

/** The selling plans of a GraphQL `lineItems` connection value (`nodes` or `edges { node }`), one per item read. */
export function sellingPlansOf(connection: unknown): unknown[] {
  const c = obj(connection);
  if (!c) return [];
  const nodes = Array.isArray(c['nodes']) ? c['nodes'] : Array.isArray(c['edges']) ? c['edges'].map((e) => obj(e)?.['node']) : [];
  return nodes.map((n) => obj(n)?.['sellingPlan']);
}

/**
 * A child line of the bulk JSONL that is a line item (`__parentId` an Order gid): its order's id and whether
 * it has a selling plan; null for any other line.
 */
export function sellingPlanLineOf(node: unknown): { orderId: string; hasSellingPlan: boolean } | null {
  const n = obj(node);
  const parent = n?.['__parentId'];
  const id = n?.['id'];
  if (!n || typeof parent !== 'string' || !parent.includes('/Order/') || typeof id !== 'string' || !id.includes('/LineItem/')) return null;
  return { orderId: parseShopifyId(parent, `line item ${id} __parentId`), hasSellingPlan: n['sellingPlan'] != null };
}

/**
 * An order node of the GraphQL Admin API (bulk JSONL line or `orders` page node), asked with {@link ORDER_NODE_FIELDS}.
 * `subscription` comes from `sourceName` and the line items the node carries (`lineItems`, paged reads); a bulk line
 * carries none (they are child lines), so the backfill adds what its child lines say.
 */
export function orderFromGraphql(node: unknown): StoredOrder {
  const n = obj(node);
  if (!n) throw new AppError('bad-payload', 'order node: not a JSON object');
  const orderId = parseShopifyId(n['legacyResourceId'] ?? n['id'], 'order.id');
  const total = shopMoney(n['totalPriceSet']);
  if (!total) throw new AppError('bad-payload', `order ${orderId}: no totalPriceSet.shopMoney`);
  const currency = total[1];
  const customer = obj(n['customer']);
  const customerId = customer && customer['id'] != null ? parseShopifyId(customer['id'], `order ${orderId} customer.id`) : null;
  const email = str(n['email']);
  const refunds: StoredRefund[] = (Array.isArray(n['refunds']) ? n['refunds'] : []).map((r, i) => {
    const refund = obj(r) ?? {};
    const field = `order ${orderId} refunds[${i}]`;
    const money = shopMoney(refund['totalRefundedSet']);
    return {
      refundId: parseShopifyId(refund['id'], `${field}.id`),
      refundedAtMs: parseTimeMs(refund['createdAt'], `${field}.createdAt`),
      amountMinor: money ? parseMoneyToMinor(money[0], money[1], `${field}.totalRefundedSet`) : 0,
    };
  });
  const refundedTotal = shopMoney(n['totalRefundedSet']);
  return {
    orderId,
    customerId,
    guestKey: customerId === null && email !== null ? guestKeyOf(email) : null,
    placedAtMs: parseTimeMs(n['processedAt'] ?? n['createdAt'], `order ${orderId} processedAt`),
    updatedAtMs: parseTimeMs(n['updatedAt'] ?? n['createdAt'], `order ${orderId} updatedAt`),
    currency,
    totalMinor: parseMoneyToMinor(total[0], currency, `order ${orderId} totalPriceSet`),
    refundedMinor: refundedTotal
      ? parseMoneyToMinor(refundedTotal[0], refundedTotal[1], `order ${orderId} totalRefundedSet`)
      : refunds.reduce((sum, r) => sum + r.amountMinor, 0),
    cancelled: n['cancelledAt'] != null,
    test: n['test'] === true,
    subscription: isSubscriptionOrder(n['sourceName'], sellingPlansOf(n['lineItems'])),
    refunds,
  };
}

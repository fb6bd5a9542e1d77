import { sql } from 'kysely';
import { guestKeyOf, parseShopifyId } from '../ingest/order.ts';
import type { WebhookContext } from './types.ts';

/** Who a compliance request (`customers/redact`, `customers/data_request`) is about, resolved against what is stored. */
export interface CustomerSubject {
  /** The customer ids the request names: `customer.id`, the stored customer with `customer.email`, and the customers of the listed orders. */
  customerIds: string[];
  /** The guest keys `customer.email` may be stored under (guest orders carry no customer id): none without an email. */
  guestKeys: string[];
  email: string | null;
  /** `orders_to_redact` / `orders_requested`. */
  orderIds: string[];
}

/**
 * Reads a compliance payload in every shape Shopify documents (`customer` with an id, an email, or both; the order
 * list may be absent, empty or hold guest orders) and finds every stored customer it means.
 */
export async function resolveCustomerSubject(ctx: WebhookContext, ordersField: 'orders_to_redact' | 'orders_requested'): Promise<CustomerSubject> {
  const customer = (typeof ctx.payload['customer'] === 'object' && ctx.payload['customer'] !== null ? ctx.payload['customer'] : {}) as Record<string, unknown>;
  const ids = new Set<string>();
  if (customer['id'] != null) ids.add(parseShopifyId(customer['id'], 'customer.id'));
  const rawEmail = typeof customer['email'] === 'string' ? customer['email'].trim() : '';
  const email = rawEmail.length > 0 ? rawEmail : null;
  const list = ctx.payload[ordersField];
  const orderIds = Array.isArray(list) ? list.map((id, i) => parseShopifyId(id, `${ordersField}[${i}]`)) : [];
  const guestKeys: string[] = [];
  if (email !== null) {
    // By the email's HMAC; the plain column only holds rows of older versions not converted yet.
    const emailKey = ctx.pii ? await ctx.pii.emailKey(ctx.trx, ctx.shop, email) : null;
    const rows = await sql<{ customer_id: string }>`SELECT customer_id::text AS customer_id FROM customer_personal
      WHERE shop_id = ${ctx.shop} AND (email_key = ${emailKey} OR lower(btrim(email)) = ${email.toLowerCase()})`.execute(ctx.trx);
    for (const r of rows.rows) ids.add(r.customer_id);
    const hash = guestKeyOf(email);
    guestKeys.push(hash);
    if (ctx.pii) guestKeys.push(await ctx.pii.guestKey(ctx.trx, ctx.shop, hash));
  }
  if (orderIds.length > 0) {
    const rows = await sql<{ customer_id: string }>`SELECT DISTINCT customer_id::text AS customer_id FROM orders
      WHERE shop_id = ${ctx.shop} AND order_id = ANY(${orderIds}::bigint[]) AND customer_id IS NOT NULL`.execute(ctx.trx);
    for (const r of rows.rows) ids.add(r.customer_id);
  }
  return { customerIds: [...ids].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)), guestKeys, email, orderIds };
}

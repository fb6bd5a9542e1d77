import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { parseShopifyId } from '../ingest/order.ts';
import { guestKeyOf } from '../ingest/order.ts';
import { markCustomerDeleted } from './customers-delete.ts';
import type { WebhookContext } from './types.ts';

/**
 * `customers/redact`: delete the customer's personal data and unlink the listed orders from them. The orders stay for
 * shop metrics under one random key (repeat rate stays exact, nobody can link them back); the customer's insight
 * becomes a tombstone that the delta feed reports as deleted.
 */
export async function handleCustomersRedact(ctx: WebhookContext): Promise<void> {
  const customer = (ctx.payload['customer'] ?? {}) as Record<string, unknown>;
  const customerId = customer['id'] != null ? parseShopifyId(customer['id'], 'customer.id') : null;
  const email = typeof customer['email'] === 'string' ? customer['email'] : null;
  const orderIds = Array.isArray(ctx.payload['orders_to_redact'])
    ? ctx.payload['orders_to_redact'].map((id, i) => parseShopifyId(id, `orders_to_redact[${i}]`))
    : [];
  const anonymousKey = `redacted:${randomBytes(16).toString('hex')}`;
  const guestKey = email ? guestKeyOf(email) : null;
  await sql`UPDATE orders SET customer_id = NULL, guest_key = ${anonymousKey}
    WHERE shop_id = ${ctx.shop} AND (
      order_id = ANY(${orderIds}::bigint[])
      OR (${customerId}::bigint IS NOT NULL AND customer_id = ${customerId}::bigint)
      OR (${guestKey}::text IS NOT NULL AND guest_key = ${guestKey}::text))`.execute(ctx.trx);
  if (customerId !== null) await markCustomerDeleted(ctx, customerId);
  if (customerId !== null) await ctx.trx.deleteFrom('data_request_exports').where('shop_id', '=', ctx.shop).where('customer_id', '=', customerId).execute();
  ctx.followUp({ kind: 'recompute', shop: ctx.shop });
}

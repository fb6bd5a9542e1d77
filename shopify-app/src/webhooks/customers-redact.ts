import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { redactOrders } from '../ingest/store.ts';
import { markCustomerDeleted } from './customers-delete.ts';
import { resolveCustomerSubject } from './customer-lookup.ts';
import type { WebhookContext } from './types.ts';

/**
 * `customers/redact`: delete the customer's personal data and unlink the listed orders from them. The orders stay for
 * shop metrics under one random key (repeat rate stays exact, nobody can link them back); the customer's insight
 * becomes a tombstone that the delta feed reports as deleted. The payload may name the customer by id, by email only,
 * or both, and `orders_to_redact` may list guest orders ({@link resolveCustomerSubject}).
 */
export async function handleCustomersRedact(ctx: WebhookContext): Promise<void> {
  const { customerIds, guestKeys, email, orderIds } = await resolveCustomerSubject(ctx, 'orders_to_redact');
  const anonymousKey = `redacted:${randomBytes(16).toString('hex')}`;
  await redactOrders(ctx.trx, ctx.shop, { orderIds, customerIds, guestKeys }, anonymousKey);
  for (const customerId of customerIds) await markCustomerDeleted(ctx, customerId);
  // What the app last wrote to the customer's metafields is derived from their orders: erased with them.
  await sql`DELETE FROM customer_metafield_writes WHERE shop_id = ${ctx.shop} AND customer_id = ANY(${customerIds}::bigint[])`.execute(ctx.trx);
  // Their tier changes (numbers and reason codes, no names) go too, sent to Flow or not.
  await sql`DELETE FROM customer_tier_changes WHERE shop_id = ${ctx.shop} AND customer_id = ANY(${customerIds}::bigint[])`.execute(ctx.trx);
  // Exports made for an earlier data request hold the same personal data.
  await sql`DELETE FROM data_request_exports WHERE shop_id = ${ctx.shop} AND (
      customer_id = ANY(${customerIds}::bigint[])
      OR (${email}::text IS NOT NULL AND strpos(lower(payload), lower(${email}::text)) > 0))`.execute(ctx.trx);
  // Imported survey answers that name the customer, by id or by the shop's HMAC of the email (never the address).
  const emailKey = email !== null && ctx.pii ? await ctx.pii.emailKey(ctx.trx, ctx.shop, email) : null;
  await sql`DELETE FROM survey_responses WHERE shop_id = ${ctx.shop} AND (
      customer_id = ANY(${customerIds}::bigint[]) OR (${emailKey}::text IS NOT NULL AND email_key = ${emailKey}::text))`.execute(ctx.trx);
  ctx.followUp({ kind: 'recompute', shop: ctx.shop });
}

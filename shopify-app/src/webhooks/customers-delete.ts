import { parseShopifyId } from '../ingest/order.ts';
import { queueRecompute } from '../ingest/store.ts';
import type { WebhookContext } from './types.ts';

/** `customers/delete`: forget the customer's personal data; the recompute turns its insight into a tombstone. */
export async function handleCustomersDelete(ctx: WebhookContext): Promise<void> {
  const customerId = parseShopifyId(ctx.payload['id'], 'customer.id');
  await markCustomerDeleted(ctx, customerId);
}

/** Shared by customers/delete and customers/redact. */
export async function markCustomerDeleted(ctx: WebhookContext, customerId: string): Promise<void> {
  await ctx.trx
    .insertInto('customers')
    .values({ shop_id: ctx.shop, customer_id: customerId, updated_at: null, deleted: true })
    .onConflict((oc) => oc.columns(['shop_id', 'customer_id']).doUpdateSet({ deleted: true }))
    .execute();
  await ctx.trx.deleteFrom('customer_personal').where('shop_id', '=', ctx.shop).where('customer_id', '=', customerId).execute();
  await queueRecompute(ctx.trx, ctx.shop, [customerId]);
  ctx.followUp({ kind: 'recompute', shop: ctx.shop });
}

import { parseShopifyId, parseTimeMs } from '../ingest/order.ts';
import type { WebhookContext } from './types.ts';

/** `customers/update` (and `customers/create`): keep the customer row and its email, newest version wins. */
export async function handleCustomersUpdate(ctx: WebhookContext): Promise<void> {
  const customerId = parseShopifyId(ctx.payload['id'], 'customer.id');
  const updatedAt = new Date(parseTimeMs(ctx.payload['updated_at'] ?? ctx.payload['created_at'], `customer ${customerId} updated_at`));
  const changed = await ctx.trx
    .insertInto('customers')
    .values({ shop_id: ctx.shop, customer_id: customerId, updated_at: updatedAt })
    .onConflict((oc) =>
      oc
        .columns(['shop_id', 'customer_id'])
        .doUpdateSet({ updated_at: updatedAt })
        .where((eb) => eb.or([eb('customers.updated_at', 'is', null), eb('customers.updated_at', '<', updatedAt)]))
        .where('customers.deleted', '=', false),
    )
    .executeTakeFirst();
  if (Number(changed.numInsertedOrUpdatedRows ?? 0) === 0) return;
  const email = typeof ctx.payload['email'] === 'string' && ctx.payload['email'].trim().length > 0 ? ctx.payload['email'] : null;
  // Kept encrypted, for the data-request export only, with a per-shop HMAC to find it by (ingest/pii.ts).
  const personal = ctx.pii
    ? {
        email: null,
        email_enc: email === null ? null : ctx.pii.encryptEmail(email),
        email_key: email === null ? null : await ctx.pii.emailKey(ctx.trx, ctx.shop, email),
      }
    : { email, email_enc: null, email_key: null };
  await ctx.trx
    .insertInto('customer_personal')
    .values({ shop_id: ctx.shop, customer_id: customerId, ...personal })
    .onConflict((oc) => oc.columns(['shop_id', 'customer_id']).doUpdateSet(personal))
    .execute();
}

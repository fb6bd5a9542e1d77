import { orderFromWebhook } from '../ingest/order.ts';
import { upsertOrders } from '../ingest/store.ts';
import { screenOrders } from '../ingest/validate.ts';
import type { WebhookContext } from './types.ts';

/** `orders/updated` (also `orders/paid`): replace the stored order only when this version's updated_at is newer. */
export async function handleOrdersUpdated(ctx: WebhookContext): Promise<void> {
  await upsertOrders(ctx.trx, ctx.shop, await screenOrders(ctx.trx, ctx.shop, [orderFromWebhook(ctx.payload)], ctx.clock.now(), ctx.pii));
  ctx.followUp({ kind: 'recompute', shop: ctx.shop });
}

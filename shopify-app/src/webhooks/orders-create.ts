import { orderFromWebhook } from '../ingest/order.ts';
import { upsertOrders } from '../ingest/store.ts';
import { screenOrders } from '../ingest/validate.ts';
import type { WebhookContext } from './types.ts';

/** `orders/create`: store the order (idempotent by id and updated_at) and recompute its customer. */
export async function handleOrdersCreate(ctx: WebhookContext): Promise<void> {
  await upsertOrders(ctx.trx, ctx.shop, await screenOrders(ctx.trx, ctx.shop, [orderFromWebhook(ctx.payload)], ctx.clock.now(), ctx.pii));
  ctx.followUp({ kind: 'recompute', shop: ctx.shop });
}

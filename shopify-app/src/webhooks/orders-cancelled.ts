import { orderFromWebhook } from '../ingest/order.ts';
import { upsertOrders } from '../ingest/store.ts';
import { screenOrders } from '../ingest/validate.ts';
import type { WebhookContext } from './types.ts';

/** `orders/cancelled`: the payload is the whole order with `cancelled_at` set; same newer-wins upsert. */
export async function handleOrdersCancelled(ctx: WebhookContext): Promise<void> {
  await upsertOrders(ctx.trx, ctx.shop, await screenOrders(ctx.trx, ctx.shop, [orderFromWebhook(ctx.payload)], ctx.clock.now(), ctx.pii));
  ctx.followUp({ kind: 'recompute', shop: ctx.shop });
}

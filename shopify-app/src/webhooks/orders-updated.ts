import { orderFromWebhook } from '../ingest/order.ts';
import type { OrderWebhookContext } from './types.ts';

/** `orders/updated` (also `orders/paid`): the order sink replaces the stored order only when this version's updated_at is newer. */
export async function handleOrdersUpdated(ctx: OrderWebhookContext) {
  return ctx.sink.submitWebhookOrder({ shop: ctx.shop, webhookId: ctx.webhookId, topic: ctx.topic, order: orderFromWebhook(ctx.payload) }, ctx.shopCurrency);
}

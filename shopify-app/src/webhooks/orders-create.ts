import { orderFromWebhook } from '../ingest/order.ts';
import type { OrderWebhookContext } from './types.ts';

/** `orders/create`: hand the order to the order sink (stored idempotently by id and updated_at); its customer is recomputed. */
export async function handleOrdersCreate(ctx: OrderWebhookContext) {
  return ctx.sink.submitWebhookOrder({ shop: ctx.shop, webhookId: ctx.webhookId, topic: ctx.topic, order: orderFromWebhook(ctx.payload) }, ctx.shopCurrency);
}

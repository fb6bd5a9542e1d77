import type { OrderDeliveryResult } from '../ingest/order-sink.ts';
import { orderFromWebhook } from '../ingest/order.ts';
import type { OrderWebhookContext } from './types.ts';

/**
 * What every order topic does: parse the payload as an order and hand it to the order sink, which stores it
 * newer-wins by `updated_at` (batched) and queues its customer for recompute. The topic files differ only in what
 * Shopify sends under their name.
 */
export function submitOrderWebhook(ctx: OrderWebhookContext): Promise<OrderDeliveryResult> {
  return ctx.sink.submitWebhookOrder({ shop: ctx.shop, webhookId: ctx.webhookId, topic: ctx.topic, order: orderFromWebhook(ctx.payload) }, ctx.shopCurrency);
}

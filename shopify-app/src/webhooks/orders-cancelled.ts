import { submitOrderWebhook } from './order-topic.ts';
import type { OrderWebhookContext } from './types.ts';

/** `orders/cancelled`: the payload is the whole order with `cancelled_at` set; the order sink applies the same newer-wins upsert. */
export async function handleOrdersCancelled(ctx: OrderWebhookContext) {
  return submitOrderWebhook(ctx);
}

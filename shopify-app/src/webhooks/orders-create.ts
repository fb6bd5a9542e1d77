import { submitOrderWebhook } from './order-topic.ts';
import type { OrderWebhookContext } from './types.ts';

/** `orders/create`: hand the order to the order sink (stored idempotently by id and updated_at); its customer is recomputed. */
export async function handleOrdersCreate(ctx: OrderWebhookContext) {
  return submitOrderWebhook(ctx);
}

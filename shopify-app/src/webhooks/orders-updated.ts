import { submitOrderWebhook } from './order-topic.ts';
import type { OrderWebhookContext } from './types.ts';

/** `orders/updated` (also `orders/paid`): the order sink replaces the stored order only when this version's updated_at is newer. */
export async function handleOrdersUpdated(ctx: OrderWebhookContext) {
  return submitOrderWebhook(ctx);
}

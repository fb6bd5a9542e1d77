import { deleteOrder } from '../ingest/store.ts';
import { parseShopifyId } from '../ingest/order.ts';
import type { WebhookContext } from './types.ts';

/**
 * `orders/delete` (`{"id": ...}`): the merchant deleted the order in Shopify, whose admin no longer lists it, so the
 * app stops counting it: the order and its refunds are removed, and its customer is recomputed. The id is remembered,
 * so a version of the order delivered later (a retried `orders/updated`) does not bring it back.
 */
export async function handleOrdersDelete(ctx: WebhookContext): Promise<void> {
  const orderId = parseShopifyId(ctx.payload['id'], 'order.id');
  const customers = await deleteOrder(ctx.trx, ctx.shop, orderId, ctx.clock.now());
  if (customers.length > 0) ctx.followUp({ kind: 'recompute', shop: ctx.shop });
}

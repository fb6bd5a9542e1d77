import { AppError } from '../errors.ts';
import { refundFromWebhook } from '../ingest/order.ts';
import { insertRefunds } from '../ingest/store.ts';
import type { WebhookContext } from './types.ts';

/**
 * `refunds/create`: store the refund once by id. It may arrive before its order; the order's customer is recomputed
 * when the order lands, because refunds are joined at compute time.
 */
export async function handleRefundsCreate(ctx: WebhookContext): Promise<void> {
  const shop = await ctx.trx.selectFrom('shops').select('currency').where('shop_id', '=', ctx.shop).executeTakeFirst();
  const refund = refundFromWebhook(ctx.payload, shop?.currency ?? 'USD');
  if (refund.orderId === null) throw new AppError('bad-payload', `refund ${refund.refundId}: no order_id`);
  await insertRefunds(ctx.trx, ctx.shop, [{ ...refund, orderId: refund.orderId }]);
  ctx.followUp({ kind: 'recompute', shop: ctx.shop });
}

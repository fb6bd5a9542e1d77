import { AppError } from '../errors.ts';
import { refundFromWebhook } from '../ingest/order.ts';
import { insertRefunds } from '../ingest/store.ts';
import { quarantineRecord } from '../ingest/validate.ts';
import type { WebhookContext } from './types.ts';

/**
 * `refunds/create`: store the refund (date and shop-currency amount) once by id, for refund-date attribution. The
 * order's refunded total itself comes from the order payloads (orders/updated, bulk, reconciliation).
 */
export async function handleRefundsCreate(ctx: WebhookContext): Promise<void> {
  const shop = await ctx.trx.selectFrom('shops').select('currency').where('shop_id', '=', ctx.shop).executeTakeFirst();
  const refund = refundFromWebhook(ctx.payload, shop?.currency ?? 'USD');
  if (refund.orderId === null) throw new AppError('bad-payload', `refund ${refund.refundId}: no order_id`);
  if (refund.amountMinor === null) {
    // Paid back in the buyer's currency: the shop-currency amount arrives with the order update (orders/updated,
    // or the reconciliation pass), which is what the order's refunded total is taken from anyway.
    ctx.log.info('refund in presentment currency; waiting for the order update', { shop: ctx.shop, refund: refund.refundId });
    return;
  }
  if (refund.amountMinor < 0) {
    const reason = `refund ${refund.refundId} of order ${refund.orderId} has a negative amount (${refund.amountMinor} minor units)`;
    await quarantineRecord(ctx.trx, ctx.shop, 'refund', String(refund.refundId), reason, ctx.clock.now());
    ctx.log.warn('refund quarantined', { shop: ctx.shop, refund: refund.refundId, reason });
    return;
  }
  await insertRefunds(ctx.trx, ctx.shop, [
    { refundId: refund.refundId, refundedAtMs: refund.refundedAtMs, amountMinor: refund.amountMinor, orderId: refund.orderId },
  ]);
  ctx.followUp({ kind: 'recompute', shop: ctx.shop });
}

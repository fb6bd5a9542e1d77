import { sql } from 'kysely';
import { parseShopifyId } from '../ingest/order.ts';
import type { WebhookContext } from './types.ts';

/**
 * `customers/data_request`: collect everything stored about the customer (personal data, orders, computed insight)
 * into `data_request_exports` for the merchant to hand over; the dashboard lists them.
 */
export async function handleCustomersDataRequest(ctx: WebhookContext): Promise<void> {
  const customer = (ctx.payload['customer'] ?? {}) as Record<string, unknown>;
  const customerId = customer['id'] != null ? parseShopifyId(customer['id'], 'customer.id') : null;
  const requestId = String((ctx.payload['data_request'] as Record<string, unknown> | undefined)?.['id'] ?? ctx.webhookId);
  const requested = Array.isArray(ctx.payload['orders_requested'])
    ? ctx.payload['orders_requested'].map((id, i) => parseShopifyId(id, `orders_requested[${i}]`))
    : [];
  const personal = customerId === null
    ? undefined
    : await ctx.trx.selectFrom('customer_personal').select('email').where('shop_id', '=', ctx.shop).where('customer_id', '=', customerId).executeTakeFirst();
  let ordersQuery = ctx.trx
    .selectFrom('orders')
    .select([sql<string>`order_id::text`.as('order_id'), 'placed_at', 'currency', 'total_minor', 'refunded_minor', 'cancelled', 'test'])
    .where('shop_id', '=', ctx.shop);
  ordersQuery = customerId === null
    ? ordersQuery.where('order_id', 'in', requested.length > 0 ? requested : ['-1'])
    : ordersQuery.where((eb) =>
        eb.or([eb('customer_id', '=', customerId), ...(requested.length > 0 ? [eb('order_id', 'in', requested)] : [])]),
      );
  const orders = await ordersQuery.orderBy('orders.order_id').execute();
  const insight = customerId === null
    ? undefined
    : await ctx.trx.selectFrom('customer_insights').select('payload').where('shop_id', '=', ctx.shop).where('customer_id', '=', customerId).executeTakeFirst();
  const payload = {
    shopDomain: ctx.shop,
    customerId,
    personalData: personal ? { email: personal.email } : null,
    orders: orders.map((o) => ({
      orderId: o.order_id,
      placedAt: o.placed_at.toISOString(),
      currency: o.currency,
      totalMinor: o.total_minor,
      refundedMinor: o.refunded_minor,
      cancelled: o.cancelled,
      test: o.test,
    })),
    insight: insight?.payload ? JSON.parse(insight.payload) : null,
  };
  await ctx.trx
    .insertInto('data_request_exports')
    .values({
      shop_id: ctx.shop,
      request_id: requestId,
      customer_id: customerId,
      payload: JSON.stringify(payload),
      created_at: new Date(ctx.clock.now()),
    })
    .onConflict((oc) => oc.columns(['shop_id', 'request_id']).doNothing())
    .execute();
}

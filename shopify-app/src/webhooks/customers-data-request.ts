import { sql } from 'kysely';
import { resolveCustomerSubject } from './customer-lookup.ts';
import type { WebhookContext } from './types.ts';

/**
 * `customers/data_request`: collect everything stored about the customer (personal data, orders, computed insight,
 * imported survey answers)
 * into `data_request_exports` for the merchant to hand over; the dashboard lists them. The customer may be named by
 * id, by email only, or both; guest orders are found by the email's guest key.
 */
export async function handleCustomersDataRequest(ctx: WebhookContext): Promise<void> {
  const { customerIds, guestKeys, email, orderIds: requested } = await resolveCustomerSubject(ctx, 'orders_requested');
  const requestId = String((ctx.payload['data_request'] as Record<string, unknown> | undefined)?.['id'] ?? ctx.webhookId);
  const customerId = customerIds.length === 1 ? customerIds[0]! : null;
  const personal =
    customerIds.length === 0
      ? []
      : await ctx.trx
          .selectFrom('customer_personal')
          .select(['customer_id', 'email', 'email_enc'])
          .where('shop_id', '=', ctx.shop)
          .where('customer_id', 'in', customerIds)
          .orderBy('customer_id')
          .execute();
  const orders = await ctx.trx
    .selectFrom('orders')
    .select([sql<string>`order_id::text`.as('order_id'), 'placed_at', 'currency', 'total_minor', 'refunded_minor', 'cancelled', 'test'])
    .where('shop_id', '=', ctx.shop)
    .where((eb) =>
      eb.or([
        ...(customerIds.length > 0 ? [eb('customer_id', 'in', customerIds)] : []),
        ...(requested.length > 0 ? [eb('order_id', 'in', requested)] : []),
        ...(guestKeys.length > 0 ? [eb('guest_key', 'in', guestKeys)] : []),
        eb.val(false),
      ]),
    )
    .orderBy('orders.order_id')
    .execute();
  const insights =
    customerIds.length === 0
      ? []
      : await ctx.trx
          .selectFrom('customer_insights')
          .select('payload')
          .where('shop_id', '=', ctx.shop)
          .where('customer_id', 'in', customerIds)
          .orderBy('customer_id')
          .execute();
  const insight = insights.find((i) => i.payload !== null);
  // Imported survey answers that name the customer (by id, or by the shop's HMAC of the email).
  const emailKey = email !== null && ctx.pii ? await ctx.pii.emailKey(ctx.trx, ctx.shop, email) : null;
  const surveys = await ctx.trx
    .selectFrom('survey_responses')
    .select(['kind', 'score', 'month'])
    .where('shop_id', '=', ctx.shop)
    .where((eb) =>
      eb.or([
        ...(customerIds.length > 0 ? [eb('customer_id', 'in', customerIds)] : []),
        ...(emailKey !== null ? [eb('email_key', '=', emailKey)] : []),
        eb.val(false),
      ]),
    )
    .orderBy('month')
    .orderBy('response_key')
    .execute();
  const payload = {
    shopDomain: ctx.shop,
    customerId: customerId === null ? null : String(customerId),
    customerIds: customerIds.map(String),
    requestedEmail: email,
    personalData: personal.length > 0 ? { email: storedEmail(ctx, personal[0]!) } : null,
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
    surveyResponses: surveys.map((r) => ({ type: r.kind, score: r.score, month: r.month })),
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

/** The customer's email as stored: decrypted (ingest/pii.ts), or the plain column of a row of an older version. */
function storedEmail(ctx: WebhookContext, row: { email: string | null; email_enc: string | null }): string | null {
  if (row.email_enc !== null && ctx.pii) return ctx.pii.decryptEmail(row.email_enc);
  return row.email;
}

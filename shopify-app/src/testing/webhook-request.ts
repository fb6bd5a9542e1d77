import { createHmac, randomUUID } from 'node:crypto';

/** Builds a webhook delivery as Shopify sends it: raw JSON body, base64 HMAC-SHA256 with the app secret, headers. */
export function signedWebhook(
  secret: string,
  shop: string,
  topic: string,
  payload: unknown,
  options: { webhookId?: string; badHmac?: boolean; path?: string } = {},
): Request {
  const body = JSON.stringify(payload);
  const hmac = createHmac('sha256', options.badHmac ? `${secret}x` : secret).update(body, 'utf8').digest('base64');
  return new Request(`http://localhost${options.path ?? '/webhooks'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': hmac,
      'x-shopify-shop-domain': shop,
      'x-shopify-api-version': '2026-07',
      'x-shopify-webhook-id': options.webhookId ?? randomUUID(),
      'x-shopify-triggered-at': new Date().toISOString(),
    },
    body,
  });
}

/** A REST-shaped order payload as the orders/* webhooks carry it. */
export function orderPayload(input: {
  id: number;
  customerId: number | null;
  email?: string | null;
  total: string;
  currency?: string;
  createdAt: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  test?: boolean;
  refunds?: { id: number; amount: string; createdAt: string }[];
}): Record<string, unknown> {
  const currency = input.currency ?? 'USD';
  return {
    id: input.id,
    admin_graphql_api_id: `gid://shopify/Order/${input.id}`,
    name: `#${input.id}`,
    email: input.email ?? null,
    created_at: input.createdAt,
    processed_at: input.createdAt,
    updated_at: input.updatedAt ?? input.createdAt,
    cancelled_at: input.cancelledAt ?? null,
    test: input.test ?? false,
    currency,
    total_price: input.total,
    total_price_set: { shop_money: { amount: input.total, currency_code: currency }, presentment_money: { amount: input.total, currency_code: currency } },
    current_total_price_set: {
      shop_money: { amount: (Number(input.total) - (input.refunds ?? []).reduce((sum, r) => sum + Number(r.amount), 0)).toFixed(2), currency_code: currency },
      presentment_money: { amount: input.total, currency_code: currency },
    },
    source_name: 'web',
    customer: input.customerId === null ? null : { id: input.customerId, email: `c${input.customerId}@example.com` },
    line_items: [],
    refunds: (input.refunds ?? []).map((r) => ({
      id: r.id,
      order_id: input.id,
      created_at: r.createdAt,
      processed_at: r.createdAt,
      transactions: [{ id: r.id * 10, kind: 'refund', status: 'success', amount: r.amount }],
    })),
  };
}

import { createHmac, randomUUID } from 'node:crypto';

/**
 * JSON text as Shopify's REST payloads write it: a `bigint` becomes a bare JSON number (64-bit ids), which
 * JSON.stringify cannot write.
 */
export function restJson(payload: unknown): string {
  return JSON.stringify(payload, (_key, value: unknown) => (typeof value === 'bigint' ? `\u0000${value}\u0000` : value)).replace(
    /"\\u0000(\d+)\\u0000"/g,
    '$1',
  );
}

/**
 * Builds a webhook delivery as Shopify sends it: raw JSON body (`payload` as is when it is text, else
 * {@link restJson}), base64 HMAC-SHA256 with the app secret, headers.
 */
export function signedWebhook(
  secret: string,
  shop: string,
  topic: string,
  payload: unknown,
  options: { webhookId?: string; badHmac?: boolean; path?: string } = {},
): Request {
  const body = typeof payload === 'string' ? payload : restJson(payload);
  const hmac = createHmac('sha256', options.badHmac ? `${secret}x` : secret)
    .update(body, 'utf8')
    .digest('base64');
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

/** A REST-shaped order payload as the orders/* webhooks carry it (a `bigint` id is written as a bare JSON number). */
export function orderPayload(input: {
  id: number | bigint;
  customerId: number | bigint | null;
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

import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a delivery was refused; the same words as `@shopify/shopify-api`'s `webhooks.validate`. */
export const WEBHOOK_REJECTIONS = {
  missingHmac: 'missing_hmac',
  invalidHmac: 'invalid_hmac',
  missingHeaders: 'missing_headers',
} as const;

/** A delivery whose HMAC matched, with the headers the handlers need. */
export type WebhookVerification =
  | { valid: true; topic: string; domain: string; apiVersion: string; webhookId: string }
  | { valid: false; reason: (typeof WEBHOOK_REJECTIONS)[keyof typeof WEBHOOK_REJECTIONS]; missingHeaders?: string[] };

const REQUIRED = ['x-shopify-topic', 'x-shopify-shop-domain', 'x-shopify-api-version', 'x-shopify-webhook-id'] as const;

/**
 * Verifies a webhook delivery as Shopify documents it: base64 HMAC-SHA256 of the raw body with the app secret in
 * `X-Shopify-Hmac-Sha256`, compared in constant time, then the required `X-Shopify-*` headers. Same checks and
 * reasons as `shopify.webhooks.validate`, which costs about 1 ms per delivery (it converts the request twice and
 * goes through async WebCrypto); this is a synchronous node:crypto call of a few microseconds, and the webhook
 * intake's largest CPU cost after the database. `verify.test.ts` checks both agree.
 */
export function verifyWebhook(secret: string, headers: Headers, rawBody: string, previousSecrets: readonly string[] = []): WebhookVerification {
  const given = headers.get('x-shopify-hmac-sha256');
  if (!given) return { valid: false, reason: WEBHOOK_REJECTIONS.missingHmac };
  const b = Buffer.from(given, 'utf8');
  // During a secret rotation Shopify may still sign with the old secret for a while: it is accepted too.
  const matches = (key: string): boolean => {
    const a = Buffer.from(createHmac('sha256', key).update(rawBody, 'utf8').digest('base64'), 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  };
  if (!matches(secret) && !previousSecrets.some(matches)) return { valid: false, reason: WEBHOOK_REJECTIONS.invalidHmac };
  const values = REQUIRED.map((name) => headers.get(name));
  const missing = REQUIRED.filter((_, k) => !values[k]);
  if (missing.length > 0) return { valid: false, reason: WEBHOOK_REJECTIONS.missingHeaders, missingHeaders: [...missing] };
  return { valid: true, topic: values[0]!, domain: values[1]!, apiVersion: values[2]!, webhookId: values[3]! };
}

import { describe, expect, it } from 'vitest';
import { createShopifyApi } from '../shopify/config.ts';
import { orderPayload, signedWebhook } from '../testing/webhook-request.ts';
import { verifyWebhook } from './verify.ts';

const SECRET = 'verify-secret';
const SHOP = 'verify.myshopify.com';
const shopify = createShopifyApi({ apiKey: 'verify-key', apiSecretKey: SECRET, appUrl: 'https://app.example.com' });

/** Both verdicts on one delivery: ours and the Shopify library's. */
async function both(request: Request): Promise<{ ours: { valid: boolean; reason?: string }; library: { valid: boolean; reason?: string } }> {
  const rawBody = await request.clone().text();
  const ours = verifyWebhook(SECRET, request.headers, rawBody);
  const library = await shopify.webhooks.validate({
    rawBody,
    rawRequest: { headers: Object.fromEntries(request.headers.entries()), method: request.method, url: request.url },
  });
  return {
    ours: ours.valid ? { valid: true } : { valid: false, reason: ours.reason },
    library: library.valid ? { valid: true } : { valid: false, reason: library.reason },
  };
}

const payload = orderPayload({ id: 11, customerId: 5, total: '12.50', createdAt: '2026-03-01T00:00:00Z', email: 'zoë@example.com' });

describe('verifyWebhook', () => {
  it('accepts a signed delivery (non-ASCII body) and returns its headers, as shopify.webhooks.validate does', async () => {
    const request = signedWebhook(SECRET, SHOP, 'orders/create', payload, { webhookId: 'w-1' });
    expect(await both(request)).toEqual({ ours: { valid: true }, library: { valid: true } });
    expect(verifyWebhook(SECRET, request.headers, await request.text())).toEqual({
      valid: true,
      topic: 'orders/create',
      domain: SHOP,
      apiVersion: '2026-07',
      webhookId: 'w-1',
    });
  });

  it('refuses a wrong secret, a changed body, a missing HMAC and missing headers with the library reasons', async () => {
    expect(await both(signedWebhook(SECRET, SHOP, 'orders/create', payload, { badHmac: true }))).toEqual({
      ours: { valid: false, reason: 'invalid_hmac' },
      library: { valid: false, reason: 'invalid_hmac' },
    });
    const signed = signedWebhook(SECRET, SHOP, 'orders/create', payload);
    const body = await signed.clone().text();
    const tampered = new Request(signed.url, { method: 'POST', headers: signed.headers, body: body.replace('12.50', '1250') });
    expect(await both(tampered)).toEqual({ ours: { valid: false, reason: 'invalid_hmac' }, library: { valid: false, reason: 'invalid_hmac' } });
    const noHmac = new Headers(signed.headers);
    noHmac.delete('x-shopify-hmac-sha256');
    expect(await both(new Request(signed.url, { method: 'POST', headers: noHmac, body }))).toEqual({
      ours: { valid: false, reason: 'missing_hmac' },
      library: { valid: false, reason: 'missing_hmac' },
    });
    const noId = new Headers(signed.headers);
    noId.delete('x-shopify-webhook-id');
    expect(await both(new Request(signed.url, { method: 'POST', headers: noId, body }))).toEqual({
      ours: { valid: false, reason: 'missing_headers' },
      library: { valid: false, reason: 'missing_headers' },
    });
    expect(verifyWebhook(SECRET, noId, body)).toMatchObject({ missingHeaders: ['x-shopify-webhook-id'] });
  });
});

import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPayload, signedWebhook } from './testing/webhook-request.ts';
import { startTestHttpServer, TEST_SECRET, type TestHttpServer } from './testing/http-server.ts';

const SHOP = 'secure-shop.myshopify.com';
const EXT = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

function jwt(claims: Record<string, unknown>): string {
  const nowS = Math.floor(Date.now() / 1000);
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ aud: 'test-key', sub: '1', exp: nowS + 60, nbf: nowS - 5, iat: nowS, jti: randomUUID(), sid: randomUUID(), ...claims })}`;
  return `${body}.${createHmac('sha256', TEST_SECRET).update(body).digest('base64url')}`;
}

describe('request checks over HTTP', () => {
  let t: TestHttpServer;
  beforeAll(async () => {
    t = await startTestHttpServer({ appOptions: { previousApiSecretKeys: ['old-secret'], extensionOrigins: [EXT] } });
    await t.installShop(SHOP);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('accepts a session token only when its issuer is the admin of its dest, a myshopify domain', async () => {
    const call = (token: string) => fetch(`${t.url}/app/api/summary`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call(jwt({ iss: `https://${SHOP}/admin`, dest: `https://${SHOP}` }))).status).toBe(200);
    expect((await call(jwt({ iss: 'https://other-shop.myshopify.com/admin', dest: `https://${SHOP}` }))).status).toBe(401);
    expect((await call(jwt({ iss: 'https://evil.example/admin', dest: 'https://evil.example' }))).status).toBe(401);
    expect((await call(jwt({ iss: `http://${SHOP}/admin`, dest: `http://${SHOP}` }))).status).toBe(401);
  });

  it('builds frame-ancestors from the verified shop only', async () => {
    const anonymous = await fetch(`${t.url}/app?shop=evil-shop.myshopify.com`);
    expect(anonymous.headers.get('content-security-policy')).toBe('frame-ancestors https://admin.shopify.com;');
    const verified = await fetch(`${t.url}/app?shop=evil-shop.myshopify.com&id_token=${t.sessionToken(SHOP)}`);
    expect(verified.headers.get('content-security-policy')).toBe(`frame-ancestors https://${SHOP} https://admin.shopify.com;`);
  });

  it('matches the Origin exactly, not as a prefix', async () => {
    const { code } = await t.server.app.createPairingCode(SHOP);
    const { token } = (await (await fetch(`${t.url}/api/v1/pair`, { method: 'POST', body: JSON.stringify({ code }) })).json()) as { token: string };
    const call = (origin: string) => fetch(`${t.url}/api/v1/shop/summary`, { headers: { authorization: `Bearer ${token}`, origin } });
    expect((await call(EXT)).status).toBe(200);
    expect((await call(t.url)).status).toBe(200);
    expect((await call(`${t.url}.evil.example`)).status).toBe(403);
    expect((await call(`${EXT}x`)).status).toBe(403);
  });

  it('accepts webhooks signed with the previous app secret during a rotation, and no other', async () => {
    const payload = orderPayload({ id: 77, customerId: 1, total: '1.00', createdAt: '2026-01-01T00:00:00Z' });
    expect((await t.send(signedWebhook('old-secret', SHOP, 'orders/create', payload))).status).toBe(200);
    expect((await t.send(signedWebhook('unknown-secret', SHOP, 'orders/create', payload))).status).toBe(401);
  });

  it('refuses a shop/redact whose payload names another shop, and erases nothing', async () => {
    const res = await t.webhook(SHOP, 'shop/redact', { shop_id: 1, shop_domain: 'other-shop.myshopify.com' });
    expect(res.status).toBe(400);
    expect(await t.database.db.selectFrom('shops').select('shop_id').where('shop_id', '=', SHOP).execute()).toHaveLength(1);
    expect((await t.webhook(SHOP, 'shop/redact', { shop_id: 1, shop_domain: SHOP })).status).toBe(200);
    expect(await t.database.db.selectFrom('shops').select('shop_id').where('shop_id', '=', SHOP).execute()).toHaveLength(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';

const SHOP = 'pair-shop.myshopify.com';
let nowMs = Date.parse('2026-11-20T12:00:00Z');
const clock = { now: () => nowMs };

async function pairWith(t: TestHttpServer, code: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.url}/api/v1/pair`, { method: 'POST', body: JSON.stringify({ code }), headers: { 'content-type': 'application/json', ...headers } });
}

describe('pairing over HTTP', () => {
  let direct: TestHttpServer;
  let proxied: TestHttpServer;
  beforeAll(async () => {
    direct = await startTestHttpServer({ clock });
    proxied = await startTestHttpServer({ clock, appOptions: { trustedProxies: ['127.0.0.1'] } });
    await direct.installShop(SHOP);
    await proxied.installShop(SHOP);
  });
  afterAll(async () => {
    await direct.stop();
    await proxied.stop();
  });

  it('limits guesses per connection address, however X-Forwarded-For rotates', async () => {
    for (let i = 0; i < 10; i++) expect((await pairWith(direct, 'WRNG-CODE', { 'x-forwarded-for': `10.0.0.${i}` })).status).toBe(400);
    const limited = await pairWith(direct, 'WRNG-CODE', { 'x-forwarded-for': '10.0.0.99' });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate-limited');
    // Even a right code waits out the window; after it, pairing works again.
    const { code } = await direct.server.app.createPairingCode(SHOP);
    expect((await pairWith(direct, code)).status).toBe(429);
    nowMs += 61_000;
    expect((await pairWith(direct, code)).status).toBe(200);
  });

  it('keys on the forwarded client address behind a trusted proxy', async () => {
    for (let i = 0; i < 10; i++) expect((await pairWith(proxied, 'WRNG-CODE', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(400);
    expect((await pairWith(proxied, 'WRNG-CODE', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    // A client's own X-Forwarded-For entries before the proxy's are not believed: the proxy appends the real address.
    expect((await pairWith(proxied, 'WRNG-CODE', { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' })).status).toBe(429);
    expect((await pairWith(proxied, 'WRNG-CODE', { 'x-forwarded-for': '203.0.113.8' })).status).toBe(400);
    nowMs += 61_000;
  });

  it('records token use, expires a token after 90 days idle, and rotates a token', async () => {
    const { code } = await direct.server.app.createPairingCode(SHOP);
    const { token } = (await (await pairWith(direct, code)).json()) as { token: string };
    const api = (tk: string, path = '/api/v1/shop/summary', init: RequestInit = {}) =>
      fetch(`${direct.url}${path}`, { ...init, headers: { authorization: `Bearer ${tk}` } });
    nowMs += 2 * 3_600_000;
    expect((await api(token)).status).toBe(200);
    const row = await direct.database.db
      .selectFrom('extension_tokens')
      .select(['last_used_at', 'expires_at'])
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect({ used: row.last_used_at?.getTime(), now: nowMs }).toEqual({ used: nowMs, now: nowMs });
    expect(row.expires_at.getTime()).toBe(nowMs + 90 * 86_400_000);

    const rotated = await api(token, '/api/v1/token/rotate', { method: 'POST' });
    expect(rotated.status).toBe(200);
    const fresh = ((await rotated.json()) as { token: string; shopDomain: string }).token;
    expect(fresh).not.toBe(token);
    expect((await api(token)).status).toBe(401);
    expect((await api(fresh)).status).toBe(200);

    nowMs += 89 * 86_400_000;
    expect((await api(fresh)).status).toBe(200);
    nowMs += 90 * 86_400_000 + 1;
    const expired = await api(fresh);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });
});

import '@shopify/shopify-api/adapters/node';
import { Session } from '@shopify/shopify-api';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselySessionStorage } from '../sessions/session-storage.ts';
import { createTokenCipher } from '../sessions/token-cipher.ts';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer, TEST_KEY, type TestHttpServer } from '../testing/http-server.ts';

const SHOP = 'refresh-shop.myshopify.com';
const SHOPIFY_DELAY_MS = 2_000;
let refreshes = 0;

// Shopify as slow as it sometimes is: the token endpoint answers after two seconds.
setAbstractFetchFunc((async (input: RequestInfo | URL) => {
  const url = String(input instanceof Request ? input.url : input);
  if (url.includes('/admin/oauth/access_token')) {
    refreshes++;
    await new Promise((resolve) => setTimeout(resolve, SHOPIFY_DELAY_MS));
    return Response.json({ access_token: 'shpat_new', scope: 'read_orders', expires_in: 3600, refresh_token: 'shprt_2', refresh_token_expires_in: 7_776_000 });
  }
  return Response.json({
    data: { shop: { name: 'Refresh' } },
    extensions: { cost: { requestedQueryCost: 1, actualQueryCost: 1, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 } } },
  });
}) as typeof fetch);

describe('offline token refresh on the embedded database', () => {
  let t: TestHttpServer;
  beforeAll(async () => {
    t = await startTestHttpServer();
    await t.installShop(SHOP);
    const session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: 's', isOnline: false, accessToken: 'shpat_old' });
    session.refreshToken = 'shprt_1';
    session.expires = new Date(Date.now() + 60_000);
    session.refreshTokenExpires = new Date(Date.now() + 86_400_000);
    await new KyselySessionStorage(t.database.db, createTokenCipher(TEST_KEY)).storeSession(session);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('keeps answering webhooks while Shopify takes its time with a token refresh', async () => {
    const calls = [
      t.server.app.graphqlFor(SHOP).request('query Shop { shop { name } }'),
      t.server.app.graphqlFor(SHOP).request('query Shop { shop { name } }'),
    ];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const res = await t.webhook(SHOP, 'orders/create', orderPayload({ id: 1, customerId: 1, total: '1.00', createdAt: '2026-01-01T00:00:00Z' }));
    const webhookMs = Date.now() - started;
    expect(res.status).toBe(200);
    expect(webhookMs).toBeLessThan(SHOPIFY_DELAY_MS / 2);
    await Promise.all(calls);
    // Two concurrent users of the expiring token: one refresh, the rotated refresh token used once.
    expect(refreshes).toBe(1);
    const stored = await new KyselySessionStorage(t.database.db, createTokenCipher(TEST_KEY)).loadSession(`offline_${SHOP}`);
    expect(stored).toMatchObject({ accessToken: 'shpat_new', refreshToken: 'shprt_2' });
  });
});

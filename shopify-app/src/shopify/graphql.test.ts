import '@shopify/shopify-api/adapters/node';
import { Session } from '@shopify/shopify-api';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselySessionStorage } from '../sessions/session-storage.ts';
import { createTokenCipher } from '../sessions/token-cipher.ts';
import { startTestHttpServer, TEST_KEY, type TestHttpServer } from '../testing/http-server.ts';

const SHOP = 'blip-shop.myshopify.com';
let failuresLeft = 0;
let calls = 0;
let refreshFailuresLeft = 0;
let refreshes = 0;

// Shopify behind a connection that sometimes fails: the first `failuresLeft` calls reject as fetch does when a
// kept-alive connection is reset, or no connection can be made.
setAbstractFetchFunc((async (input: RequestInfo | URL) => {
  const url = String(input instanceof Request ? input.url : input);
  if (url.includes('/admin/oauth/access_token')) {
    refreshes++;
    if (refreshFailuresLeft > 0) {
      refreshFailuresLeft--;
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    }
    return Response.json({ access_token: 'shpat_new', scope: 'read_orders', expires_in: 3600, refresh_token: 'shprt_2', refresh_token_expires_in: 7_776_000 });
  }
  calls++;
  if (failuresLeft > 0) {
    failuresLeft--;
    throw new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
  }
  return Response.json({
    data: { shop: { name: 'Blip' } },
    extensions: { cost: { requestedQueryCost: 1, actualQueryCost: 1, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 } } },
  });
}) as typeof fetch);

describe('Admin GraphQL requests when the connection fails', () => {
  let t: TestHttpServer;
  beforeAll(async () => {
    t = await startTestHttpServer();
    await t.installShop(SHOP);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('retries a request that got no response, and answers with the retry', async () => {
    failuresLeft = 2;
    calls = 0;
    const data = await t.server.app.graphqlFor(SHOP).request<{ shop: { name: string } }>('query Shop { shop { name } }');
    expect(data).toEqual({ shop: { name: 'Blip' } });
    expect(calls).toBe(3);
  });

  it('retries a token refresh that got no response, then makes the request with the new token', async () => {
    const shop = 'refresh-blip.myshopify.com';
    await t.installShop(shop);
    const storage = new KyselySessionStorage(t.database.db, createTokenCipher(TEST_KEY));
    const session = new Session({ id: `offline_${shop}`, shop, state: 's', isOnline: false, accessToken: 'shpat_old' });
    session.refreshToken = 'shprt_1';
    session.expires = new Date(Date.now() + 60_000);
    session.refreshTokenExpires = new Date(Date.now() + 86_400_000);
    await storage.storeSession(session);
    refreshFailuresLeft = 1;
    refreshes = 0;
    calls = 0;
    const data = await t.server.app.graphqlFor(shop).request<{ shop: { name: string } }>('query Shop { shop { name } }');
    expect(data).toEqual({ shop: { name: 'Blip' } });
    expect({ refreshes, calls }).toEqual({ refreshes: 2, calls: 1 });
    expect(await storage.loadSession(`offline_${shop}`)).toMatchObject({ accessToken: 'shpat_new', refreshToken: 'shprt_2' });
  });
});

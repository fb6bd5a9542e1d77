import '@shopify/shopify-api/adapters/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';
import { answerShopifyWith, connectionReset, graphqlAnswer, rotatedTokenAnswer, storedSession, storeExpiringSession } from '../testing/shopify-answers.ts';

const SHOP = 'blip-shop.myshopify.com';
let failuresLeft = 0;
let calls = 0;
let refreshFailuresLeft = 0;
let refreshes = 0;

// Shopify behind a connection that sometimes fails: the first `failuresLeft` calls reject as fetch does when a
// kept-alive connection is reset, or no connection can be made.
answerShopifyWith({
  async token() {
    refreshes++;
    if (refreshFailuresLeft > 0) {
      refreshFailuresLeft--;
      throw connectionReset();
    }
    return rotatedTokenAnswer();
  },
  async graphql() {
    calls++;
    if (failuresLeft > 0) {
      failuresLeft--;
      throw connectionReset();
    }
    return graphqlAnswer({ shop: { name: 'Blip' } });
  },
});

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
    await storeExpiringSession(t.database.db, shop);
    refreshFailuresLeft = 1;
    refreshes = 0;
    calls = 0;
    const data = await t.server.app.graphqlFor(shop).request<{ shop: { name: string } }>('query Shop { shop { name } }');
    expect(data).toEqual({ shop: { name: 'Blip' } });
    expect({ refreshes, calls }).toEqual({ refreshes: 2, calls: 1 });
    expect(await storedSession(t.database.db, shop)).toMatchObject({ accessToken: 'shpat_new', refreshToken: 'shprt_2' });
  });
});

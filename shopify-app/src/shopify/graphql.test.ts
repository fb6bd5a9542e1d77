import '@shopify/shopify-api/adapters/node';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';

const SHOP = 'blip-shop.myshopify.com';
let failuresLeft = 0;
let calls = 0;

// Shopify behind a connection that sometimes fails: the first `failuresLeft` calls reject as fetch does when a
// kept-alive connection is reset, or no connection can be made.
setAbstractFetchFunc((async () => {
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
});

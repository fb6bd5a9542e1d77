import '@shopify/shopify-api/adapters/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';
import { answerShopifyWith, graphqlAnswer, rotatedTokenAnswer, storedSession, storeExpiringSession } from '../testing/shopify-answers.ts';

const SHOP = 'refresh-shop.myshopify.com';
const SHOPIFY_DELAY_MS = 2_000;
let refreshes = 0;

// Shopify as slow as it sometimes is: the token endpoint answers after two seconds.
answerShopifyWith({
  async token() {
    refreshes++;
    await new Promise((resolve) => setTimeout(resolve, SHOPIFY_DELAY_MS));
    return rotatedTokenAnswer();
  },
  graphql: async () => graphqlAnswer({ shop: { name: 'Refresh' } }),
});

describe('offline token refresh on the embedded database', () => {
  let t: TestHttpServer;
  beforeAll(async () => {
    t = await startTestHttpServer();
    await t.installShop(SHOP);
    await storeExpiringSession(t.database.db, SHOP);
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
    const stored = await storedSession(t.database.db, SHOP);
    expect(stored).toMatchObject({ accessToken: 'shpat_new', refreshToken: 'shprt_2' });
  });
});

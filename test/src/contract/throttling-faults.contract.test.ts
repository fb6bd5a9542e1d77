import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GraphqlQueryError,
  HttpInternalError,
  HttpMaxRetriesError,
  HttpThrottlingError,
  RequestedTokenType,
  Session,
  type Shopify,
} from '@shopify/shopify-api';
import type { FakeShopify } from '../fake-shopify/server.ts';
import { buildSimpleShop } from './simple-shop.ts';
import { API_KEY, API_SECRET, startHarness } from './harness.ts';
import { mintSessionToken } from '../fake-shopify/session-token.ts';

const SHOP = 'contract-throttle.myshopify.com';
let fake: FakeShopify;
let shopify: Shopify;
let session: Session;

// Requested cost: 2 + 100 * (1 order + 1 bag + 1 money) = 302.
const PAGE = '{ orders(first: 100) { nodes { id totalPriceSet { shopMoney { amount } } } } }';

beforeAll(async () => {
  ({ fake, shopify } = await startHarness());
  const data = buildSimpleShop({ domain: SHOP, orders: 300, customers: 20 });
  // A small bucket so a few pages exhaust it: 1000 points, restoring 50/s.
  data.shop.plan = { name: 'Basic', bucketSize: 1000, restoreRatePerSecond: 50 };
  fake.control.loadShop(data);
  session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: '', isOnline: false, accessToken: fake.control.issueOfflineToken(SHOP) });
});
beforeEach(() => fake.control.clearFaults());
afterAll(async () => {
  await fake.stop();
});

const client = () => new shopify.clients.Graphql({ session });

describe('cost-based throttling', () => {
  it("reports extensions.cost and throws THROTTLED with Shopify's shape once the bucket is empty", async () => {
    const first = await client().request(PAGE);
    const cost = (first.extensions as { cost: { requestedQueryCost: number; actualQueryCost: number; throttleStatus: Record<string, number> } }).cost;
    expect(cost.requestedQueryCost).toBe(302);
    expect(cost.actualQueryCost).toBe(302);
    expect(cost.throttleStatus).toMatchObject({ maximumAvailable: 1000, restoreRate: 50 });
    expect(cost.throttleStatus['currentlyAvailable']).toBeLessThanOrEqual(698 + 5);
    let err: unknown = null;
    for (let i = 0; i < 5 && err === null; i++)
      err = await client()
        .request(PAGE)
        .then(
          () => null,
          (e: unknown) => e,
        );
    expect(err).toBeInstanceOf(GraphqlQueryError);
    const body = (err as GraphqlQueryError).body as {
      errors: { graphQLErrors: { message: string; extensions: { code: string; documentation: string } }[] };
      extensions: { cost: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: { currentlyAvailable: number } } };
    };
    expect((err as GraphqlQueryError).message).toBe('Throttled');
    expect(body.errors.graphQLErrors[0]?.extensions.code).toBe('THROTTLED');
    expect(body.errors.graphQLErrors[0]?.extensions.documentation).toBe('https://shopify.dev/api/usage/rate-limits');
    expect(body.extensions.cost.actualQueryCost).toBeNull();
    expect(body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(302);
    // The bucket leaks back at the restore rate: after the advised wait the same query passes.
    const waitS = (302 - body.extensions.cost.throttleStatus.currentlyAvailable) / 50;
    fake.control.advanceClock(Math.ceil(waitS * 1000) + 10);
    await expect(client().request(PAGE)).resolves.toBeDefined();
  });

  it('refunds the difference between requested and actual cost', async () => {
    fake.control.advanceClock(60_000);
    const r = await client().request('{ orders(first: 100, query: "name:#1001") { nodes { id } } }');
    const cost = (r.extensions as { cost: { requestedQueryCost: number; actualQueryCost: number; throttleStatus: { currentlyAvailable: number } } }).cost;
    expect(cost.requestedQueryCost).toBe(102);
    expect(cost.actualQueryCost).toBe(3);
    expect(cost.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(996);
  });

  it('refuses a query above the 1000-point single-query limit with MAX_COST_EXCEEDED', async () => {
    const err = await client()
      .request('{ orders(first: 250) { nodes { id lineItems(first: 50) { nodes { id } } } } }')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphqlQueryError);
    const ge = ((err as GraphqlQueryError).body as { errors: { graphQLErrors: { extensions: { code: string; maxCost: number; cost: number } }[] } }).errors
      .graphQLErrors[0];
    expect(ge?.extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED', maxCost: 1000, cost: 2 + 250 * (1 + 2 + 50) });
  });
});

describe('injected faults', () => {
  beforeEach(() => fake.control.advanceClock(60_000));

  it('429 with Retry-After surfaces as HttpThrottlingError when not retried', async () => {
    fake.control.injectFault({ status: 429, retryAfterSeconds: 3 });
    const err = await client()
      .request('{ shop { name } }')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpThrottlingError);
    expect((err as HttpThrottlingError).response.code).toBe(429);
    expect((err as HttpThrottlingError).response.retryAfter).toBe(3);
  });

  it('429 is retried by the client when retries are allowed', async () => {
    fake.control.injectFault({ status: 429, retryAfterSeconds: 1, times: 2 });
    const r = await client().request<{ shop: { name: string } }>('{ shop { name } }', { retries: 2 });
    expect(r.data?.shop.name).toBe('contract-throttle');
  });

  it('429 beyond the retries surfaces as HttpMaxRetriesError', async () => {
    fake.control.injectFault({ status: 429, retryAfterSeconds: 1, times: 3 });
    const err = await client()
      .request('{ shop { name } }', { retries: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpMaxRetriesError);
  });

  it('500 surfaces as HttpInternalError', async () => {
    fake.control.injectFault({ status: 500 });
    const err = await client()
      .request('{ shop { name } }')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpInternalError);
    expect((err as HttpInternalError).response.code).toBe(500);
  });

  it('503 is retried by the client and then succeeds', async () => {
    fake.control.injectFault({ status: 503, times: 1 });
    const r = await client().request<{ shop: { name: string } }>('{ shop { name } }', { retries: 1 });
    expect(r.data?.shop.name).toBe('contract-throttle');
  });

  it('503 without retries surfaces as HttpInternalError', async () => {
    fake.control.injectFault({ status: 503 });
    const err = await client()
      .request('{ shop { name } }')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpInternalError);
    expect((err as HttpInternalError).response.code).toBe(503);
  });

  it('slow responses arrive late but intact', async () => {
    fake.control.injectFault({ delayMs: 400 });
    const t0 = performance.now();
    const r = await client().request<{ shop: { name: string } }>('{ shop { name } }');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(380);
    expect(r.data?.shop.name).toBe('contract-throttle');
  });

  it('faults on the token endpoint surface from tokenExchange', async () => {
    fake.control.injectFault({ status: 500, route: 'oauth' });
    const err = await shopify.auth
      .tokenExchange({
        // Minted on the real clock: the library checks nbf/exp locally and this file moves the fake's clock.
        shop: SHOP,
        sessionToken: mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET }),
        requestedTokenType: RequestedTokenType.OfflineAccessToken,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpInternalError);
  });

  it('faults can target one shop and leave the others alone', async () => {
    fake.control.injectFault({ status: 500, shop: 'someone-else.myshopify.com' });
    const r = await client().request<{ shop: { name: string } }>('{ shop { name } }');
    expect(r.data?.shop.name).toBe('contract-throttle');
  });
});

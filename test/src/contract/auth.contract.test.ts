import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpResponseError, InvalidJwtError, RequestedTokenType, type Session, type Shopify } from '@shopify/shopify-api';
import type { FakeShopify } from '../fake-shopify/server.ts';
import { mintSessionToken } from '../fake-shopify/session-token.ts';
import { API_KEY, API_SECRET, startHarness } from './harness.ts';

const SHOP = 'contract-auth.myshopify.com';
let fake: FakeShopify;
let shopify: Shopify;
let activate: () => void;

beforeAll(async () => {
  ({ fake, shopify, activate } = await startHarness());
  fake.control.createShop({ domain: SHOP, currencyCode: 'EUR', ianaTimezone: 'Europe/Paris' });
});
afterAll(async () => {
  await fake.stop();
});

const shopName = async (s: Session): Promise<string | undefined> =>
  (await new shopify.clients.Graphql({ session: s }).request<{ shop: { name: string } }>('{ shop { name } }')).data?.shop.name;

async function rawToken(body: Record<string, unknown>): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`${fake.url}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-host': SHOP },
    body: JSON.stringify({ client_id: API_KEY, client_secret: API_SECRET, ...body }),
  });
  return { status: r.status, json: await r.json() };
}

describe('shopify.auth.tokenExchange against the fake', () => {
  it('exchanges a session token for a non-expiring offline token that works on GraphQL', async () => {
    const { session } = await shopify.auth.tokenExchange({
      shop: SHOP,
      sessionToken: fake.control.mintSessionToken(SHOP),
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
    });
    expect(session.id).toBe(`offline_${SHOP}`);
    expect(session.isOnline).toBe(false);
    expect(session.expires).toBeUndefined();
    expect(session.accessToken).toMatch(/^shpat_/);
    expect(session.scope).toBe('read_orders,read_customers,read_all_orders,write_customers');
    expect(await shopName(session)).toBe('contract-auth');
  });

  it('exchanges for an online token carrying the staff user', async () => {
    const { session } = await shopify.auth.tokenExchange({
      shop: SHOP,
      sessionToken: fake.control.mintSessionToken(SHOP, { userId: '777' }),
      requestedTokenType: RequestedTokenType.OnlineAccessToken,
    });
    expect(session.isOnline).toBe(true);
    expect(session.id).toBe(`${SHOP}_777`);
    expect(session.onlineAccessInfo?.associated_user.id).toBe(777);
    expect(session.expires?.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
    expect(await shopName(session)).toBe('contract-auth');
  });

  it('issues expiring offline tokens that expire after an hour and refresh with rotation', async () => {
    // Own fake: this test moves the fake's clock forward.
    const h = await startHarness();
    try {
      h.fake.control.createShop({ domain: SHOP });
      const name = async (s: Session): Promise<string | undefined> =>
        (await new h.shopify.clients.Graphql({ session: s }).request<{ shop: { name: string } }>('{ shop { name } }')).data?.shop.name;
      const { session } = await h.shopify.auth.tokenExchange({
        shop: SHOP,
        sessionToken: h.fake.control.mintSessionToken(SHOP),
        requestedTokenType: RequestedTokenType.OfflineAccessToken,
        expiring: true,
      });
      expect(session.refreshToken).toMatch(/^shprt_/);
      expect(session.expires?.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
      expect(session.refreshTokenExpires?.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
      expect(await name(session)).toBe('contract-auth');

      h.fake.control.advanceClock(3601 * 1000);
      const expired = await name(session).catch((e: unknown) => e);
      expect(expired).toBeInstanceOf(HttpResponseError);
      expect((expired as HttpResponseError).response.code).toBe(401);

      const { session: fresh } = await h.shopify.auth.refreshToken({ shop: SHOP, refreshToken: session.refreshToken ?? '' });
      expect(fresh.accessToken).not.toBe(session.accessToken);
      expect(fresh.refreshToken).not.toBe(session.refreshToken);
      expect(await name(fresh)).toBe('contract-auth');

      // Rotation: the used refresh token is dead.
      const reused = await h.shopify.auth.refreshToken({ shop: SHOP, refreshToken: session.refreshToken ?? '' }).catch((e: unknown) => e);
      expect(reused).toBeInstanceOf(HttpResponseError);
      expect((reused as HttpResponseError).response.code).toBe(400);
      expect((reused as HttpResponseError).response.body).toMatchObject({ error: 'invalid_grant' });
    } finally {
      await h.fake.stop();
      activate();
    }
  });

  it('migrates a non-expiring offline token to an expiring one and revokes the old token', async () => {
    const old = fake.control.issueOfflineToken(SHOP);
    const { session } = await shopify.auth.migrateToExpiringToken({ shop: SHOP, nonExpiringOfflineAccessToken: old });
    expect(session.refreshToken).toMatch(/^shprt_/);
    const r = await fetch(`${fake.url}/admin/api/2026-07/graphql.json`, {
      method: 'POST',
      headers: { 'x-forwarded-host': SHOP, 'x-shopify-access-token': old, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ shop { name } }' }),
    });
    expect(r.status).toBe(401);
  });

  it('rejects an expired session token with 400 invalid_subject_token (and the library refuses it locally first)', async () => {
    const expired = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, nowMs: fake.control.nowMs() - 3_600_000 });
    const local = await shopify.auth
      .tokenExchange({ shop: SHOP, sessionToken: expired, requestedTokenType: RequestedTokenType.OfflineAccessToken })
      .catch((e: unknown) => e);
    expect(local).toBeInstanceOf(InvalidJwtError);
    const r = await rawToken({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: expired,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      requested_token_type: 'urn:shopify:params:oauth:token-type:offline-access-token',
    });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: 'invalid_subject_token' });
  });

  it('rejects a session token signed with another secret and a missing one', async () => {
    const forged = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: 'not-the-secret', nowMs: fake.control.nowMs() });
    const base = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      requested_token_type: 'urn:shopify:params:oauth:token-type:offline-access-token',
    };
    expect(await rawToken({ ...base, subject_token: forged })).toMatchObject({ status: 400, json: { error: 'invalid_subject_token' } });
    expect(await rawToken(base)).toMatchObject({ status: 400, json: { error: 'missing_subject_token' } });
  });

  it('answers a wrong client secret with an HTTP error the library throws', async () => {
    const h = await startHarness({ appSecret: 'a-different-secret' });
    try {
      h.fake.control.createShop({ domain: SHOP });
      // The app signs with API_SECRET, the fake's app has another: the token endpoint refuses the client.
      const err = await h.shopify.auth
        .tokenExchange({
          shop: SHOP,
          sessionToken: mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET }),
          requestedTokenType: RequestedTokenType.OfflineAccessToken,
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HttpResponseError);
      expect((err as HttpResponseError).response.code).toBe(401);
      expect((err as HttpResponseError).response.body).toMatchObject({ error: 'invalid_client' });
    } finally {
      await h.fake.stop();
      activate();
    }
  });

  it('grants an offline token for an authorization code once, with a redirect whose HMAC the library accepts', async () => {
    const r = await fetch(
      `${fake.url}/admin/oauth/authorize?client_id=${API_KEY}&scope=read_orders&redirect_uri=${encodeURIComponent('https://clvlens.example/auth/callback')}&state=abc`,
      {
        headers: { 'x-forwarded-host': SHOP },
        redirect: 'manual',
      },
    );
    expect(r.status).toBe(302);
    const location = new URL(r.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('abc');
    expect(await shopify.utils.validateHmac(Object.fromEntries(location.searchParams))).toBe(true);
    const code = location.searchParams.get('code');
    const first = await rawToken({ code, expiring: '0' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ scope: 'read_orders,read_customers,read_all_orders,write_customers' });
    expect(await rawToken({ code })).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
  });

  it('revokes every token on uninstall', async () => {
    const { session } = await shopify.auth.tokenExchange({
      shop: SHOP,
      sessionToken: fake.control.mintSessionToken(SHOP),
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
    });
    fake.control.uninstall(SHOP);
    const err = await shopName(session).catch((e: unknown) => e);
    expect((err as HttpResponseError).response.code).toBe(401);
    fake.control.install(SHOP);
    expect(await shopName(session).catch((e: unknown) => (e as HttpResponseError).response.code)).toBe(401);
  });
});

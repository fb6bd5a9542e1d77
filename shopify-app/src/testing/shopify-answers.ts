import { Session } from '@shopify/shopify-api';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { KyselySessionStorage } from '../sessions/session-storage.ts';
import { createTokenCipher } from '../sessions/token-cipher.ts';
import { TEST_KEY } from './http-server.ts';

// What a test's stand-in for Shopify's fetch answers (setAbstractFetchFunc), in Shopify's shapes.

/**
 * Points this process's Shopify library at a stand-in for Shopify: `token` answers the token endpoint (exchange and
 * refresh), `graphql` every other call. Either may throw, as fetch does when no answer comes.
 */
export function answerShopifyWith(answers: { token(): Promise<Response>; graphql(): Promise<Response> }): void {
  setAbstractFetchFunc((async (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    return url.includes('/admin/oauth/access_token') ? answers.token() : answers.graphql();
  }) as typeof fetch);
}

/** The token endpoint's answer to a refresh: a new access token, the refresh token rotated. */
export function rotatedTokenAnswer(): Response {
  return Response.json({ access_token: 'shpat_new', scope: 'read_orders', expires_in: 3600, refresh_token: 'shprt_2', refresh_token_expires_in: 7_776_000 });
}

/** An Admin GraphQL answer with `data` and a bucket far from empty. */
export function graphqlAnswer(data: unknown): Response {
  return Response.json({
    data,
    extensions: { cost: { requestedQueryCost: 1, actualQueryCost: 1, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 } } },
  });
}

/** What fetch rejects with when a kept-alive connection is reset, or none can be made. */
export function connectionReset(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
}

/** Stores `shop`'s offline session ('shpat_old', refresh token 'shprt_1') expiring in a minute: the next use refreshes it. */
export async function storeExpiringSession(db: Kysely<DB>, shop: string): Promise<void> {
  const session = new Session({ id: `offline_${shop}`, shop, state: 's', isOnline: false, accessToken: 'shpat_old' });
  session.refreshToken = 'shprt_1';
  session.expires = new Date(Date.now() + 60_000);
  session.refreshTokenExpires = new Date(Date.now() + 86_400_000);
  await new KyselySessionStorage(db, createTokenCipher(TEST_KEY)).storeSession(session);
}

/** `shop`'s offline session as stored (decrypted). */
export function storedSession(db: Kysely<DB>, shop: string): Promise<Session | undefined> {
  return new KyselySessionStorage(db, createTokenCipher(TEST_KEY)).loadSession(`offline_${shop}`);
}

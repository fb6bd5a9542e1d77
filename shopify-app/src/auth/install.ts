import { HttpResponseError, RequestedTokenType, type Session, type Shopify } from '@shopify/shopify-api';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock, Logger } from '../log.ts';
import { KyselySessionStorage } from '../sessions/session-storage.ts';
import type { TokenCipher } from '../sessions/token-cipher.ts';
import { backoffMs, gotNoResponse, type ShopGraphql } from '../shopify/graphql.ts';
import { ensureSyncState } from '../sync/state.ts';
import { ApiError } from '../errors.ts';

/** A shop's permanent domain, as in a session token's `dest`. */
export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

const SHOP_INFO = `#graphql
query ShopInfo { shop { currencyCode ianaTimezone } }`;

/** Dependencies of {@link authenticateSessionToken}. */
export interface InstallDeps {
  db: Kysely<DB>;
  shopify: Shopify;
  cipher: TokenCipher;
  clock: Clock;
  log: Logger;
  graphqlFor(shop: string): ShopGraphql;
  /** Called once a shop is (re)installed: starts its backfill. */
  onInstalled(shop: string): Promise<void>;
}

/**
 * Verifies an App Bridge session token (HS256 with the app secret, audience = API key, exp/nbf) and makes sure the
 * shop has a usable expiring offline token: when there is none (first open, reinstall, or an expired refresh token)
 * it runs token exchange, stores the session encrypted and installs the shop. Returns the shop domain.
 */
export async function authenticateSessionToken(deps: InstallDeps, sessionToken: string): Promise<string> {
  let shop: string;
  try {
    const payload = await deps.shopify.session.decodeSessionToken(sessionToken);
    const dest = new URL(payload.dest);
    shop = dest.host;
    // The shop is the token's `dest`; its issuer must be that shop's admin, and the domain a myshopify one.
    if (dest.protocol !== 'https:' || !SHOP_DOMAIN.test(shop)) throw new Error(`dest ${payload.dest} is not a shop`);
    if (new URL(payload.iss).host !== shop) throw new Error(`iss ${payload.iss} is not the admin of ${shop}`);
  } catch (error) {
    throw new ApiError('unauthorized', 'The Shopify session token is invalid or expired: reload the app from the Shopify admin.', { cause: error });
  }
  const storage = new KyselySessionStorage(deps.db, deps.cipher);
  const existing = await storage.loadSession(deps.shopify.session.getOfflineId(shop));
  const shopRow = await deps.db.selectFrom('shops').select('status').where('shop_id', '=', shop).executeTakeFirst();
  const usable =
    existing?.accessToken !== undefined &&
    shopRow?.status === 'active' &&
    (existing.refreshTokenExpires === undefined || existing.refreshTokenExpires.getTime() > deps.clock.now() + 60_000);
  if (usable) return shop;
  const session = await exchangeToken(deps, shop, sessionToken);
  await storage.storeSession(session);
  await installShop(deps, shop);
  return shop;
}

/** Token exchange attempts before an install gives up (the session token lives a minute; the waits add up to < 1 s). */
const TOKEN_EXCHANGE_ATTEMPTS = 3;

/**
 * Shopify's token exchange for an expiring offline token, retried on what is transient: no answer
 * ({@link gotNoResponse}) and HTTP 429 or 5xx. Any other answer (a rejected session token, 400) is final. Without the
 * retry such a blip failed the merchant's first open of the app with HTTP 500.
 */
async function exchangeToken(deps: InstallDeps, shop: string, sessionToken: string): Promise<Session> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { session } = await deps.shopify.auth.tokenExchange({
        shop,
        sessionToken,
        requestedTokenType: RequestedTokenType.OfflineAccessToken,
        expiring: true,
      });
      return session;
    } catch (error) {
      const transient = gotNoResponse(error) || (error instanceof HttpResponseError && (error.response.code === 429 || error.response.code >= 500));
      if (!transient || attempt >= TOKEN_EXCHANGE_ATTEMPTS) throw error;
      deps.log.warn('token exchange failed, retrying', { shop, attempt, message: (error as Error).message });
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
}

/** Records the shop as active with its currency and time zone, and starts the backfill. */
export async function installShop(deps: InstallDeps, shop: string): Promise<void> {
  const info = await deps.graphqlFor(shop).request<{ shop: { currencyCode: string; ianaTimezone: string } }>(SHOP_INFO, {}, 1);
  await deps.db
    .insertInto('shops')
    .values({ shop_id: shop, status: 'active', currency: info.shop.currencyCode, iana_timezone: info.shop.ianaTimezone, uninstalled_at: null })
    .onConflict((oc) =>
      oc.column('shop_id').doUpdateSet({ status: 'active', currency: info.shop.currencyCode, iana_timezone: info.shop.ianaTimezone, uninstalled_at: null }),
    )
    .execute();
  await ensureSyncState(deps.db, shop);
  deps.log.info('shop installed', { shop, currency: info.shop.currencyCode });
  await deps.onInstalled(shop);
}

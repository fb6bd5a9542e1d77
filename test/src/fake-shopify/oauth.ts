import { createHmac, randomBytes } from 'node:crypto';
import { verifySessionToken } from './session-token.ts';

/**
 * `POST /admin/oauth/access_token` (shopify-platform.md §1.4): token exchange (session token -> online/offline
 * token, optionally expiring with a refresh token), migration of a non-expiring offline token, the authorization
 * code grant, and the refresh_token grant. Refresh tokens rotate on every use.
 */

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const OFFLINE_TOKEN_TYPE = 'urn:shopify:params:oauth:token-type:offline-access-token';
export const ONLINE_TOKEN_TYPE = 'urn:shopify:params:oauth:token-type:online-access-token';

/** Lifetimes (seconds) Shopify gives (offline-access-tokens doc). */
export const EXPIRING_OFFLINE_TOKEN_SECONDS = 3600;
export const REFRESH_TOKEN_SECONDS = 90 * 86_400;
export const ONLINE_TOKEN_SECONDS = 86_399;

export interface AccessTokenRecord {
  token: string;
  shop: string;
  online: boolean;
  scopes: string[];
  /** null for non-expiring offline tokens. */
  expiresAtMs: number | null;
  userId: string | null;
}

interface RefreshTokenRecord {
  token: string;
  shop: string;
  expiresAtMs: number;
}

interface AuthCodeRecord {
  code: string;
  shop: string;
  online: boolean;
  expiresAtMs: number;
}

/** A staff member as online tokens describe them (`associated_user`). */
export interface StaffUser {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  email_verified: boolean;
  account_owner: boolean;
  locale: string;
  collaborator: boolean;
}

export interface OAuthConfig {
  apiKey: string;
  apiSecret: string;
  scopes: readonly string[];
  nowMs: () => number;
  /** Whether the app is installed on the shop (tokens are only issued then). */
  isInstalled: (shop: string) => boolean;
}

export interface OAuthResponse {
  status: number;
  body: unknown;
}

function token(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('hex')}`;
}

const err = (status: number, error: string, description: string): OAuthResponse => ({
  status,
  body: { error, error_description: description },
});

/** The token endpoint's state: every issued access, refresh and authorization code. */
export class OAuthServer {
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly codes = new Map<string, AuthCodeRecord>();
  private readonly cfg: OAuthConfig;

  constructor(cfg: OAuthConfig) {
    this.cfg = cfg;
  }

  /** Looks up a live access token for `shop`; null when unknown, for another shop, expired or revoked. */
  authenticate(accessToken: string | null, shop: string): AccessTokenRecord | null {
    if (accessToken === null) return null;
    const rec = this.accessTokens.get(accessToken);
    if (rec === undefined || rec.shop !== shop) return null;
    if (rec.expiresAtMs !== null && rec.expiresAtMs <= this.cfg.nowMs()) return null;
    if (!this.cfg.isInstalled(shop)) return null;
    return rec;
  }

  /** Issues a non-expiring offline token directly (a shop installed before expiring tokens, or a test shortcut). */
  issueOfflineToken(shop: string, scopes: readonly string[] = this.cfg.scopes): string {
    const t = token('shpat');
    this.accessTokens.set(t, { token: t, shop, online: false, scopes: [...scopes], expiresAtMs: null, userId: null });
    return t;
  }

  /** Creates a one-time authorization code (valid 10 minutes) for the install/OAuth code grant. */
  issueAuthorizationCode(shop: string, online = false): string {
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { code, shop, online, expiresAtMs: this.cfg.nowMs() + 600_000 });
    return code;
  }

  /** Revokes every token of a shop (uninstall). */
  revokeShop(shop: string): void {
    for (const [k, v] of this.accessTokens) if (v.shop === shop) this.accessTokens.delete(k);
    for (const [k, v] of this.refreshTokens) if (v.shop === shop) this.refreshTokens.delete(k);
  }

  /** Handles one token endpoint request for `shop` with its parsed JSON (or form) body. */
  handle(shop: string, body: Record<string, unknown>): OAuthResponse {
    const { apiKey, apiSecret } = this.cfg;
    if (body['client_id'] !== apiKey || body['client_secret'] !== apiSecret) {
      return err(
        401,
        'invalid_client',
        'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
      );
    }
    if (!this.cfg.isInstalled(shop)) {
      return err(400, 'invalid_request', `The app is not installed on ${shop}.`);
    }
    const grant = body['grant_type'];
    const expiring = body['expiring'] === '1' || body['expiring'] === 1 || body['expiring'] === true;
    if (grant === TOKEN_EXCHANGE_GRANT) return this.tokenExchange(shop, body, expiring);
    if (grant === 'refresh_token') return this.refresh(shop, body);
    if (grant === 'client_credentials') {
      return err(400, 'unauthorized_client', 'The client credentials grant is only available to apps in the same organization as the shop.');
    }
    if (grant === undefined && typeof body['code'] === 'string') return this.codeGrant(shop, body['code'], expiring);
    if (grant === undefined) return err(400, 'invalid_request', 'Missing required parameter: code');
    return err(400, 'unsupported_grant_type', `The grant type ${String(grant)} is not supported.`);
  }

  private tokenExchange(shop: string, body: Record<string, unknown>, expiring: boolean): OAuthResponse {
    const subject = body['subject_token'];
    const subjectType = body['subject_token_type'];
    const requested = body['requested_token_type'];
    if (typeof subject !== 'string' || subject === '') return err(400, 'missing_subject_token', 'The subject_token parameter is missing.');
    if (requested !== OFFLINE_TOKEN_TYPE && requested !== ONLINE_TOKEN_TYPE) {
      return err(400, 'invalid_request', `Unsupported requested_token_type: ${String(requested)}`);
    }
    if (subjectType === OFFLINE_TOKEN_TYPE) {
      // Migration of a non-expiring offline token to an expiring one; the old token stops working.
      const old = this.accessTokens.get(subject);
      if (old === undefined || old.shop !== shop || old.online || old.expiresAtMs !== null) {
        return err(400, 'invalid_subject_token', 'The subject token is not a valid non-expiring offline access token.');
      }
      this.accessTokens.delete(subject);
      return { status: 200, body: this.offline(shop, true) };
    }
    if (subjectType !== ID_TOKEN_TYPE) return err(400, 'invalid_request', `Unsupported subject_token_type: ${String(subjectType)}`);
    const v = verifySessionToken(subject, { apiKey: this.cfg.apiKey, apiSecret: this.cfg.apiSecret, nowMs: this.cfg.nowMs(), shop });
    if (!v.ok) return err(400, 'invalid_subject_token', `Session token is invalid (${v.reason}).`);
    if (requested === OFFLINE_TOKEN_TYPE) return { status: 200, body: this.offline(shop, expiring) };
    return { status: 200, body: this.online(shop, v.value.sub) };
  }

  private codeGrant(shop: string, code: string, expiring: boolean): OAuthResponse {
    const rec = this.codes.get(code);
    this.codes.delete(code);
    if (rec === undefined || rec.shop !== shop || rec.expiresAtMs <= this.cfg.nowMs()) {
      return err(400, 'invalid_request', 'The authorization code was not found or was already used');
    }
    return { status: 200, body: rec.online ? this.online(shop, '12345') : this.offline(shop, expiring) };
  }

  private refresh(shop: string, body: Record<string, unknown>): OAuthResponse {
    const rt = body['refresh_token'];
    if (typeof rt !== 'string') return err(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const rec = this.refreshTokens.get(rt);
    if (rec === undefined || rec.shop !== shop || rec.expiresAtMs <= this.cfg.nowMs()) {
      return err(400, 'invalid_grant', 'The refresh token is invalid, expired or was already used.');
    }
    // Rotation: the used refresh token dies with the access tokens it produced before.
    this.refreshTokens.delete(rt);
    return { status: 200, body: this.offline(shop, true) };
  }

  private offline(shop: string, expiring: boolean): Record<string, unknown> {
    const t = token('shpat');
    const now = this.cfg.nowMs();
    const scope = this.cfg.scopes.join(',');
    this.accessTokens.set(t, {
      token: t,
      shop,
      online: false,
      scopes: [...this.cfg.scopes],
      expiresAtMs: expiring ? now + EXPIRING_OFFLINE_TOKEN_SECONDS * 1000 : null,
      userId: null,
    });
    if (!expiring) return { access_token: t, scope };
    const r = token('shprt');
    this.refreshTokens.set(r, { token: r, shop, expiresAtMs: now + REFRESH_TOKEN_SECONDS * 1000 });
    return {
      access_token: t,
      scope,
      expires_in: EXPIRING_OFFLINE_TOKEN_SECONDS,
      refresh_token: r,
      refresh_token_expires_in: REFRESH_TOKEN_SECONDS,
    };
  }

  private online(shop: string, userId: string): Record<string, unknown> {
    const t = token('shpua');
    const scope = this.cfg.scopes.join(',');
    this.accessTokens.set(t, {
      token: t,
      shop,
      online: true,
      scopes: [...this.cfg.scopes],
      expiresAtMs: this.cfg.nowMs() + ONLINE_TOKEN_SECONDS * 1000,
      userId,
    });
    const id = Number(userId);
    const user: StaffUser = {
      id: Number.isSafeInteger(id) ? id : 12345,
      first_name: 'Staff',
      last_name: `User ${userId}`,
      email: `staff-${userId}@${shop}`,
      email_verified: true,
      account_owner: userId === '12345',
      locale: 'en',
      collaborator: false,
    };
    return { access_token: t, scope, expires_in: ONLINE_TOKEN_SECONDS, associated_user_scope: scope, associated_user: user };
  }
}

/** Hex HMAC of an OAuth redirect query, as `shopify.auth.callback` checks it (sorted, URL-encoded, without hmac). */
export function oauthQueryHmac(params: Record<string, string>, secret: string): string {
  const q = new URLSearchParams();
  for (const k of Object.keys(params)
    .filter((k) => k !== 'hmac' && k !== 'signature')
    .sort((a, b) => a.localeCompare(b))) {
    q.append(k, params[k] as string);
  }
  return createHmac('sha256', secret).update(q.toString().replace(/\+/g, '%20')).digest('hex');
}

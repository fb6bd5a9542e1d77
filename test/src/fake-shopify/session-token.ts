import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** Payload of a Shopify App Bridge session token (shopify-platform.md §1.3). */
export interface SessionTokenPayload {
  iss: string;
  dest: string;
  aud: string;
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid: string;
}

/** Options of {@link mintSessionToken}. */
export interface MintSessionTokenOptions {
  /** `<handle>.myshopify.com`. */
  shop: string;
  /** The app's API key (client id): the token's `aud`. */
  apiKey: string;
  /** The app's secret: the HS256 key. */
  apiSecret: string;
  /** Staff user id (`sub`). Default: `"12345"` (the library's test-helpers `USER_ID`). */
  userId?: string;
  /** Issue time, UTC epoch ms. Default: `Date.now()`. */
  nowMs?: number;
  /** Lifetime in seconds. Default: 60 (App Bridge tokens live about a minute). */
  lifetimeSeconds?: number;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Mints an App Bridge session token (HS256 JWT signed with the app secret), as the Shopify admin gives an embedded
 * app. `shopify.session.decodeSessionToken` and the fake's token endpoint both accept it.
 */
export function mintSessionToken(options: MintSessionTokenOptions): string {
  const nowS = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const payload: SessionTokenPayload = {
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    aud: options.apiKey,
    sub: options.userId ?? '12345',
    exp: nowS + (options.lifetimeSeconds ?? 60),
    nbf: nowS,
    iat: nowS,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(payload));
  const sig = createHmac('sha256', options.apiSecret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** Why a session token was refused. */
export const SESSION_TOKEN_REJECTIONS = {
  malformed: 'malformed',
  badSignature: 'bad-signature',
  expired: 'expired',
  notYetValid: 'not-yet-valid',
  wrongAudience: 'wrong-audience',
  wrongShop: 'wrong-shop',
} as const;
export type SessionTokenRejection = (typeof SESSION_TOKEN_REJECTIONS)[keyof typeof SESSION_TOKEN_REJECTIONS];

/** Verifies a session token as Shopify's token endpoint does (HS256 with the app secret, exp/nbf, aud, dest). */
export function verifySessionToken(
  token: string,
  expect: { apiKey: string; apiSecret: string; nowMs: number; shop?: string },
): { ok: true; value: SessionTokenPayload } | { ok: false; reason: SessionTokenRejection } {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [head, body, sig] = parts as [string, string, string];
  let header: unknown;
  let payload: Partial<SessionTokenPayload>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<SessionTokenPayload>;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof header !== 'object' || header === null || (header as { alg?: unknown }).alg !== 'HS256') {
    return { ok: false, reason: 'malformed' };
  }
  const want = createHmac('sha256', expect.apiSecret).update(`${head}.${body}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'bad-signature' };
  const nowS = expect.nowMs / 1000;
  // Same 10 s tolerance as the library's decodeSessionToken.
  if (typeof payload.exp !== 'number' || payload.exp + 10 < nowS) return { ok: false, reason: 'expired' };
  if (typeof payload.nbf === 'number' && payload.nbf - 10 > nowS) return { ok: false, reason: 'not-yet-valid' };
  if (payload.aud !== expect.apiKey) return { ok: false, reason: 'wrong-audience' };
  if (expect.shop !== undefined && payload.dest !== `https://${expect.shop}`) return { ok: false, reason: 'wrong-shop' };
  return { ok: true, value: payload as SessionTokenPayload };
}

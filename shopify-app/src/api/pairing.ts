import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock } from '../log.ts';
import { ApiError } from '../errors.ts';

/** Pairing codes live this long. */
export const PAIRING_CODE_TTL_MS = 10 * 60_000;

/** An extension token not used for this long stops working (the merchant pairs again). */
export const EXTENSION_TOKEN_IDLE_MS = 90 * 86_400_000;

/** `last_used_at` (and with it the expiry) is written at most this often per token, not on every API call. */
const LAST_USED_RESOLUTION_MS = 3_600_000;

// No 0/O, 1/I/L: the merchant types the code from the dashboard into the extension.
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

/** Issues a one-time pairing code for the shop, shown on the dashboard as `XXXX-XXXX`; only its hash is stored. */
export async function createPairingCode(db: Kysely<DB>, clock: Clock, shop: string): Promise<{ code: string; expiresAtMs: number }> {
  let raw = '';
  for (let i = 0; i < 8; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  const expiresAtMs = clock.now() + PAIRING_CODE_TTL_MS;
  await db.deleteFrom('pairing_codes').where('shop_id', '=', shop).where('expires_at', '<', new Date(clock.now())).execute();
  await db
    .insertInto('pairing_codes')
    .values({ code_hash: hashSecret(raw), shop_id: shop, expires_at: new Date(expiresAtMs), used_at: null })
    .execute();
  return { code: `${raw.slice(0, 4)}-${raw.slice(4)}`, expiresAtMs };
}

/**
 * Exchanges a pairing code for a new extension token of that code's shop. The code works once and only before it
 * expires; the token is returned once and stored as a SHA-256 hash.
 */
export async function redeemPairingCode(db: Kysely<DB>, clock: Clock, code: string): Promise<{ token: string; shopDomain: string; storeHandle: string }> {
  const codeHash = hashSecret(normalizeCode(code));
  const now = new Date(clock.now());
  return db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('pairing_codes')
      .set({ used_at: now })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('shop_id')
      .executeTakeFirst();
    if (!used) throw new ApiError('pairing-code-invalid', 'This pairing code is unknown, used or expired: show a new one on the CLV Lens dashboard.');
    return issueExtensionToken(trx, used.shop_id, now);
  });
}

async function issueExtensionToken(db: Kysely<DB>, shop: string, now: Date): Promise<{ token: string; shopDomain: string; storeHandle: string }> {
  const token = `clv_${randomBytes(32).toString('base64url')}`;
  await db
    .insertInto('extension_tokens')
    .values({
      token_hash: hashSecret(token),
      shop_id: shop,
      created_at: now,
      revoked_at: null,
      last_used_at: now,
      expires_at: new Date(now.getTime() + EXTENSION_TOKEN_IDLE_MS),
    })
    .execute();
  return { token, shopDomain: shop, storeHandle: shop.replace(/\.myshopify\.com$/, '') };
}

/**
 * Replaces the calling token with a new one for the same shop (same answer as pairing); the old one stops working at
 * once. For an extension that wants to renew its secret without the merchant pairing again.
 */
export async function rotateExtensionToken(
  db: Kysely<DB>,
  clock: Clock,
  shop: string,
  token: string,
): Promise<{ token: string; shopDomain: string; storeHandle: string }> {
  const now = new Date(clock.now());
  return db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('extension_tokens')
      .set({ revoked_at: now })
      .where('token_hash', '=', hashSecret(token))
      .where('shop_id', '=', shop)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(revoked.numUpdatedRows) === 0) throw new ApiError('unauthorized', 'The extension token is unknown or revoked: pair the extension again.');
    return issueExtensionToken(trx, shop, now);
  });
}

/**
 * The shop an extension token belongs to; throws `unauthorized` for an unknown, revoked, expired or uninstalled one.
 * Records the use (`last_used_at`, and the expiry moves on) when the last record is over an hour old.
 */
export async function authenticateExtensionToken(db: Kysely<DB>, clock: Clock, token: string): Promise<string> {
  const now = clock.now();
  const tokenHash = hashSecret(token);
  const row = await db
    .selectFrom('extension_tokens')
    .innerJoin('shops', 'shops.shop_id', 'extension_tokens.shop_id')
    .select(['extension_tokens.shop_id', 'shops.status', 'extension_tokens.last_used_at', 'extension_tokens.expires_at'])
    .where('extension_tokens.token_hash', '=', tokenHash)
    .where('extension_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.status !== 'active') throw new ApiError('unauthorized', 'The extension token is unknown or revoked: pair the extension again.');
  if (row.expires_at.getTime() <= now) throw new ApiError('unauthorized', 'The extension token expired after 90 days without use: pair the extension again.');
  if (row.last_used_at === null || now - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    await db
      .updateTable('extension_tokens')
      .set({ last_used_at: new Date(now), expires_at: new Date(now + EXTENSION_TOKEN_IDLE_MS) })
      .where('token_hash', '=', tokenHash)
      .execute();
  }
  return row.shop_id;
}

/** Revokes one token (unpair), or every token of the shop when `token` is null. */
export async function revokeExtensionTokens(db: Kysely<DB>, clock: Clock, shop: string, token: string | null): Promise<void> {
  let query = db
    .updateTable('extension_tokens')
    .set({ revoked_at: new Date(clock.now()) })
    .where('shop_id', '=', shop)
    .where('revoked_at', 'is', null);
  if (token !== null) query = query.where('token_hash', '=', hashSecret(token));
  await query.execute();
}

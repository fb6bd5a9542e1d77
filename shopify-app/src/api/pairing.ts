import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock } from '../log.ts';
import { ApiError } from './errors.ts';

/** Pairing codes live this long. */
export const PAIRING_CODE_TTL_MS = 10 * 60_000;

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
export async function redeemPairingCode(
  db: Kysely<DB>,
  clock: Clock,
  code: string,
): Promise<{ token: string; shopDomain: string; storeHandle: string }> {
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
    const token = `clv_${randomBytes(32).toString('base64url')}`;
    await trx
      .insertInto('extension_tokens')
      .values({ token_hash: hashSecret(token), shop_id: used.shop_id, created_at: now, revoked_at: null, last_used_at: null })
      .execute();
    return { token, shopDomain: used.shop_id, storeHandle: used.shop_id.replace(/\.myshopify\.com$/, '') };
  });
}

/** The shop an extension token belongs to; throws `unauthorized` for an unknown, revoked or uninstalled one. */
export async function authenticateExtensionToken(db: Kysely<DB>, token: string): Promise<string> {
  const row = await db
    .selectFrom('extension_tokens')
    .innerJoin('shops', 'shops.shop_id', 'extension_tokens.shop_id')
    .select(['extension_tokens.shop_id', 'shops.status'])
    .where('extension_tokens.token_hash', '=', hashSecret(token))
    .where('extension_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.status !== 'active') throw new ApiError('unauthorized', 'The extension token is unknown or revoked: pair the extension again.');
  return row.shop_id;
}

/** Revokes one token (unpair), or every token of the shop when `token` is null. */
export async function revokeExtensionTokens(db: Kysely<DB>, clock: Clock, shop: string, token: string | null): Promise<void> {
  let query = db.updateTable('extension_tokens').set({ revoked_at: new Date(clock.now()) }).where('shop_id', '=', shop).where('revoked_at', 'is', null);
  if (token !== null) query = query.where('token_hash', '=', hashSecret(token));
  await query.execute();
}

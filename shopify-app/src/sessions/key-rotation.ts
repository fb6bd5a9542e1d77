import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { TokenCipher } from './token-cipher.ts';

/** Stored sessions checked at start: enough to catch a wrong key, bounded so a large install starts fast. */
const CHECK_SAMPLE = 50;

/**
 * Refuses to start when the configured keys cannot decrypt the stored Shopify tokens or the shops' personal-data keys (a wrong or rotated
 * `CLVLENS_ENCRYPTION_KEY`): otherwise the app would start and every call that needs a token would fail with 500.
 */
export async function checkEncryptionKey(db: Kysely<DB>, cipher: TokenCipher): Promise<void> {
  const rows = await db
    .selectFrom('sessions')
    .select(['id', 'access_token_enc', 'refresh_token_enc'])
    .where('access_token_enc', 'is not', null)
    .orderBy('id')
    .limit(CHECK_SAMPLE)
    .execute();
  let failed = 0;
  for (const row of rows) {
    try {
      cipher.decrypt(row.access_token_enc!);
      if (row.refresh_token_enc !== null) cipher.decrypt(row.refresh_token_enc);
    } catch {
      failed++;
    }
  }
  const shopKeys = await db.selectFrom('shops').select('pii_key_enc').where('pii_key_enc', 'is not', null).orderBy('shop_id').limit(CHECK_SAMPLE).execute();
  for (const row of shopKeys) {
    try {
      cipher.decrypt(row.pii_key_enc!);
    } catch {
      failed++;
    }
  }
  if (failed > 0) {
    throw new AppError(
      'token-decrypt',
      `CLVLENS_ENCRYPTION_KEY cannot decrypt ${failed} of ${rows.length + shopKeys.length} stored Shopify sessions and shop keys checked. Set it back to the key they were written with, ` +
        'or keep the new key and list the old one in CLVLENS_PREVIOUS_ENCRYPTION_KEYS (then `pnpm --filter @clvlens/shopify-app rotate-key` re-encrypts everything).',
    );
  }
}

/**
 * Re-encrypts every stored secret (session access and refresh tokens, the shops' personal-data keys, customers' emails)
 * with the cipher's current key, reading it with
 * any of its keys. After it, the previous keys can be dropped. Idempotent; safe while the app runs (each row is
 * rewritten from its own value).
 * @returns how many rows of each kind were rewritten.
 */
export async function reencryptSecrets(db: Kysely<DB>, cipher: TokenCipher): Promise<{ sessions: number; shopKeys: number; emails: number }> {
  let sessions = 0;
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('sessions')
      .select(['id', 'access_token_enc', 'refresh_token_enc'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      await db
        .updateTable('sessions')
        .set({
          access_token_enc: row.access_token_enc === null ? null : cipher.encrypt(cipher.decrypt(row.access_token_enc)),
          refresh_token_enc: row.refresh_token_enc === null ? null : cipher.encrypt(cipher.decrypt(row.refresh_token_enc)),
        })
        .where('id', '=', row.id)
        .where('access_token_enc', 'is not distinct from', row.access_token_enc)
        .execute();
      sessions++;
    }
    after = rows[rows.length - 1]!.id;
  }
  let shopKeys = 0;
  for (const row of await db.selectFrom('shops').select(['shop_id', 'pii_key_enc']).where('pii_key_enc', 'is not', null).execute()) {
    await db
      .updateTable('shops')
      .set({ pii_key_enc: cipher.encrypt(cipher.decrypt(row.pii_key_enc!)) })
      .where('shop_id', '=', row.shop_id)
      .where('pii_key_enc', '=', row.pii_key_enc)
      .execute();
    shopKeys++;
  }
  let emails = 0;
  for (const row of await db.selectFrom('customer_personal').select(['shop_id', 'customer_id', 'email_enc']).where('email_enc', 'is not', null).execute()) {
    await db
      .updateTable('customer_personal')
      .set({ email_enc: cipher.encrypt(cipher.decrypt(row.email_enc!)) })
      .where('shop_id', '=', row.shop_id)
      .where('customer_id', '=', row.customer_id)
      .where('email_enc', '=', row.email_enc)
      .execute();
    emails++;
  }
  return { sessions, shopKeys, emails };
}

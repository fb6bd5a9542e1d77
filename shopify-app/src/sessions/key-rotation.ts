import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { TokenCipher } from './token-cipher.ts';

/** Stored sessions checked at start: enough to catch a wrong key, bounded so a large install starts fast. */
const CHECK_SAMPLE = 50;

/**
 * Refuses to start when the configured keys cannot decrypt the stored Shopify tokens (a wrong or rotated
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
  if (failed > 0) {
    throw new AppError(
      'token-decrypt',
      `CLVLENS_ENCRYPTION_KEY cannot decrypt ${failed} of ${rows.length} stored Shopify sessions checked. Set it back to the key they were written with, ` +
        'or keep the new key and list the old one in CLVLENS_PREVIOUS_ENCRYPTION_KEYS (then `pnpm --filter @clvlens/shopify-app rotate-key` re-encrypts everything).',
    );
  }
}

/**
 * Re-encrypts every stored secret (session access and refresh tokens) with the cipher's current key, reading it with
 * any of its keys. After it, the previous keys can be dropped. Idempotent; safe while the app runs (each row is
 * rewritten from its own value).
 * @returns how many sessions were rewritten.
 */
export async function reencryptSecrets(db: Kysely<DB>, cipher: TokenCipher): Promise<{ sessions: number }> {
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
  return { sessions };
}

// `pnpm --filter @clvlens/shopify-app rotate-key`: re-encrypts every stored secret with CLVLENS_ENCRYPTION_KEY,
// reading them with it or any key of CLVLENS_PREVIOUS_ENCRYPTION_KEYS (comma-separated). Same database settings as
// the server (DATABASE_URL, or CLVLENS_DATA_DIR for the embedded database, which must not be open in the app then).
import { createDatabase } from './db/connect.ts';
import { reencryptSecrets } from './sessions/key-rotation.ts';
import { createTokenCipher } from './sessions/token-cipher.ts';

const env = process.env;
const key = env['CLVLENS_ENCRYPTION_KEY'] ?? '';
if (!key) {
  console.error('CLVLENS_ENCRYPTION_KEY is required: the key to encrypt with from now on.');
  process.exit(2);
}
const previous = (env['CLVLENS_PREVIOUS_ENCRYPTION_KEYS'] ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s.length > 0);
const database = await createDatabase({ databaseUrl: env['DATABASE_URL'] || undefined, dataDir: env['CLVLENS_DATA_DIR'] || undefined });
try {
  const { sessions, shopKeys, emails } = await reencryptSecrets(database.db, createTokenCipher(key, previous));
  console.log(
    `Re-encrypted ${sessions} sessions, ${shopKeys} shop keys and ${emails} emails with the current key; CLVLENS_PREVIOUS_ENCRYPTION_KEYS can be removed now.`,
  );
} finally {
  await database.close();
}

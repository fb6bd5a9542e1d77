import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { startTestHttpServer } from '../testing/http-server.ts';
import { reencryptSecrets } from './key-rotation.ts';
import { createTokenCipher } from './token-cipher.ts';

const SHOP = 'keys-shop.myshopify.com';
const OLD = '1'.repeat(64);
const NEW = '2'.repeat(64);

describe('encryption key check and rotation, over HTTP', () => {
  let database: Database | undefined;
  afterAll(async () => {
    await database?.close();
  });

  it('refuses to start on a key that cannot decrypt the stored sessions, and rotates with old keys still decrypting', async () => {
    database = await createTestDatabase();
    const first = await startTestHttpServer({ database, encryptionKey: OLD });
    await first.installShop(SHOP);
    expect((await first.dashboard(SHOP, '/app/api/summary')).status).toBe(200);
    await first.stop();

    await expect(startTestHttpServer({ database, encryptionKey: NEW })).rejects.toMatchObject({
      code: 'token-decrypt',
      message: expect.stringMatching(/CLVLENS_PREVIOUS_ENCRYPTION_KEYS/),
    });

    const rotating = await startTestHttpServer({ database, encryptionKey: NEW, appOptions: { previousEncryptionKeys: [OLD] } });
    expect((await rotating.dashboard(SHOP, '/app/api/summary')).status).toBe(200);
    // What the `rotate-key` command runs.
    expect(await reencryptSecrets(database.db, createTokenCipher(NEW, [OLD]))).toMatchObject({ sessions: 1 });
    await rotating.stop();

    const rotated = await startTestHttpServer({ database, encryptionKey: NEW });
    expect((await rotated.dashboard(SHOP, '/app/api/summary')).status).toBe(200);
    await rotated.stop();
    await expect(startTestHttpServer({ database, encryptionKey: OLD })).rejects.toMatchObject({ code: 'token-decrypt' });
  });
});

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';

/** Encrypts Shopify tokens at rest with AES-256-GCM; the stored form is `v1:<iv>:<tag>:<ciphertext>` in base64url. */
export interface TokenCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

/**
 * Builds the cipher from a 32-byte key given as 64 hex chars or base64 (e.g. `openssl rand -hex 32`). Any other
 * string is stretched with SHA-256, which is acceptable for a long random secret but not for a password.
 * `previousKeys` (key rotation) only decrypt: values written with them stay readable until re-encrypted with `key`
 * (`reencryptSecrets`, the `rotate-key` command).
 */
export function createTokenCipher(key: string | Uint8Array, previousKeys: readonly (string | Uint8Array)[] = []): TokenCipher {
  const keyBytes = parseKey(key);
  const allKeys = [keyBytes, ...previousKeys.map(parseKey)];
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyBytes, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
    },
    decrypt(stored) {
      const [version, iv, tag, body] = stored.split(':');
      if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
        throw new AppError('token-decrypt', 'A stored token is not in the v1 format; was it written by another app version?');
      }
      let lastError: unknown;
      // GCM's tag tells a wrong key apart: the current key first, then the previous ones (rotation).
      for (const candidate of allKeys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', candidate, Buffer.from(iv, 'base64url'));
          decipher.setAuthTag(Buffer.from(tag, 'base64url'));
          return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
        } catch (error) {
          lastError = error;
        }
      }
      throw new AppError(
        'token-decrypt',
        'A stored token cannot be decrypted: CLVLENS_ENCRYPTION_KEY differs from the key it was written with (add that key to CLVLENS_PREVIOUS_ENCRYPTION_KEYS).',
        { cause: lastError },
      );
    },
  };
}

function parseKey(key: string | Uint8Array): Buffer {
  if (typeof key !== 'string') {
    if (key.length !== 32) throw new AppError('config', 'The token encryption key must be 32 bytes.');
    return Buffer.from(key);
  }
  if (/^[0-9a-fA-F]{64}$/.test(key)) return Buffer.from(key, 'hex');
  const b64 = Buffer.from(key, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]{43}=?$/.test(key)) return b64;
  if (key.length < 16) throw new AppError('config', 'The token encryption key is too short: use `openssl rand -hex 32`.');
  return createHash('sha256').update(key, 'utf8').digest();
}

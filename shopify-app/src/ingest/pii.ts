import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { systemClock, type Clock } from '../log.ts';
import type { TokenCipher } from '../sessions/token-cipher.ts';
import type { StoredOrder } from './order.ts';
import { replaceGuestKey } from './store.ts';

/** Prefix of a guest key made by {@link PiiProtector.guestKey} (older rows hold a bare SHA-256 of the email). */
export const GUEST_KEY_PREFIX = 'g1:';

/**
 * Keeps customer emails out of the database in readable or guessable form. Each shop gets a random 32-byte key,
 * stored encrypted with the app key (so a database dump alone cannot test a list of emails against it, and key
 * rotation re-encrypts it without changing any stored HMAC):
 * - a guest order's key is `g1:` + HMAC(shop key, SHA-256 of the normalised email), not the bare SHA-256;
 * - a customer's email is stored encrypted (read only by the data-request export), with HMAC(shop key, email) beside
 *   it to find the customer a compliance request names by email only.
 */
export interface PiiProtector {
  /**
   * Makes the shop's key now if it has none. Making it writes the shop's row, which stays locked until the writing
   * transaction ends: a writer that runs transactions of one shop side by side (the backfill's two batches at once)
   * calls this first, outside them, so that none of them makes the key while another waits for it.
   */
  prepareShop(db: Kysely<DB>, shop: string): Promise<void>;
  /** The stored guest key for the parse step's email hash (`guestKeyOf` in order.ts). */
  guestKey(db: Kysely<DB>, shop: string, emailHash: string): Promise<string>;
  /**
   * Replaces the parse step's guest keys of the orders (same shop) by stored ones, in place. The shop's key is read
   * at most once a minute per process for this (`REMEMBER_MS`).
   */
  protectGuestKeys(db: Kysely<DB>, shop: string, orders: StoredOrder[]): Promise<void>;
  /** The lookup key of an email (normalised: trimmed, lower case). */
  emailKey(db: Kysely<DB>, shop: string, email: string): Promise<string>;
  encryptEmail(email: string): string;
  decryptEmail(stored: string): string;
  /** Drops the shop's key from this process's memory (its data is being erased: shop/redact). */
  forget(shop: string): void;
}

/** Options of {@link createPiiProtector}. */
export interface PiiProtectorOptions {
  clock?: Clock;
  /** How long a process keeps a shop's key after reading it, ms. Default 60,000. */
  rememberMs?: number;
}

/**
 * How long a process keeps a shop's key for storing its orders. A shop's key never changes once made (key rotation
 * re-encrypts the same bytes); only shop/redact, 48 h after the uninstall, erases it, and a reinstall then makes
 * another. Orders are stored only for an installed shop, and only storing orders reads through this memory (the
 * compliance lookups, which also run for an uninstalled shop, read the key afresh), so every process's memory of a
 * shop's key has lapsed long before its erasure; the process that erases it forgets it at once.
 */
const REMEMBER_MS = 60_000;

export function createPiiProtector(cipher: TokenCipher, options: PiiProtectorOptions = {}): PiiProtector {
  const clock = options.clock ?? systemClock;
  const rememberMs = options.rememberMs ?? REMEMBER_MS;
  // A KeyObject, not the key's bytes: createHmac imports a Buffer key into a new KeyObject on every call, which made
  // one guest key cost about 10 µs (a tenth of a large backfill's CPU) where it costs 1.5 µs from a KeyObject.
  const shopKey = async (db: Kysely<DB>, shop: string): Promise<KeyObject> => {
    let row = await db.selectFrom('shops').select('pii_key_enc').where('shop_id', '=', shop).executeTakeFirst();
    if (!row) throw new AppError('sync', `${shop} is not installed: no key to protect its customers' data with`);
    if (row.pii_key_enc === null) {
      // First use: two writers racing both try; the first wins and both read the winner.
      await db
        .updateTable('shops')
        .set({ pii_key_enc: cipher.encrypt(randomBytes(32).toString('base64')) })
        .where('shop_id', '=', shop)
        .where('pii_key_enc', 'is', null)
        .execute();
      row = await db.selectFrom('shops').select('pii_key_enc').where('shop_id', '=', shop).executeTakeFirstOrThrow();
    }
    return createSecretKey(Buffer.from(cipher.decrypt(row.pii_key_enc!), 'base64'));
  };
  // Each guest order's delivery asked the database for its shop's key: one statement and a decryption per delivery.
  // Only storing orders reads through this memory (see REMEMBER_MS).
  const remembered = new Map<string, { key: KeyObject; untilMs: number }>();
  const rememberedKey = async (db: Kysely<DB>, shop: string): Promise<KeyObject> => {
    const known = remembered.get(shop);
    if (known !== undefined && clock.now() < known.untilMs) return known.key;
    const key = await shopKey(db, shop);
    remembered.set(shop, { key, untilMs: clock.now() + rememberMs });
    return key;
  };
  const hmac = (key: KeyObject, text: string): string => createHmac('sha256', key).update(text, 'utf8').digest('hex');
  return {
    async prepareShop(db, shop) {
      await shopKey(db, shop);
    },
    async guestKey(db, shop, emailHash) {
      return `${GUEST_KEY_PREFIX}${hmac(await shopKey(db, shop), emailHash)}`;
    },
    async protectGuestKeys(db, shop, orders) {
      if (!orders.some((o) => o.guestKey !== null && !o.guestKey.startsWith(GUEST_KEY_PREFIX))) return;
      const key = await rememberedKey(db, shop);
      for (const o of orders) if (o.guestKey !== null && !o.guestKey.startsWith(GUEST_KEY_PREFIX)) o.guestKey = `${GUEST_KEY_PREFIX}${hmac(key, o.guestKey)}`;
    },
    async emailKey(db, shop, email) {
      return hmac(await shopKey(db, shop), `email:${email.trim().toLowerCase()}`);
    },
    encryptEmail: (email) => cipher.encrypt(email),
    decryptEmail: (stored) => cipher.decrypt(stored),
    forget(shop) {
      remembered.delete(shop);
    },
  };
}

/**
 * Converts what older versions stored in the clear: plain emails become `email_enc` + `email_key`, bare SHA-256 guest
 * keys become per-shop HMACs. Run at start; a no-op once done.
 */
export async function protectStoredPersonalData(db: Kysely<DB>, pii: PiiProtector): Promise<{ emails: number; guestKeys: number }> {
  let emails = 0;
  for (;;) {
    const rows = await db.selectFrom('customer_personal').select(['shop_id', 'customer_id', 'email']).where('email', 'is not', null).limit(500).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      await db
        .updateTable('customer_personal')
        .set({ email: null, email_enc: pii.encryptEmail(r.email!), email_key: await pii.emailKey(db, r.shop_id, r.email!) })
        .where('shop_id', '=', r.shop_id)
        .where('customer_id', '=', r.customer_id)
        .execute();
      emails++;
    }
  }
  let guestKeys = 0;
  const { rows: legacy } = await sql<{ shop_id: string; guest_key: string }>`SELECT DISTINCT o.shop_id, o.guest_key FROM orders o
    JOIN shops s ON s.shop_id = o.shop_id
    WHERE o.guest_key IS NOT NULL AND o.guest_key NOT LIKE 'g1:%' AND o.guest_key NOT LIKE 'redacted:%'`.execute(db);
  for (const r of legacy) {
    await replaceGuestKey(db, r.shop_id, r.guest_key, await pii.guestKey(db, r.shop_id, r.guest_key));
    guestKeys++;
  }
  return { emails, guestKeys };
}

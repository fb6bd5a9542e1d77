import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '@shopify/shopify-api';
import { createTestDatabase } from '../db/test-database.ts';
import type { Database } from '../db/connect.ts';
import { KyselySessionStorage } from './session-storage.ts';
import { createTokenCipher } from './token-cipher.ts';

const KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('KyselySessionStorage', () => {
  let database: Database;
  let storage: KyselySessionStorage;
  beforeAll(async () => {
    database = await createTestDatabase();
    storage = new KyselySessionStorage(database.db, createTokenCipher(KEY));
  });
  afterAll(async () => {
    await database.close();
  });

  function session(shop: string, id = `offline_${shop}`): Session {
    const s = new Session({ id, shop, state: 'state', isOnline: false });
    s.scope = 'read_orders,read_customers';
    s.accessToken = `shpat_secret_${shop}`;
    s.refreshToken = `shprt_secret_${shop}`;
    s.expires = new Date('2026-11-23T13:00:00.000Z');
    s.refreshTokenExpires = new Date('2027-02-21T12:00:00.000Z');
    return s;
  }

  it('round-trips a session with its tokens and dates', async () => {
    const s = session('a.myshopify.com');
    await storage.storeSession(s);
    const loaded = await storage.loadSession(s.id);
    expect(loaded?.toObject()).toEqual(s.toObject());
  });

  it('stores the tokens encrypted, never in plain text', async () => {
    const rows = await database.db.selectFrom('sessions').selectAll().execute();
    const text = JSON.stringify(rows);
    expect(text).not.toContain('shpat_secret');
    expect(text).not.toContain('shprt_secret');
    expect(rows[0]?.access_token_enc).toMatch(/^v1:/);
  });

  it('cannot read the tokens with another key', async () => {
    const other = new KyselySessionStorage(database.db, createTokenCipher('f'.repeat(64)));
    await expect(other.loadSession('offline_a.myshopify.com')).rejects.toMatchObject({ code: 'token-decrypt' });
  });

  it('finds and deletes sessions by shop without touching another shop', async () => {
    await storage.storeSession(session('b.myshopify.com'));
    await storage.storeSession(session('b.myshopify.com', 'b.myshopify.com_42'));
    const found = await storage.findSessionsByShop('b.myshopify.com');
    expect(found.map((s) => s.id).sort()).toEqual(['b.myshopify.com_42', 'offline_b.myshopify.com']);
    await storage.deleteSessions(found.map((s) => s.id));
    expect(await storage.findSessionsByShop('b.myshopify.com')).toEqual([]);
    expect(await storage.loadSession('offline_a.myshopify.com')).toBeDefined();
    await storage.deleteSession('offline_a.myshopify.com');
    expect(await storage.loadSession('offline_a.myshopify.com')).toBeUndefined();
  });
});

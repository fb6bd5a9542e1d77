import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase, type Database } from './connect.ts';
import { migrateToLatest } from './migrate.ts';
import { createTestDatabase } from './test-database.ts';

describe('createDatabase', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('applies the migrations once and records them', async () => {
    const again = await migrateToLatest(database.db);
    expect(again).toEqual([]);
    const rows = await database.db.selectFrom('schema_migrations').select('version').execute();
    expect(rows.map((r) => r.version)).toContain('0001_init');
  });

  it('returns int8 values as numbers', async () => {
    const { rows } = await sql<{ n: number; big: number }>`SELECT count(*) AS n, 5000000000001::bigint AS big`.execute(database.db);
    expect(rows[0]).toEqual({ n: 1, big: 5000000000001 });
  });
});

describe('createDatabase on a PGlite data directory', () => {
  it('refuses a second open of the same directory while the first holds the lock, and reopens after close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clvlens-lock-'));
    try {
      const first = await createDatabase({ dataDir: dir });
      await expect(createDatabase({ dataDir: dir })).rejects.toMatchObject({ code: 'data-dir-locked' });
      await first.db.insertInto('shops').values({ shop_id: 'a.myshopify.com', currency: 'USD', iana_timezone: 'UTC' }).execute();
      await first.close();
      const second = await createDatabase({ dataDir: dir });
      const shops = await second.db.selectFrom('shops').select('shop_id').execute();
      expect(shops).toEqual([{ shop_id: 'a.myshopify.com' }]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores the pid note left by a dead process, or by an older version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clvlens-lock-'));
    try {
      writeFileSync(join(dir, '.lock'), String(process.pid));
      const database = await createDatabase({ dataDir: dir });
      await database.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

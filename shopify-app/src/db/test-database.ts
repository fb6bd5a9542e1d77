import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from './connect.ts';

/**
 * A throwaway database for one test file: in-memory PGlite, or, when `CLVLENS_TEST_DATABASE_URL` is set, a fresh
 * PostgreSQL database with a random name on that server, dropped by `close()`.
 */
export async function createTestDatabase(env: Record<string, string | undefined> = process.env): Promise<Database> {
  const serverUrl = env['CLVLENS_TEST_DATABASE_URL'];
  if (!serverUrl) return createDatabase({ dataDir: 'memory://' });
  const name = `clvlens_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await createDatabase({ databaseUrl: url.toString() });
  const close = database.close;
  database.close = async () => {
    await close();
    const dropper = new pg.Client({ connectionString: serverUrl });
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  };
  return database;
}

/** The PostgreSQL URL of a fresh database (for tests that start several processes), with its drop function. */
export async function createTestPostgresDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `clvlens_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

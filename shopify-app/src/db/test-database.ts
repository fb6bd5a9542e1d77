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
  const { url, drop } = await createTestPostgresDatabase(serverUrl);
  const database = await createDatabase({ databaseUrl: url });
  const close = database.close;
  database.close = async () => {
    await close();
    await drop();
  };
  return database;
}

/**
 * Drops a test database once its sessions are gone. A closed pg pool has sent Terminate but its backends may still be
 * exiting; `WITH (FORCE)` at that moment makes the server send 57P01 to a client that is ending, an uncaught error in
 * the test process. So wait for them first (55006 "being accessed by other users"), and force only as a last resort.
 */
async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const dropper = new pg.Client({ connectionString: serverUrl });
  await dropper.connect();
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name}`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006') throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await dropper.end();
  }
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
    drop: () => dropDatabase(serverUrl, name),
  };
}

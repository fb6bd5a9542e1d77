import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { AppError } from '../errors.ts';
import type { DB } from './schema.ts';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The migration files this build ships, in order (`NNNN_name.sql`). */
function migrationFiles(): string[] {
  return readdirSync(migrationsDir)
    .filter((name) => /^\d{4}_[a-z0-9_-]+\.sql$/.test(name))
    .sort();
}

/** The versions this build ships that the database has not recorded as applied (readiness: all must be). */
export async function pendingMigrations(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ version: string }>`SELECT version FROM schema_migrations`.execute(db);
  const done = new Set(rows.map((r) => r.version));
  return migrationFiles()
    .map((file) => file.replace(/\.sql$/, ''))
    .filter((version) => !done.has(version));
}

/**
 * Applies every `migrations/NNNN_name.sql` not yet recorded in `schema_migrations`, in order, one transaction each.
 * An advisory lock keeps two processes starting on one PostgreSQL from applying the same file twice.
 * @returns the versions applied by this call.
 */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const files = migrationFiles();
  const applied: string[] = [];
  await db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(7248301)`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(conn);
      const done = new Set((await conn.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version));
      for (const file of files) {
        const version = file.replace(/\.sql$/, '');
        if (done.has(version)) continue;
        const text = readFileSync(join(migrationsDir, file), 'utf8');
        try {
          await conn.transaction().execute(async (trx) => {
            await sql.raw(text).execute(trx);
            await trx.insertInto('schema_migrations').values({ version }).execute();
          });
        } catch (error) {
          throw new AppError('migration-failed', `Migration ${file} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(version);
      }
    } finally {
      await sql`SELECT pg_advisory_unlock(7248301)`.execute(conn);
    }
  });
  return applied;
}

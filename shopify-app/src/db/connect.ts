import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createJsonLogger, type Logger } from '../log.ts';
import { acquireDataDirLock } from './lock.ts';
import { migrateToLatest } from './migrate.ts';
import { createStatementNamer, useNamedStatements } from './named-statements.ts';
import type { DB } from './schema.ts';

// int8 (count(*), sums, sequences) as numbers, which stay below 2^53. Shopify ids are 64-bit and are read as text
// (`customer_id::text`, see db/schema.ts); a value a double cannot hold exactly comes back as its text, never rounded.
pg.types.setTypeParser(20, (value) => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
});

/** Options of {@link createDatabase}. */
export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory (default `./data/pglite`); `memory://` keeps it in memory (tests). */
  dataDir?: string | undefined;
  /** Pool size for PostgreSQL. Default: 10. */
  maxConnections?: number | undefined;
  /** Apply pending migrations on open. Default: true. */
  migrate?: boolean | undefined;
  /** Told about errors of idle pooled connections (PostgreSQL restarted, a connection dropped). Default: a JSON line on stderr. */
  log?: Logger | undefined;
}

/** An open database: Kysely over a `pg` Pool, on PGlite or PostgreSQL. */
export interface Database {
  db: Kysely<DB>;
  pool: pg.Pool;
  kind: 'pglite' | 'postgres';
  /** The PGlite instance in embedded mode (for VACUUM and dumps). */
  pglite: PGlite | null;
  /** Runs `VACUUM (ANALYZE)` on the embedded database, which has no autovacuum (storage.md §5); a no-op on PostgreSQL. */
  vacuum(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the app database: PostgreSQL when `databaseUrl` is given, otherwise PGlite in `dataDir` under an exclusive
 * lock file. Applies migrations unless `migrate: false`.
 */
export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  let pool: pg.Pool;
  let pglite: PGlite | null = null;
  let release = (): void => {};
  // One namer for every connection of the process (see db/named-statements.ts).
  const namer = createStatementNamer();
  if (options.databaseUrl) {
    pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.maxConnections ?? 10 });
    // Without a listener, an idle connection that the server closes (restart, failover, idle timeout) is an uncaught
    // 'error' event that ends the process. The pool drops that client and opens a new one on the next query.
    const log = options.log ?? createJsonLogger();
    pool.on('error', (error) =>
      log.warn('database connection lost; the pool reconnects on next use', { error: error.message, code: (error as { code?: string }).code }),
    );
    // A checked-out client has no pool listener: one the server drops between two statements of a transaction would
    // emit an unhandled 'error' too. The statement in flight (or the next) fails instead, and the pool discards the
    // client on release because it is no longer queryable.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      useNamedStatements(client, namer);
    });
  } else {
    const dataDir = options.dataDir ?? './data/pglite';
    const inMemory = dataDir.startsWith('memory://');
    if (!inMemory) release = acquireDataDirLock(dataDir).release;
    try {
      pglite = await PGlite.create(inMemory ? undefined : dataDir, {
        startParams: [...PGlite.defaultStartParams, '-c', 'max_wal_size=128MB', '-c', 'min_wal_size=32MB'],
      });
    } catch (error) {
      release();
      throw error;
    }
    pool = new pg.Pool({ ...(createPgConfig(pglite) as unknown as pg.PoolConfig), max: 1 });
    // Prepared here too: PGlite parses and plans every unnamed statement as PostgreSQL does, and planning asks its file
    // system (a JavaScript call each) for the size of every table and index the statement touches.
    pool.on('connect', (client) => useNamedStatements(client, namer));
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const embedded = pglite;
  let closed = false;
  const database: Database = {
    db,
    pool,
    kind: embedded ? 'pglite' : 'postgres',
    pglite: embedded,
    async vacuum() {
      if (embedded) await pool.query('VACUUM (ANALYZE)');
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (embedded) await embedded.close();
      release();
    },
  };
  if (options.migrate !== false) {
    try {
      await migrateToLatest(db);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

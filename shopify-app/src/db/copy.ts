// PostgreSQL's COPY for the writers that move many rows at once: the text format (a full run's insights; the backfill's
// orders go in the binary format, copy-binary.ts), and a transaction whose connection is known so a COPY can run inside
// it. PGlite has no COPY FROM STDIN over this interface; callers keep their statement path for it.
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DB } from './schema.ts';

/** Rows per chunk written to the COPY stream (about 100-200 bytes a row). */
const COPY_CHUNK_ROWS = 2000;

const COPY_SPECIALS = /[\\\t\n\r]/;

/**
 * A text value in COPY's text format: backslash, tab, newline and carriage return escaped, so untrusted text (a guest
 * key, a currency) can neither end its field or row early nor be read as an escape. `null` is `\N`.
 */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!COPY_SPECIALS.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** `rows` as COPY text chunks of {@link COPY_CHUNK_ROWS} rows each, built as they are read. */
function* copyChunks<T>(rows: readonly T[], row: (r: T) => string): Generator<string> {
  for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
    let chunk = '';
    const end = Math.min(rows.length, start + COPY_CHUNK_ROWS);
    for (let i = start; i < end; i++) chunk += row(rows[i]!);
    yield chunk;
  }
}

/** Sends `rows` through `COPY ... FROM STDIN` on `client`, encoded by `row` (COPY text format, one line each). */
export async function copyRows<T>(client: pg.PoolClient, copy: string, rows: readonly T[], row: (r: T) => string): Promise<void> {
  if (rows.length === 0) return;
  await pipeline(copyChunks(rows, row), client.query(copyFrom(copy)));
}

/**
 * Runs `work` in one transaction on a connection of its own from `pool`, handing it both the Kysely transaction and
 * the raw client: COPY needs the very connection the transaction runs on, which Kysely does not hand out, so Kysely
 * gets a pool of just that client for this transaction. A connection that failed (mid-COPY it may be in any protocol
 * state) is destroyed instead of going back to the pool.
 */
export async function transactionOnConnection<T>(pool: pg.Pool, work: (trx: Kysely<DB>, client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const lease: PostgresPoolClient = { query: client.query.bind(client) as PostgresPoolClient['query'], release: () => {} };
  const session = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: { connect: async () => lease, end: async () => {}, options: pool.options } }),
  });
  let failure: Error | undefined;
  try {
    return await session.transaction().execute((trx) => work(trx, client));
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    client.release(failure);
  }
}

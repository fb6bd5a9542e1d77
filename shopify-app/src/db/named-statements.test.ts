import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from './connect.ts';
import { createStatementNamer, PREPARED } from './named-statements.ts';
import { createTestDatabase } from './test-database.ts';

describe('createStatementNamer', () => {
  it('names a text from its third use on, the same name every time, and one name per text', () => {
    const namer = createStatementNamer();
    expect([namer.nameFor('SELECT $1'), namer.nameFor('SELECT $1')]).toEqual([null, null]);
    const name = namer.nameFor('SELECT $1');
    expect(name).toMatch(/^clvlens_\d+$/);
    expect(namer.nameFor('SELECT $1')).toBe(name);
    for (let i = 0; i < 3; i++) namer.nameFor('SELECT $1 + 1');
    expect(namer.nameFor('SELECT $1 + 1')).not.toBe(name);
    expect(namer.named).toBe(2);
  });

  it('names at most maxNamed texts, and never again a text it was told to forget (nor its name for another)', () => {
    const namer = createStatementNamer({ minUses: 1, maxNamed: 2 });
    const a = namer.nameFor('a');
    namer.forget('a');
    expect(namer.nameFor('a')).toBeNull();
    const b = namer.nameFor('b');
    const c = namer.nameFor('c');
    expect(new Set([a, b, c]).size).toBe(3);
    expect(namer.nameFor('d')).toBeNull();
    expect([namer.nameFor('b'), namer.nameFor('c')]).toEqual([b, c]);
  });
});

// On PGlite, and on PostgreSQL when CLVLENS_TEST_DATABASE_URL is set (as CI runs it), the pooled connections prepare
// repeated statements marked PREPARED.
const kinds = ['pglite', ...(process.env['CLVLENS_TEST_DATABASE_URL'] ? ['postgres'] : [])];
describe.each(kinds)('the app database (%s) sends the statements that ask for it as prepared statements', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = kind === 'pglite' ? await createDatabase({ dataDir: 'memory://' }) : await createTestDatabase();
    await sql`CREATE TABLE named_probe (id bigint PRIMARY KEY, note text)`.execute(database.db);
  });
  afterAll(async () => database.close());

  const prepared = async (): Promise<string[]> => {
    const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE name LIKE ${'clvlens_%'}`.execute(database.db);
    return rows.map((r) => r.statement);
  };

  it('gives the same results through Kysely and pool.query, and prepares the repeated text once named', async () => {
    for (let id = 1; id <= 6; id++) {
      await sql`INSERT INTO named_probe (id, note) VALUES (${id}, ${`note ${id}`})`.execute(database.db);
      const { rows } = await sql<{ id: number; note: string }>`${sql.raw(PREPARED)}SELECT id, note FROM named_probe WHERE id = ${id}`.execute(database.db);
      expect(rows).toEqual([{ id, note: `note ${id}` }]);
      // pg-boss's path: pool.query with values (a callback inside pg-pool).
      const viaPool = await database.pool.query(`${PREPARED}SELECT count(*)::int AS n FROM named_probe WHERE id <= $1`, [id]);
      // Unmarked: never named.
      await database.pool.query('SELECT note FROM named_probe WHERE id = $1', [id]);
      expect(viaPool.rows).toEqual([{ n: id }]);
    }
    // A statement error stays the statement's, named or not.
    for (let i = 0; i < 4; i++) {
      await expect(sql`${sql.raw(PREPARED)}INSERT INTO named_probe (id, note) VALUES (${1}, ${'again'})`.execute(database.db)).rejects.toMatchObject({
        code: '23505',
      });
    }
    // Text without parameters: several statements (a migration's) are never named; one data statement is, as pg-boss
    // sends its fetch of a queue (the name inline), and gives the same answer named as unnamed.
    for (let i = 0; i < 4; i++) {
      const several = await database.pool.query(`${PREPARED}SELECT 1 AS one; SELECT 2 AS two`);
      expect((several as unknown as { rows: unknown[] }[]).map((r) => r.rows)).toEqual([[{ one: 1 }], [{ two: 2 }]]);
      expect((await database.pool.query(`${PREPARED}SELECT max(id)::int AS top FROM named_probe WHERE note <> 'x'`)).rows).toEqual([{ top: 6 }]);
      expect((await database.pool.query(`${PREPARED}SELECT 'a;b' AS semi`)).rows).toEqual([{ semi: 'a;b' }]);
    }
    // The pool has one connection here at a time (PGlite's only one), so the session that ran them holds them.
    const statements = await prepared();
    expect(statements.some((s) => s.includes('SELECT id, note FROM named_probe'))).toBe(true);
    expect(statements.some((s) => s.includes('count(*)::int AS n FROM named_probe'))).toBe(true);
    expect(statements.some((s) => s.includes('max(id)::int AS top'))).toBe(true);
    expect(statements.some((s) => s.includes('SELECT note FROM named_probe'))).toBe(false);
    expect(statements.some((s) => s.includes('AS one') || s.includes('AS semi'))).toBe(false);
  });

  it('sends a statement unnamed from then on, on every connection, once its table changed the columns a plan returns', async () => {
    // Two connections that both prepared `SELECT *` (named from its third use in the process); PGlite's pool has one.
    const a = await database.pool.connect();
    const b = database.kind === 'postgres' ? await database.pool.connect() : a;
    try {
      const read = (client: typeof a) => client.query(`${PREPARED}SELECT * FROM named_probe WHERE id = $1`, [1]);
      for (let i = 0; i < 3; i++) for (const client of [a, b]) expect((await read(client)).rows).toEqual([{ id: 1, note: 'note 1' }]);
      await a.query('ALTER TABLE named_probe ADD COLUMN extra int');
      // PostgreSQL (and PGlite) refuses a prepared `SELECT *` whose columns changed (0A000, "cached plan must not
      // change result type"): once, on the first connection to run it; the other then sends the text unnamed.
      const first = await read(a).then(
        (result) => result.rows,
        (error: { code?: string }) => error.code,
      );
      expect(first).toEqual('0A000');
      expect((await read(b)).rows).toEqual([{ id: 1, note: 'note 1', extra: null }]);
      expect((await read(a)).rows).toEqual([{ id: 1, note: 'note 1', extra: null }]);
    } finally {
      a.release();
      if (b !== a) b.release();
    }
  });
});

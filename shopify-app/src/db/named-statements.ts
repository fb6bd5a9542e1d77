// Prepared statements for the statements an app process sends at every webhook and job. node-postgres sends every
// query as an unnamed statement, which PostgreSQL parses and plans on every call; measured under the webhook load of
// `pnpm bench pg-processes` with `pg_stat_statements`, planning was 9.3 s of the 24.5 s PostgreSQL spent on
// statements, 7.4 s of it for the webhook intake's one-statement batch and pg-boss's fetch, send and insert. A named
// statement is parsed once per connection, and after five executions PostgreSQL keeps a generic plan when it costs no
// more than the custom ones. PGlite is PostgreSQL in WebAssembly and gains the same way, more so: planning there also
// asks its file system, a JavaScript call each, for the size of every table and index the statement touches.
//
// Only statements that ask for it are named (their text starts with PREPARED): a generic plan is chosen for the
// average parameters, and a read of a large shop's orders or insights can need another plan than a small shop's. The
// ones that ask are keyed by primary keys or by a job queue, whatever the shop.
import type pg from 'pg';

/** The start of a statement text that asks to be prepared (an SQL comment, so the text runs the same unnamed). */
export const PREPARED = '/* prepared */ ';

/** Which statement texts get a name. */
export interface StatementNamer {
  /** The name to prepare `text` under, or null to send it unnamed. */
  nameFor(text: string): string | null;
  /** Never names `text` again (its prepared statements went stale, see {@link useNamedStatements}). */
  forget(text: string): void;
  /** Texts named so far. */
  readonly named: number;
}

export interface StatementNamerOptions {
  /** A text is named from its `minUses`-th use on: one-off statements stay unnamed. Default 3. */
  minUses?: number;
  /**
   * At most this many texts are named per process (each is prepared once per pooled connection and stays prepared for
   * the connection's life). Statements whose text varies with the data (an `IN` list's length) are then never all
   * named. Default 500.
   */
  maxNamed?: number;
}

/** Texts counted before the count starts over: bounds the memory of texts that never repeat. */
const MAX_COUNTED = 5000;

export function createStatementNamer(options: StatementNamerOptions = {}): StatementNamer {
  const minUses = options.minUses ?? 3;
  const maxNamed = options.maxNamed ?? 500;
  const names = new Map<string, string>();
  const uses = new Map<string, number>();
  const forgotten = new Set<string>();
  let last = 0;
  return {
    nameFor(text) {
      const name = names.get(text);
      if (name !== undefined) return name;
      if (names.size >= maxNamed || forgotten.has(text)) return null;
      const count = (uses.get(text) ?? 0) + 1;
      if (count < minUses) {
        if (uses.size >= MAX_COUNTED) uses.clear();
        uses.set(text, count);
        return null;
      }
      uses.delete(text);
      // Names are per process and never reused for another text: a connection holds at most one statement per name.
      const named = `clvlens_${++last}`;
      names.set(text, named);
      return named;
    },
    forget(text) {
      if (forgotten.size < maxNamed) forgotten.add(text);
      names.delete(text);
    },
    get named() {
      return names.size;
    },
  };
}

/** PostgreSQL's answer when a prepared statement's result columns changed under it (`cached plan must not change result type`). */
const STALE_PLAN = '0A000';

/**
 * Whether a text without parameters may be named: one data statement (a name sends it through the extended protocol,
 * which takes one statement a message, where unnamed it went as a simple query that may hold several). A `;` anywhere
 * but at the end, even inside a string, keeps it unnamed.
 */
function isOneDataStatement(text: string): boolean {
  const body = text.slice(PREPARED.length).trim().replace(/;$/, '');
  return !body.includes(';') && /^(WITH|SELECT|INSERT|UPDATE|DELETE)\b/i.test(body);
}

/**
 * Makes `client` send the statements that start with {@link PREPARED} and that `namer` names as prepared statements.
 * Text queries with parameters already go through the extended protocol, one statement each, so naming them changes
 * nothing else (results, errors, transactions). A text without parameters is named only when it is one data
 * statement ({@link isOneDataStatement}): pg-boss inlines the queue's name in its fetch, so its polls of most queues
 * carry no parameter, and PostgreSQL planned each of them anew (1.7 s of its 2.0 s on that fetch in a
 * `pnpm bench pg-processes` run). A plan without parameters is the same plan named or not. A prepared statement
 * whose table changed its columns (another process migrated the schema) fails with `0A000`; that text is then sent
 * unnamed from the next call on, by every connection.
 */
export function useNamedStatements(client: pg.PoolClient, namer: StatementNamer): void {
  type Callback = (error: Error | undefined, result: unknown) => void;
  const query = client.query as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.PoolClient, ...args: unknown[]): unknown {
    const [text, given] = args;
    // pg-pool's `pool.query(text)` calls `client.query(text, undefined, callback)`.
    const values = Array.isArray(given) ? (given as unknown[]) : given === undefined || typeof given === 'function' ? [] : null;
    const callback = typeof args[2] === 'function' ? args[2] : typeof given === 'function' ? given : undefined;
    const nameable = typeof text === 'string' && text.startsWith(PREPARED) && values !== null && (values.length > 0 || isOneDataStatement(text));
    const name = nameable ? namer.nameFor(text) : null;
    if (name === null) return query.apply(this, args);
    const stale = (error: unknown): void => {
      if ((error as { code?: string } | undefined)?.code === STALE_PLAN) namer.forget(text as string);
    };
    // pg-pool's `pool.query` passes a callback; Kysely awaits the promise.
    if (typeof callback === 'function') {
      return query.call(this, { name, text, values }, (error: Error | undefined, result: unknown) => {
        stale(error);
        (callback as Callback)(error, result);
      });
    }
    return (query.call(this, { name, text, values }) as Promise<unknown>).catch((error: unknown) => {
      stale(error);
      throw error;
    });
  };
}

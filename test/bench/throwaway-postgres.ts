// A throwaway PostgreSQL cluster for the benches that need one, as test/scripts/run-all-tests.sh starts it: initdb and
// pg_ctl from Debian's newest /usr/lib/postgresql/*/bin, run as the postgres user when the bench runs as root, on a
// free loopback port, removed on stop. Fails with what is missing when the binaries are absent.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWhenBenchExits } from './orphans.ts';
import { figure, info } from './report.ts';

export interface ThrowawayPostgres {
  url: string;
  /** The postmaster's pid (its backends are its children: the CPU figures sum them). */
  pid: number;
  version: string;
  /**
   * What the server's log says about locks so far (`log_lock_waits` is on): deadlocks it broke and waits that lasted
   * longer than `deadlock_timeout` (1 s), with the first of each as an example.
   */
  lockReport(): { deadlocks: number; longWaits: number; examples: string[] };
  stop(): void;
}

/** A port nobody listens on right now (bound to 0, read, closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The bin directory of the newest installed PostgreSQL, or null. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length === 0 ? null : join(root, versions.at(-1)!, 'bin');
}

/** How a bench wants its cluster. */
export interface ThrowawayPostgresOptions {
  /** Room for this many connections (default 200). */
  maxConnections?: number;
  /** Keep fsync on, for a bench whose figure includes making the data durable (default off: most measure the app). */
  durable?: boolean;
  /** More server settings as `name=value`, after the defaults (so they win), e.g. a bulk-load-sized `max_wal_size`. */
  settings?: string[];
}

/**
 * Starts a cluster with room for `maxConnections`; fsync off unless `durable`.
 * @throws Error naming the missing package when PostgreSQL is not installed.
 */
export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const bin = process.env['CLVLENS_TEST_PG_BIN'] ?? postgresBin();
  if (!bin || !existsSync(join(bin, 'initdb'))) {
    throw new Error('PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb (apt-get install -y postgresql, or set CLVLENS_TEST_PG_BIN)');
  }
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'clvlens-bench-pg-'));
  if (root)
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const asPg = (cmd: string, args: string[]): void => {
    const run = root
      ? spawnSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { encoding: 'utf8' })
      : spawnSync(join(bin, cmd), args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${cmd} failed: ${run.stderr || run.stdout}`);
  };
  const port = await freePort();
  asPg('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const settings = [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-k ${dir}`,
    `-c fsync=${options.durable === true ? 'on' : 'off'}`,
    `-c max_connections=${options.maxConnections ?? 200}`,
    '-c shared_buffers=256MB',
    // For the benches' statement profiles (CREATE EXTENSION pg_stat_statements when wanted); costs next to nothing.
    '-c shared_preload_libraries=pg_stat_statements',
    '-c pg_stat_statements.track_planning=on',
    '-c pg_stat_statements.track=all',
    // Deadlocks are logged anyway; waits over deadlock_timeout too with this (lockReport).
    '-c log_lock_waits=on',
    ...(options.settings ?? []).map((setting) => `-c ${setting}`),
  ].join(' ');
  asPg('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', settings, 'start']);
  const pgCtl = join(bin, 'pg_ctl');
  runWhenBenchExits([...(root ? ['runuser', '-u', 'postgres', '--'] : []), pgCtl, '-D', join(dir, 'data'), '-m', 'immediate', 'stop'], ['rm', '-rf', dir]);
  const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const version = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid,
    version,
    lockReport() {
      const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').split('\n') : [];
      const isDeadlock = (line: string): boolean => line.includes('ERROR:  deadlock detected');
      const isLongWait = (line: string): boolean => / still waiting for .* after [\d.]+ ms/.test(line);
      // The first of a kind with the DETAIL and STATEMENT lines after it, on one line.
      const example = (at: number): string[] =>
        at < 0
          ? []
          : [
              log
                .slice(at, at + 4)
                .join(' ')
                .replace(/\s+/g, ' ')
                .slice(0, 400),
            ];
      return {
        deadlocks: log.filter(isDeadlock).length,
        longWaits: log.filter(isLongWait).length,
        examples: [...example(log.findIndex(isDeadlock)), ...example(log.findIndex(isLongWait))],
      };
    },
    stop() {
      try {
        asPg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * CPU seconds (user + system) a process and its children used so far: its own and its live children's from /proc,
 * plus what its exited children left in its cutime/cstime. Linux only; 0 when the process is gone.
 */
export function cpuSecondsOfTree(pid: number): number {
  const ticks = 100; // USER_HZ on Linux
  const stat = (p: number): number[] | null => {
    try {
      const text = readFileSync(`/proc/${p}/stat`, 'utf8');
      return text
        .slice(text.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number);
    } catch {
      return null;
    }
  };
  const own = stat(pid);
  if (!own) return 0;
  // Fields after the name: state is [0], utime [11], stime [12], cutime [13], cstime [14].
  let total = own[11]! + own[12]! + own[13]! + own[14]!;
  // From /proc, not `ps`: the benches sample every second, and spawning ps that often was a CPU load of its own.
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .map(Number)
      .filter((n) => n > 0);
  } catch {
    children = [];
  }
  for (const child of children) {
    const s = stat(child);
    if (s) total += s[11]! + s[12]!;
  }
  return total / ticks;
}

/** One statement of {@link topStatements}. */
export interface StatementTime {
  calls: number;
  /** Planning and execution together, ms (rounded). */
  ms: number;
  /** Of which planning, ms (rounded; `pg_stat_statements.track_planning` is on in the throwaway server). */
  planMs: number;
  /** The normalised text, whitespace squeezed, cut to the asked width. */
  query: string;
}

/**
 * PostgreSQL's statements since the last `pg_stat_statements_reset()`, by total time or by calls: what the benches
 * print to say where the server's time went (the throwaway server preloads the extension; a bench creates it).
 */
export async function topStatements(
  pool: { query(text: string): Promise<{ rows: unknown[] }> },
  options: { limit: number; width: number; by?: 'time' | 'calls' },
): Promise<StatementTime[]> {
  const order = options.by === 'calls' ? 'calls' : 'ms';
  // Summed by text: a statement that names a temporary table (the insights' staging table, made anew in each
  // transaction) gets a new entry for each table's OID, and would show as many entries of one call each.
  const { rows } = await pool.query(
    `SELECT sum(calls)::int AS calls, round(sum(total_exec_time + total_plan_time))::int AS ms, round(sum(total_plan_time))::int AS "planMs",
       left(regexp_replace(query, '\\s+', ' ', 'g'), ${Math.trunc(options.width)}) AS query
     FROM pg_stat_statements GROUP BY 4 ORDER BY ${order} DESC LIMIT ${Math.trunc(options.limit)}`,
  );
  return rows as StatementTime[];
}

/** Prints {@link ThrowawayPostgres.lockReport}'s figures: deadlocks PostgreSQL broke (floor 0), long lock waits, examples. */
export function printLockFigures(pg: ThrowawayPostgres): void {
  const locks = pg.lockReport();
  for (const example of locks.examples) console.log(`  PostgreSQL's log: ${example}`);
  figure('deadlocks PostgreSQL broke (its log)', locks.deadlocks, { op: '<=', limit: 0 }, (v) => String(v));
  info('lock waits over 1 s (its log)', locks.longWaits, (v) => String(v));
}

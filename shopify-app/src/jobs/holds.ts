import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Logger } from '../log.ts';

/**
 * The high 32 bits of every advisory lock key of this module ("CLVJ"): the app's other advisory locks are
 * `hashtext()` values (high bits all 0 or all 1), the migration lock (0) and the backfill's two-key locks (another
 * lock space in `pg_locks`, objsubid 2), so none can be taken for a job's.
 */
const NAMESPACE = 0x434c564a;
/** A lock key of this module: the namespace, then `low` (32 bits), as `pg_advisory_lock(bigint)` takes it. */
const lockKey = (low: bigint): string => ((BigInt(NAMESPACE) << 32n) | low).toString();
/** The sweeper's lock (low bits 0): the process holding it is the one that sweeps. */
const SWEEPER_KEY = lockKey(0n);

/** A job's lock key: the namespace, then the first 32 bits of its (random) uuid. `JOB_LOW_SQL` computes its low bits in SQL. */
export function jobLockKey(jobId: string): string {
  return lockKey(BigInt(`0x${jobId.replace(/-/g, '').slice(0, 8)}`));
}

/** The low 32 bits of {@link jobLockKey} in SQL, for a uuid column `id`. */
const JOB_LOW_SQL = (id: string): string => `('x' || lpad(left(replace(${id}::text, '-', ''), 8), 16, '0'))::bit(64)::bigint`;

/**
 * Active jobs whose process is gone: started at least `$1` seconds ago (the hold is sent right after the fetch, so a
 * younger job may not hold its lock yet), and no session of this database holds the job's lock. Two uuids may share a
 * key's 32 bits: such a job then looks held while the other's process lives, and pg-boss's heartbeat stays its net.
 * By queue name, so that pg-boss's index of live jobs (`job_i14`: name, state) finds them without reading the
 * completed jobs it keeps.
 */
const ORPHANS = `SELECT j.name, j.id::text AS id FROM pgboss.job j
  WHERE j.name = ANY($2::text[]) AND j.state = 'active' AND j.started_on < now() - $1 * interval '1 second'
    AND NOT EXISTS (
      SELECT 1 FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid::bigint = ${NAMESPACE} AND l.objid::bigint = ${JOB_LOW_SQL('j.id')}
    )`;

/** What {@link startJobHolds} needs. */
export interface JobHoldsOptions {
  /** The app's pool: its connection settings open the holds' own session (not one of the pool's connections). */
  pool: pg.Pool;
  boss: PgBoss;
  /** The queues whose active jobs are this app's (every worker holds its job). */
  queues: readonly string[];
  log: Logger;
  /** How often the sweeping process looks for orphans, ms. Default 2,000. */
  sweepIntervalMs?: number;
  /** How old an active job must be before it can be an orphan, seconds. Default 5. */
  graceSeconds?: number;
}

/** This process's holds on the jobs it runs. */
export interface JobHolds {
  /** This process runs `jobId` now: its lock is taken (sent at once, not awaited). */
  hold(jobId: string): void;
  /** The job's handler returned: its lock is let go a second later, once pg-boss has completed or failed it. */
  release(jobId: string): void;
  /** Stops sweeping and closes the session (which lets every lock go). */
  stop(): Promise<void>;
}

/**
 * Tells the other processes which jobs this one still runs, so that the job of a process that died is retried within
 * seconds. pg-boss learns it only when the job's heartbeat goes stale: 30 s plus its 10 s monitor pass, during which
 * the job holds its shop's stately slot, so none of that shop's changes show (pg-processes bench: the queue drained
 * 9-19 s after the last delivery when a SIGKILL had left such a job).
 *
 * Each process keeps one PostgreSQL session of its own and holds, in it, a session-level advisory lock per job it
 * runs. PostgreSQL lets a session's locks go as soon as the session ends, which for a killed process is when the
 * kernel closes its socket. One process at a time (the one holding the sweeper lock) looks every
 * `sweepIntervalMs` for active jobs older than `graceSeconds` whose lock nobody holds, and fails them through pg-boss,
 * which retries them at once. A lower heartbeat could not do this: a live process whose heartbeat is delayed by a
 * saturated pool (answers were delayed 17-38 s in the pg-shops bench) would lose jobs it is still running. A live
 * process's locks do not depend on its pool: they are taken once, on their own session.
 *
 * A job wrongly retried (a process whose session broke while it ran on, or a job of a process of an older version
 * during a rolling deploy) runs twice, which every job is written to survive (a retry after a heartbeat can do the
 * same). PostgreSQL only: on PGlite one process owns the data, and its start fails the orphans (jobs.ts).
 */
export function startJobHolds(options: JobHoldsOptions): JobHolds {
  const { boss, log } = options;
  const sweepIntervalMs = options.sweepIntervalMs ?? 2000;
  const graceSeconds = options.graceSeconds ?? 5;
  // Lock keys this process holds, with how many of its jobs share each (a session's advisory locks stack).
  const held = new Map<string, number>();
  let session: pg.Client | null = null;
  let sweeper = false;
  let stopped = false;

  // What the current session holds of `held`: a session that broke held nothing any more.
  let locked = new Map<string, number>();
  // The session's statements, one after the other (pg does not take a statement while one runs).
  let tail: Promise<unknown> = Promise.resolve();
  /** Makes the session hold `key` as many times as this process's jobs do. */
  const sync = async (client: pg.Client, key: string): Promise<void> => {
    const want = held.get(key) ?? 0;
    let have = locked.get(key) ?? 0;
    for (; have > want; have--) await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    while (have < want) {
      const got = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS got', [key]);
      // Another process's job shares the key's 32 bits: the key is held while that process lives.
      if (got.rows[0]?.got !== true) break;
      have++;
    }
    if (have === 0) locked.delete(key);
    else locked.set(key, have);
  };
  /** Opens the session (again, after it broke) and takes this process's locks in it. */
  const open = async (): Promise<pg.Client> => {
    const opened = new pg.Client(options.pool.options);
    opened.on('error', (error) => {
      // The server ended the session (restart, network): its locks are gone. The next statement opens another and
      // takes this process's locks again, and the sweeper lock is contended for anew.
      log.warn('job holds session lost', { message: error.message });
      if (session === opened) session = null;
      sweeper = false;
    });
    await opened.connect();
    locked = new Map();
    for (const key of held.keys()) await sync(opened, key);
    session = opened;
    return opened;
  };
  /** Runs `work` on the holds' session, after what was sent before it; null once stopped. */
  const enqueue = <T>(work: (client: pg.Client) => Promise<T>): Promise<T | null> => {
    const run = tail.then(async () => {
      if (stopped) return null;
      const client = session ?? (await open());
      try {
        return await work(client);
      } catch {
        // These statements fail only when the session does, which its client may not have noticed yet (the server
        // ended it a moment ago): drop it and go again once on a new session, which takes every lock held first.
        if (session === client) {
          session = null;
          sweeper = false;
          void client.end().catch(() => undefined);
        }
        return work(session ?? (await open()));
      }
    });
    tail = run.catch(() => undefined);
    return run;
  };

  const sweep = async (): Promise<void> => {
    if (!sweeper) {
      const got = await enqueue((client) => client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS got', [SWEEPER_KEY]));
      sweeper = got?.rows[0]?.got === true;
      if (!sweeper) return;
    }
    const orphans = await enqueue((client) => client.query<{ name: string; id: string }>(ORPHANS, [graceSeconds, options.queues]));
    const byQueue = new Map<string, string[]>();
    for (const row of orphans?.rows ?? []) byQueue.set(row.name, [...(byQueue.get(row.name) ?? []), row.id]);
    for (const [queue, ids] of byQueue) {
      await boss.fail(queue, ids, { reason: 'the app process running it is gone (its database session ended)' });
      log.warn('retrying jobs of a process that is gone', { queue, jobs: ids.length });
    }
  };
  let sweeping: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (sweeping !== null || stopped) return;
    sweeping = sweep()
      .catch((error: unknown) => log.warn('job holds sweep failed', { message: (error as Error).message }))
      .finally(() => (sweeping = null));
  }, sweepIntervalMs);
  timer.unref();

  return {
    hold(jobId) {
      const key = jobLockKey(jobId);
      held.set(key, (held.get(key) ?? 0) + 1);
      void enqueue((client) => sync(client, key)).catch(() => undefined);
    },
    release(jobId) {
      const key = jobLockKey(jobId);
      const later = setTimeout(() => {
        const count = held.get(key) ?? 0;
        if (count <= 1) held.delete(key);
        else held.set(key, count - 1);
        void enqueue((client) => sync(client, key)).catch(() => undefined);
      }, 1000);
      later.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await sweeping;
      await tail;
      const closing = session;
      session = null;
      await closing?.end().catch(() => undefined);
    },
  };
}

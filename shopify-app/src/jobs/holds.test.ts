import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPostgresDatabase } from '../db/test-database.ts';
import { silentLogger } from '../log.ts';
import { jobLockKey, startJobHolds, type JobHolds } from './holds.ts';

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];

// The end-to-end case (a killed process's job retried within seconds, a live one's left alone) is in
// killed-worker.test.ts; this one checks the locks themselves, which only a PostgreSQL server has.
describe.runIf(serverUrl)('job holds (PostgreSQL advisory locks, one session a process)', () => {
  let pool: pg.Pool;
  let drop: () => Promise<void>;
  let holds: JobHolds | undefined;
  beforeAll(async () => {
    const created = await createTestPostgresDatabase(serverUrl!);
    drop = created.drop;
    pool = new pg.Pool({ connectionString: created.url, max: 2 });
  });
  afterAll(async () => {
    await holds?.stop();
    await pool.end();
    await drop();
  });

  /** The sessions holding each key, read from another connection as the sweeper reads them. */
  const holders = async (jobIds: string[]): Promise<Record<string, number[]>> => {
    const { rows } = await pool.query<{ key: string; pid: number }>(
      `SELECT ((l.classid::bigint << 32) | l.objid::bigint)::text AS key, l.pid FROM pg_locks l
       WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return Object.fromEntries(jobIds.map((id) => [id, rows.filter((r) => r.key === jobLockKey(id)).map((r) => r.pid)]));
  };
  const until = async (check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('holds a lock per running job in a session of its own, takes them again after that session ends, and lets one go after its job', async () => {
    // No sweep in this test: the stub would be called only by one.
    holds = startJobHolds({ pool, boss: {} as PgBoss, queues: [], log: silentLogger, sweepIntervalMs: 3_600_000 });
    const a = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
    const b = '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b';
    holds.hold(a);
    await until(async () => (await holders([a]))[a]!.length === 1);
    const session = (await holders([a]))[a]![0]!;

    // The server ends the session (a restart, a dropped connection): its locks go with it. The next hold opens another
    // session and takes every lock of the jobs still running, not only its own.
    await pool.query('SELECT pg_terminate_backend($1)', [session]);
    await until(async () => (await holders([a]))[a]!.length === 0);
    holds.hold(b);
    await until(async () => {
      const now = await holders([a, b]);
      return now[a]!.length === 1 && now[b]!.length === 1;
    });
    const now = await holders([a, b]);
    expect(now[a]![0]).not.toBe(session);
    expect(now[b]).toEqual(now[a]);

    // A job's lock goes a second after its handler returns (pg-boss completes it meanwhile); the others stay.
    holds.release(a);
    await until(async () => (await holders([a]))[a]!.length === 0);
    expect((await holders([b]))[b]).toHaveLength(1);

    // Stopping closes the session, which lets every lock go.
    await holds.stop();
    holds = undefined;
    expect((await holders([b]))[b]).toHaveLength(0);
  });
});

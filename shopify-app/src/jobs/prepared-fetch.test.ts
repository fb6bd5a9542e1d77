import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../db/connect.ts';
import { silentLogger } from '../log.ts';
import { QUEUES, startJobs, type Jobs, type QueueName } from './jobs.ts';
import type { JobHandler } from './workers.ts';

// PGlite: one connection, so the session that polls is the one this test reads pg_prepared_statements on (on
// PostgreSQL each pooled connection holds its own).
describe("the job system's polls", () => {
  let database: Database | undefined;
  let jobs: Jobs | undefined;
  afterEach(async () => {
    await jobs?.stop();
    await database?.close();
  });

  it('are prepared statements, the fetch of a queue polled without parameters too (pg-boss names it inline)', async () => {
    database = await createDatabase({ dataDir: 'memory://' });
    const handlers = {} as Record<QueueName, JobHandler>;
    for (const queue of Object.values(QUEUES)) handlers[queue] = async () => undefined;
    jobs = await startJobs({ pool: database.pool, kind: database.kind, log: silentLogger, handlers, pollingIntervalSeconds: 0.5 });
    const fetches = async (): Promise<string[]> => {
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE name LIKE ${'clvlens_%'}`.execute(database!.db);
      return rows.map((r) => r.statement).filter((s) => /WITH\s+next AS/.test(s));
    };
    // A statement is named from its third use: three polls of every queue, 0.5 s apart, then some slack.
    const end = performance.now() + 15_000;
    while (!(await fetches()).some((s) => s.includes(`j.name = '${QUEUES.shopMetrics}'`)) && performance.now() < end)
      await new Promise((r) => setTimeout(r, 200));
    const statements = await fetches();
    // The shop-metrics worker fetches with no parameter (no priority bounds); the recompute worker's fetch has some.
    expect(statements.some((s) => s.includes(`j.name = '${QUEUES.shopMetrics}'`) && !/\$\d/.test(s))).toBe(true);
    expect(statements.some((s) => s.includes(`j.name = '${QUEUES.recompute}'`) && /\$\d/.test(s))).toBe(true);
  });
});

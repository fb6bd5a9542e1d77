import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../db/connect.ts';
import { createTestPostgresDatabase } from '../db/test-database.ts';
import { QUEUES, startJobs, type Jobs, type QueueName } from '../jobs/jobs.ts';
import type { JobHandler } from '../jobs/workers.ts';
import { silentLogger } from '../log.ts';
import { createAppMetrics, QUEUE_GAUGES } from './metrics.ts';

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];

// The scrape's cost with the completed jobs pg-boss keeps for days: a query plan, which only a PostgreSQL server has
// worth reading (ops.test.ts checks the gauges themselves on the default database).
describe.runIf(serverUrl)('the queue gauges on PostgreSQL', () => {
  let database: Database;
  let jobs: Jobs;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await createTestPostgresDatabase(serverUrl!);
    drop = created.drop;
    database = await createDatabase({ databaseUrl: created.url });
    const handlers = {} as Record<QueueName, JobHandler>;
    for (const queue of Object.values(QUEUES)) handlers[queue] = async () => undefined;
    jobs = await startJobs({ pool: database.pool, kind: database.kind, log: silentLogger, handlers, work: false });
  });
  afterAll(async () => {
    await jobs.stop();
    await database.close();
    await drop();
  });

  it('read the live jobs through an index, not the completed ones, and count what waits', async () => {
    await database.pool.query(
      `INSERT INTO pgboss.job (name, id, state, data, singleton_key, created_on, started_on, completed_on)
       SELECT $1, gen_random_uuid(), 'completed', '{}'::jsonb, 'shop-' || g, now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
         FROM generate_series(1, 50000) g`,
      [QUEUES.recompute],
    );
    for (const shop of ['a', 'b', 'c']) await jobs.send(QUEUES.recompute, { shop: `${shop}.myshopify.com` });
    await database.pool.query('ANALYZE pgboss.job');

    const plan = (await database.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${QUEUE_GAUGES}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).not.toMatch(/Seq Scan on job/);
    expect(plan).toMatch(/Index (Only )?Scan using \S*i14 on job/);

    const text = await createAppMetrics(database.pool).registry.metrics();
    expect(text).toMatch(/^clvlens_job_queue_depth\{queue="recompute"\} 3$/m);
    expect(text).toMatch(/^clvlens_job_active\{queue="recompute"\} 0$/m);
    expect(text).toMatch(/^clvlens_job_queue_depth\{queue="backfill"\} 0$/m);
  });
});

import type { Database } from '../db/connect.ts';
import { QUEUES, startJobs, type Jobs, type QueueName, type ShopJob } from '../jobs/jobs.ts';
import { silentLogger } from '../log.ts';

/**
 * The job system on `database` without workers: a test sends jobs through the app's `send` and takes them itself
 * (`jobs.boss.fetch`), in the order a worker of any process would get them.
 */
export function startSendOnlyJobs(database: Database): Promise<Jobs> {
  const handlers = {} as Record<QueueName, (job: ShopJob) => Promise<void>>;
  for (const queue of Object.values(QUEUES)) handlers[queue] = async () => undefined;
  return startJobs({ pool: database.pool, kind: database.kind, log: silentLogger, handlers, work: false });
}

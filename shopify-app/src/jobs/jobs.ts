import { PgBoss } from 'pg-boss';
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { PREPARED } from '../db/named-statements.ts';
import { JOB_PRIORITY, QUEUES, type QueueName, type ShopJob } from './queues.ts';
import { startJobHolds } from './holds.ts';
import { startWorkers, type JobHandler } from './workers.ts';

export { JOB_PRIORITY, QUEUES, type QueueName, type ShopJob } from './queues.ts';
export type { JobHandler } from './workers.ts';

/**
 * The priority raise of a shop's waiting job (see {@link Jobs.send}) as one statement on pg-boss's job table.
 * pg-boss's own `update` rewrites every column of the job from a JSON document and cost about 2 ms a call, 13 s of
 * PostgreSQL's time in the pg-shops bench; this touches only a waiting job whose priority is lower. The table and its
 * columns are pg-boss 12's (`schema` below is set explicitly; priority.test.ts checks the raise end to end).
 */
const RAISE_PRIORITY = `${PREPARED}UPDATE pgboss.job SET priority = $3
  WHERE name = $1 AND singleton_key = $2 AND state < 'active' AND priority < $3`;

/** How long a stop lets running jobs finish before it hands them back to the queue (pg-boss's graceful stop), ms. */
const STOP_GRACE_MS = 10_000;
/** How long a stop then waits for the handlers of jobs handed back to return (they stop at a checkpoint), ms. */
const HANDED_BACK_GRACE_MS = 5_000;

/** Options of {@link startJobs}. */
export interface JobsOptions {
  pool: pg.Pool;
  kind: 'pglite' | 'postgres';
  log: Logger;
  handlers: Record<QueueName, JobHandler>;
  /** Worker polling interval, seconds (>= 0.5). Default 0.5. */
  pollingIntervalSeconds?: number;
  /** Cron of the reconciliation sweep. Default every 5 minutes. */
  reconcileCron?: string;
  /**
   * Cron of the refit check: shops whose models are from an earlier local day get a full run (refit + rescore).
   * Hourly by default, because shops' days start at different UTC hours.
   */
  refitCron?: string;
  /** Run workers in this process (false: only send). Default true. */
  work?: boolean;
}

/** Options of {@link Jobs.send}. */
export interface SendOptions {
  /** Not before this many seconds from now. */
  startAfterSeconds?: number;
  /** pg-boss priority ({@link JOB_PRIORITY}); higher is handed out first. */
  priority?: number;
  /**
   * At most one job of the shop in this queue per slot of this many whole seconds, across every process (pg-boss's
   * debounce: `singletonSeconds` with `singletonNextSlot`). A send in a slot that already had a job (waiting, running
   * or done) is scheduled for the start of the next slot, and dropped when that one has a job too, which then carries
   * its work. The slots are PostgreSQL's clock seconds (`pgboss.job_now()`), not the sender's.
   */
  spacingSeconds?: number;
}

/** The running job system. */
export interface Jobs {
  /**
   * Queues a job (dropped when the shop already has one waiting in that queue; a `changes` priority then raises the
   * waiting job's).
   */
  send(queue: QueueName, job: ShopJob, options?: SendOptions): Promise<void>;
  /** True from start until {@link stop} is called. */
  running(): boolean;
  stop(): Promise<void>;
  boss: PgBoss;
}

/**
 * Starts pg-boss on the app's own pool: on PGlite through the single adapter connection (storage.md §7.2), on
 * PostgreSQL shared by every app process, which is what lets several processes split the work. Per-shop queues use
 * the `stately` policy keyed by shop: at most one active and one queued job per shop, so a burst of webhooks causes
 * one recompute, never two concurrent ones for the same shop.
 */
export async function startJobs(options: JobsOptions): Promise<Jobs> {
  const { pool, log } = options;
  const boss = new PgBoss({
    // Named, not left to the default: RAISE_PRIORITY writes to this schema's job table.
    schema: 'pgboss',
    ...(options.kind === 'pglite' ? { backend: 'pglite' as const } : {}),
    // pg-boss fails a job whose heartbeat is stale only in its monitor pass, every 60 s by default: a job held by a
    // killed process then waited up to ~105 s (heartbeat 30 s + refresh slack + 60 s). Every 10 s bounds it under a
    // minute. PostgreSQL only: on PGlite one process owns the data, and start-up fails its orphans at once (below).
    ...(options.kind === 'postgres' ? { superviseIntervalSeconds: 10, monitorIntervalSeconds: 10 } : {}),
    db: {
      async executeSql(text: string, values?: unknown[]) {
        // pg-boss's statements are the same few, keyed by queue and job id: prepared (db/named-statements.ts), those
        // without parameters too when they are one statement (its fetch of a queue names the queue inline).
        const result = (await pool.query(`${PREPARED}${text}`, values as unknown[])) as unknown as pg.QueryResult | pg.QueryResult[];
        return Array.isArray(result) ? { rows: result.flatMap((r) => r.rows ?? []) } : { rows: result.rows };
      },
    },
  } as ConstructorParameters<typeof PgBoss>[0]);
  boss.on('error', (error) => log.error('job system error', { message: error.message }));
  let stopping = false;
  await boss.start();
  const perShop = { policy: 'stately' as const, retryLimit: 5, retryDelay: 2, retryBackoff: true };
  await boss.createQueue(QUEUES.backfill, { ...perShop, heartbeatSeconds: 30, expireInSeconds: 6 * 3600 });
  // A job left active by a process that died (kill -9, OOM) would hold its shop's stately slot until it expires, an
  // hour: with a heartbeat, pg-boss fails it (and retries) once no worker has touched it for 30 s, at its next monitor
  // pass (see superviseIntervalSeconds above). On PostgreSQL the job holds (holds.ts) retry it within seconds; the
  // heartbeat is their net (killed-worker.test.ts measures it end to end). updateQueue
  // brings queues created by an older version along.
  for (const name of [QUEUES.recompute, QUEUES.shopMetrics, QUEUES.reconcile, QUEUES.flowTriggers, QUEUES.metafields]) {
    await boss.createQueue(name, { ...perShop, expireInSeconds: 3600, heartbeatSeconds: 30 });
    await boss.updateQueue(name, { heartbeatSeconds: 30 });
  }
  // A split run's fit step holds a large shop's orders for a minute or more: stately like the recompute, so one per
  // shop, with a heartbeat so a killed process's fit is retried.
  await boss.createQueue(QUEUES.fullRun, { ...perShop, expireInSeconds: 3600, heartbeatSeconds: 30 });
  // Bucket jobs are many per shop at once (standard policy, keyed by run and bucket). Their own queue, worked one at a
  // time per process, is the fairness rule: they never sit in front of a small shop's recompute, and each process
  // keeps its recompute worker free for other shops while it scores a bucket.
  await boss.createQueue(QUEUES.fullRunBucket, { retryLimit: 5, retryDelay: 2, retryBackoff: true, expireInSeconds: 3600, heartbeatSeconds: 30 });
  await boss.createQueue(QUEUES.reconcileAll, { policy: 'singleton' });
  await boss.createQueue(QUEUES.refitAll, { policy: 'singleton' });
  await boss.createQueue(QUEUES.refreshTokens, { policy: 'singleton' });
  await boss.createQueue(QUEUES.prune, { policy: 'singleton' });
  await boss.schedule(QUEUES.reconcileAll, options.reconcileCron ?? '*/5 * * * *');
  await boss.schedule(QUEUES.refitAll, options.refitCron ?? '2 * * * *');
  await boss.schedule(QUEUES.refreshTokens, '*/10 * * * *');
  await boss.schedule(QUEUES.prune, '17 3 * * *');
  if (options.kind === 'pglite') {
    // One process owns a PGlite directory (the lock), so a job still "active" at start belongs to a process that
    // died (kill -9, crash). Failing it now lets pg-boss retry it at once instead of after its heartbeat expires.
    for (const name of Object.values(QUEUES)) {
      const orphans = (await boss.findJobs(name, { limit: 1000 })).filter((job) => job.state === 'active');
      if (orphans.length > 0) {
        await boss.fail(
          name,
          orphans.map((job) => job.id),
          { reason: 'the app process died while running it' },
        );
        log.warn('retrying jobs of a process that died', { queue: name, jobs: orphans.length });
      }
    }
  }
  // PostgreSQL: a job of a process that died is retried within seconds, not once its heartbeat expires (holds.ts).
  const holds = options.kind === 'postgres' && options.work !== false ? startJobHolds({ pool, boss, log, queues: Object.values(QUEUES) }) : undefined;
  const workers = options.work === false ? null : await startWorkers(boss, { ...options, holds });
  return {
    boss,
    async send(queue, job, sendOptions = {}) {
      const startAfter = sendOptions.startAfterSeconds;
      const key = job.bucket === undefined ? job.shop : `${job.shop}/${job.run ?? ''}/${job.bucket}`;
      const priority = sendOptions.priority;
      const spacing = sendOptions.spacingSeconds;
      const sent = await boss.send(queue, job, {
        singletonKey: key,
        ...(startAfter !== undefined && startAfter > 0 ? { startAfter } : {}),
        ...(priority !== undefined ? { priority } : {}),
        ...(spacing !== undefined && spacing > 0 ? { singletonSeconds: spacing, singletonNextSlot: true } : {}),
      });
      // Dropped because the shop already has a job waiting (stately): that job now carries this one's work. A
      // whole-shop run that now carries a change is raised to `wholeShopWithChanges`: left at the lowest priority,
      // under a steady stream of other shops' changes it was never handed out (pg-shops bench, 1,000 shops: probes of
      // shops whose first run was queued waited over 2 minutes); raised to `changes`, hundreds of them held the
      // changes workers from live shops' changes. A waiting change keeps its priority (the raise only ever raises).
      if (sent === null && priority !== undefined && priority > JOB_PRIORITY.wholeShop) {
        await pool.query(RAISE_PRIORITY, [queue, key, Math.min(priority, JOB_PRIORITY.wholeShopWithChanges)]);
      }
      // Only one worker of that queue: waking all of them made each webhook batch cost a job fetch per worker, which
      // was most of PostgreSQL's CPU with three processes taking webhooks (pg-processes bench).
      if (startAfter === undefined || startAfter <= 0) workers?.wake(queue, priority ?? 0);
    },
    running: () => !stopping,
    async stop() {
      stopping = true;
      await boss.stop({ graceful: true, wait: true, timeout: STOP_GRACE_MS } as Parameters<PgBoss['stop']>[0]);
      // pg-boss has now failed (for a retry) the jobs still running and aborted their signals; their handlers stop at
      // their next checkpoint. Waiting for them keeps the database open until they have: closed under a handler, it
      // failed with "driver has already been destroyed".
      const left = (await workers?.settled(HANDED_BACK_GRACE_MS)) ?? 0;
      if (left > 0) log.warn('jobs still running when the database closes', { jobs: left });
      await holds?.stop();
    },
  };
}

import { PgBoss } from 'pg-boss';
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { PREPARED } from '../db/named-statements.ts';

/** Queue names of the app's background work. */
export const QUEUES = {
  backfill: 'backfill',
  recompute: 'recompute',
  shopMetrics: 'shop-metrics',
  reconcile: 'reconcile',
  reconcileAll: 'reconcile-all',
  refitAll: 'refit-all',
  refreshTokens: 'refresh-tokens',
  /** Writes changed predictions to the customers' metafields in Shopify (after each recompute). */
  metafields: 'metafield-sync',
  /** Daily housekeeping: old webhook delivery ids, expired pairing codes. */
  prune: 'prune',
  /** Sends the shop's pending churn-tier changes to Shopify Flow (actions/flow/). */
  flowTriggers: 'flow-triggers',
  /** The fit step of a large shop's split full run (compute/split-run.ts): one per shop at a time. */
  fullRun: 'full-run',
  /** One customer bucket of a split full run: many per shop, taken by any process, one at a time per process. */
  fullRunBucket: 'full-run-bucket',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * Job priorities (pg-boss fetches the highest first, then the oldest). A recompute asked for by changed orders (a
 * webhook, the dashboard, reconciliation) is what a merchant waits to see, and takes a fraction of a second; a
 * recompute that is a whole-shop run (the first one after a backfill, the daily refit) takes seconds and nobody waits
 * on it. With one recompute queue handed out oldest first, hundreds of shops installing at once queued their first
 * runs ahead of live shops' changes, which then showed after a minute or more (pg-shops bench, 250 shops).
 */
export const JOB_PRIORITY = { changes: 1, wholeShop: 0 } as const;

/**
 * How often each process's worker of a queue asks PostgreSQL for a job when it has none, seconds. A job is run at once
 * by the worker of the process that sent it (`notifyWorker` in {@link Jobs.send}); polling is how the other processes
 * find work. A pg-boss worker also waits out the rest of its interval after a job shorter than it, so the interval
 * caps a busy queue at one short job per interval per process: the per-shop queues keep `base` (at 2 s, 1,000 small
 * shops took 25% longer to go live in the pg-shops bench, their backfills waiting between jobs). The cron sweeps,
 * which start at most every few minutes, poll every 10 s: four of the ten queues no longer ask twice a second in
 * every process (an idle fetch costs PostgreSQL about 0.8 ms).
 */
export function pollingFor(queue: QueueName, base: number): number {
  switch (queue) {
    case QUEUES.reconcileAll:
    case QUEUES.refitAll:
    case QUEUES.refreshTokens:
    case QUEUES.prune:
      return Math.max(base, 10);
    default:
      return base;
  }
}

/** A job's payload: every per-shop job names its shop. */
export interface ShopJob {
  shop: string;
  /** Recompute everything of the shop, not only the queued customers. */
  full?: boolean;
  /** `full-run`: why the full run is due (a `FullRunReason`). */
  reason?: string;
  /** `full-run-bucket`: the split run and its bucket. */
  run?: string;
  bucket?: number;
}

/** Options of {@link startJobs}. */
export interface JobsOptions {
  pool: pg.Pool;
  kind: 'pglite' | 'postgres';
  log: Logger;
  handlers: Record<QueueName, (job: ShopJob) => Promise<void>>;
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

/** The running job system. */
export interface Jobs {
  /**
   * Queues a job (dropped when the shop already has one waiting in that queue; a `changes` priority then raises the
   * waiting job's).
   */
  send(queue: QueueName, job: ShopJob, options?: { startAfterSeconds?: number; priority?: number }): Promise<void>;
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
    ...(options.kind === 'pglite' ? { backend: 'pglite' as const } : {}),
    // pg-boss fails a job whose heartbeat is stale only in its monitor pass, every 60 s by default: a job held by a
    // killed process then waited up to ~105 s (heartbeat 30 s + refresh slack + 60 s). Every 10 s bounds it under a
    // minute. PostgreSQL only: on PGlite one process owns the data, and start-up fails its orphans at once (below).
    ...(options.kind === 'postgres' ? { superviseIntervalSeconds: 10, monitorIntervalSeconds: 10 } : {}),
    db: {
      async executeSql(text: string, values?: unknown[]) {
        // pg-boss's statements are the same few, keyed by queue and job id: prepared (db/named-statements.ts).
        const statement = values !== undefined && values.length > 0 ? `${PREPARED}${text}` : text;
        const result = (await pool.query(statement, values as unknown[])) as unknown as pg.QueryResult | pg.QueryResult[];
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
  // pass (see superviseIntervalSeconds above; killed-worker.test.ts measures it end to end). updateQueue
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
  const workerIds = new Map<QueueName, string>();
  if (options.work !== false) {
    const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 0.5;
    for (const name of Object.values(QUEUES)) {
      const handler = options.handlers[name];
      const id = await boss.work<ShopJob>(name, { pollingIntervalSeconds: pollingFor(name, pollingIntervalSeconds), batchSize: 1 }, async (jobs) => {
        for (const job of jobs) {
          try {
            await handler(job.data ?? { shop: '' });
          } catch (error) {
            log.error('job failed', { queue: name, shop: job.data?.shop, message: (error as Error).message });
            throw error;
          }
        }
      });
      workerIds.set(name, id);
    }
  }
  return {
    boss,
    async send(queue, job, sendOptions = {}) {
      const startAfter = sendOptions.startAfterSeconds;
      const key = job.bucket === undefined ? job.shop : `${job.shop}/${job.run ?? ''}/${job.bucket}`;
      const priority = sendOptions.priority;
      const sent = await boss.send(queue, job, {
        singletonKey: key,
        ...(startAfter !== undefined && startAfter > 0 ? { startAfter } : {}),
        ...(priority !== undefined ? { priority } : {}),
      });
      // Dropped because the shop already has a job waiting (stately): that job now carries this one's work, so it
      // takes this priority if higher. Otherwise a change would wait behind a whole-shop run still queued at the
      // lower priority, which under a steady stream of other shops' changes is never handed out (pg-shops bench,
      // 1,000 shops: probes of shops whose first run was queued waited over 2 minutes). `changes` is the highest
      // priority, so this only ever raises one.
      if (sent === null && priority !== undefined && priority > JOB_PRIORITY.wholeShop) {
        await boss.update(queue, undefined, { singletonKey: key, priority });
      }
      // Only the worker of that queue: waking all ten made each webhook batch cost ten job fetches, which was most of
      // PostgreSQL's CPU with three processes taking webhooks (pg-processes bench).
      const id = workerIds.get(queue);
      if (id !== undefined) boss.notifyWorker(id);
    },
    running: () => !stopping,
    async stop() {
      stopping = true;
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 } as Parameters<PgBoss['stop']>[0]);
    },
  };
}

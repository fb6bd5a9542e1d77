import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';

/**
 * The app's Prometheus metrics (issue 17: operable in production), in a registry of their own so that two apps in one
 * process (tests, the demo) never share counters. Queue depth, queue lag and backfill progress are read from the
 * database at scrape time, so every process behind a load balancer reports the same shared truth for them.
 */
export interface AppMetrics {
  registry: Registry;
  /** A webhook delivery answered: its topic (only when the HMAC was valid; else `invalid`) and its result. */
  webhook(topic: string, result: string): void;
  /**
   * A recompute job finished: `full` or `incremental` (or `split` when it queued a split run), a split run's fit step
   * (`split-fit`) or one of its buckets (`split-bucket`), and how long it took.
   */
  recompute(mode: string, seconds: number): void;
}

/** Results a webhook answer can have: labels are bounded, never taken from the request. */
const WEBHOOK_RESULTS = new Set(['processed', 'duplicate', 'ignored-topic', 'ignored-shop', 'quarantined', 'unauthorized', 'bad-request', 'error']);

/**
 * The queue gauges' query: waiting jobs, running jobs and the age in seconds of the oldest waiting job, per queue of
 * `pgboss.queue` (so a queue with nothing waiting reads 0 rather than vanishing from the scrape). It reads only the
 * live jobs, queue by queue, through pg-boss's index of live jobs (`job_i14`: name, state). pg-boss keeps completed
 * jobs for days: grouping the whole table by name read all of them on every scrape (314 ms with 1,000,000 completed
 * jobs on PostgreSQL 15, against 0.1 ms; EXPLAIN ANALYZE, 2026-12-07). Exported for its plan test.
 */
export const QUEUE_GAUGES = `SELECT q.name, j.waiting, j.active, j.lag
  FROM pgboss.queue q
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now()) AS waiting,
           count(*) FILTER (WHERE state = 'active') AS active,
           extract(epoch FROM now() - min(created_on) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now())) AS lag
      FROM pgboss.job
     WHERE name = q.name AND state IN ('created', 'retry', 'active')
  ) j`;

/**
 * Builds the metrics. `pool` is read on each scrape: pg-boss's `pgboss.job` table for each queue's waiting jobs and
 * the age of the oldest (the lag), and `sync_state` for backfills in progress.
 */
export function createAppMetrics(pool: pg.Pool): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'clvlens_' });
  const webhooks = new Counter({
    name: 'clvlens_webhooks_received_total',
    help: 'Webhook deliveries answered, by topic (invalid when the HMAC failed) and result.',
    labelNames: ['topic', 'result'],
    registers: [registry],
  });
  const recomputes = new Histogram({
    name: 'clvlens_recompute_duration_seconds',
    help: 'Duration of recompute jobs (incremental: the customers a change touched; full: refit and rescore the shop).',
    labelNames: ['mode'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  // Every database gauge reads through one shared collect per scrape (prom-client asks each metric concurrently).
  const fromDatabase = { registers: [registry], collect: () => collect() };
  const queueDepth = new Gauge({ name: 'clvlens_job_queue_depth', help: 'Jobs waiting (created or retry) per queue.', labelNames: ['queue'], ...fromDatabase });
  const queueLag = new Gauge({
    name: 'clvlens_job_queue_lag_seconds',
    help: 'Age of the oldest job waiting to start per queue (0 when none).',
    labelNames: ['queue'],
    ...fromDatabase,
  });
  const running = new Gauge({
    name: 'clvlens_job_active',
    help: 'Jobs running now per queue, across every app process.',
    labelNames: ['queue'],
    ...fromDatabase,
  });
  const backfills = new Gauge({ name: 'clvlens_backfills_running', help: 'Shops whose first sync (bulk backfill) is in progress.', ...fromDatabase });
  const backfillDone = new Gauge({ name: 'clvlens_backfill_orders_done', help: 'Orders stored so far by the backfills in progress.', ...fromDatabase });
  const backfillEstimated = new Gauge({
    name: 'clvlens_backfill_orders_estimated',
    help: "Orders expected in total by the backfills in progress (from the shops' order counts).",
    ...fromDatabase,
  });

  // One collect fills all the database gauges, so a scrape costs two small queries.
  let collecting: Promise<void> | null = null;
  function collect(): Promise<void> {
    collecting ??= (async () => {
      try {
        const queues = await pool.query<{ name: string; waiting: string; active: string; lag: string | null }>(QUEUE_GAUGES);
        queueDepth.reset();
        queueLag.reset();
        running.reset();
        for (const row of queues.rows) {
          queueDepth.set({ queue: row.name }, Number(row.waiting));
          running.set({ queue: row.name }, Number(row.active));
          queueLag.set({ queue: row.name }, row.lag === null ? 0 : Math.max(0, Number(row.lag)));
        }
        const sync = await pool.query<{ n: string; done: string | null; estimated: string | null }>(
          `SELECT count(*) AS n, sum(orders_done) AS done, sum(orders_estimated) AS estimated FROM sync_state WHERE state = 'backfilling'`,
        );
        backfills.set(Number(sync.rows[0]?.n ?? 0));
        backfillDone.set(Number(sync.rows[0]?.done ?? 0));
        backfillEstimated.set(Number(sync.rows[0]?.estimated ?? 0));
      } finally {
        collecting = null;
      }
    })();
    return collecting;
  }

  return {
    registry,
    webhook(topic, result) {
      webhooks.inc({ topic, result: WEBHOOK_RESULTS.has(result) ? result : 'error' });
    },
    recompute(mode, seconds) {
      recomputes.observe({ mode }, seconds);
    },
  };
}

import type { PgBoss } from 'pg-boss';
import type { Logger } from '../log.ts';
import type { JobHolds } from './holds.ts';
import { JOB_PRIORITY, QUEUES, type QueueName, type ShopJob } from './queues.ts';

/**
 * How often each process's first worker of a queue asks PostgreSQL for a job when it has none, seconds. A job is run
 * at once by an idle worker of the process that sent it (`wake` below); polling is how the other processes find work.
 * The per-shop queues keep `base`; the cron sweeps, which start at most every few minutes, poll every 10 s: four of
 * the ten queues no longer ask twice a second in every process (an idle fetch costs PostgreSQL about 0.8 ms).
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

/** One pg-boss worker of a queue in each process: the jobs it may take, and how many of it run side by side. */
export interface WorkerPlan {
  /** Takes only jobs of at least this priority (pg-boss `minPriority`); absent: any job. */
  minPriority?: number;
  /** Workers of this kind in each process, each running one job at a time. */
  count: number;
}

/**
 * The workers each process runs for `queue`. One worker running one job at a time suits most queues. Two do not:
 * - `recompute`: a whole-shop run (a shop's first after its backfill, the daily refit) takes seconds, a change a
 *   fraction of one, and each worker runs one job. With one worker a process, hundreds of shops installing kept every
 *   worker in whole-shop runs while live shops' changes waited: 400 shops' changes were ready and waiting, a change
 *   showed after 15 s at the median (pg-shops bench, 1,000 shops). Changes now have workers of their own that take
 *   nothing else (changes first, then whole-shop runs a change was folded into: `JOB_PRIORITY`), three a process on
 *   PostgreSQL, where the job spends most of its time waiting for the database.
 * - `backfill`: a backfill mostly waits for Shopify to prepare the export (seconds for a small shop, minutes for a
 *   large one), then streams it: three a process on PostgreSQL, so one large export does not hold every install.
 * - `metafield-sync`: a shop's first sync writes every customer at the pace of that shop's API limit (seconds of
 *   waiting for a few hundred customers); the limit is per shop, so three shops at once a process on PostgreSQL. With
 *   one, 1,000 shops installing left 900 shops' syncs waiting for minutes (pg-shops bench).
 * On PGlite one process owns the data through one connection, so one of each.
 */
export function workersFor(queue: QueueName, kind: 'pglite' | 'postgres'): WorkerPlan[] {
  const side = kind === 'postgres' ? 3 : 1;
  switch (queue) {
    case QUEUES.recompute:
      return [{ count: 1 }, { minPriority: JOB_PRIORITY.wholeShopWithChanges, count: side }];
    case QUEUES.backfill:
    case QUEUES.metafields:
      return [{ count: side }];
    default:
      return [{ count: 1 }];
  }
}

/** The longest a background job waits for a changes worker of its process to free up (see `yieldToChanges`), ms. */
const YIELD_MAX_MS = 5000;

/** What {@link startWorkers} needs: the handlers and how the process runs them. */
export interface WorkersOptions {
  kind: 'pglite' | 'postgres';
  log: Logger;
  handlers: Record<QueueName, JobHandler>;
  /** Worker polling interval, seconds (>= 0.5). Default 0.5. */
  pollingIntervalSeconds?: number;
  /** Told when a job starts and when its handler returns, so other processes can see it is still running (holds.ts). */
  holds?: Pick<JobHolds, 'hold' | 'release'> | undefined;
}

/**
 * Runs one job. `signal` aborts when the job is no longer this process's to finish: the process is stopping and
 * pg-boss's graceful wait is over (pg-boss has then failed the job, so it is retried, by another process if one
 * runs), or the job's claim was lost. Long handlers stop at their next checkpoint; the others may ignore it.
 */
export type JobHandler = (job: ShopJob, signal: AbortSignal) => Promise<void>;

/** This process's workers, started. */
export interface Workers {
  /** Wakes one idle worker of `queue` that takes jobs of `priority` (a job this process has just sent). */
  wake(queue: QueueName, priority: number): void;
  /**
   * Resolves when no handler of this process runs any more, or after `timeoutMs`, to the number still running. For
   * the stop: pg-boss's stop returns when it has handed the jobs still running back, not when their handlers return.
   */
  settled(timeoutMs: number): Promise<number>;
}

/** Starts this process's workers of every queue on `boss` ({@link workersFor}). */
export async function startWorkers(boss: PgBoss, options: WorkersOptions): Promise<Workers> {
  const { log } = options;
  // Every worker of every queue, with whether it is running a job now: a job sent by this process wakes one idle
  // worker that may take it, not all of them (each wake is a fetch). A worker that has just run a job looks for the
  // next one at once: pg-boss would wait out the rest of its polling interval after a job shorter than it, which
  // capped a queue at one short job per interval per worker (two a second) whatever was waiting. Jobs sent with a
  // delay wake nobody: they are not ready until the delay is over, and are found by that fetch or the polls.
  interface Slot {
    id: string;
    minPriority: number | undefined;
    busy: boolean;
  }
  const slots = new Map<QueueName, Slot[]>();
  // Handlers running now, so that the stop can wait for them before the database closes under them.
  const running = new Set<Promise<void>>();
  // Background work (every queue but the recompute) yields to the changes a merchant waits for: while every
  // changes worker of this process is busy, a background job waits, up to YIELD_MAX_MS, for one of them to free up
  // before it starts. With the load balancer spreading webhooks, a process whose changes workers are all busy is one
  // where changes are waiting; with two cores saturated by installs, a change otherwise waited behind backfills,
  // metafield syncs and shop-metric refreshes (pg-shops bench, 1,000 shops installing).
  const changesSlots: Slot[] = [];
  const changesFreed: (() => void)[] = [];
  const yieldToChanges = async (): Promise<void> => {
    const until = performance.now() + YIELD_MAX_MS;
    while (changesSlots.length > 0 && changesSlots.every((slot) => slot.busy)) {
      const left = until - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        changesFreed.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 0.5;
  for (const name of Object.values(QUEUES)) {
    const handler = options.handlers[name];
    const queueSlots: Slot[] = [];
    slots.set(name, queueSlots);
    for (const plan of workersFor(name, options.kind)) {
      for (let i = 0; i < plan.count; i++) {
        const slot: Slot = { id: '', minPriority: plan.minPriority, busy: false };
        const forChanges = name === QUEUES.recompute && plan.minPriority === JOB_PRIORITY.wholeShopWithChanges;
        if (forChanges) changesSlots.push(slot);
        slot.id = await boss.work<ShopJob>(
          name,
          {
            // The first of a kind polls at the queue's rate; the others mostly wake when this process sends a job
            // or when they finish one, so their idle fetches are spared: every 2 s.
            pollingIntervalSeconds: i === 0 ? pollingFor(name, pollingIntervalSeconds) : Math.max(2, pollingFor(name, pollingIntervalSeconds)),
            batchSize: 1,
            ...(plan.minPriority !== undefined ? { minPriority: plan.minPriority } : {}),
          },
          async (jobs) => {
            if (name !== QUEUES.recompute) await yieldToChanges();
            slot.busy = true;
            try {
              for (const job of jobs) {
                options.holds?.hold(job.id);
                const run = handler(job.data ?? { shop: '' }, job.signal);
                running.add(run);
                try {
                  await run;
                } catch (error) {
                  if (job.signal.aborted) {
                    // Handed back by the stop (or taken over): pg-boss has failed the job already, and it is retried.
                    log.info('job handed back unfinished', { queue: name, shop: job.data?.shop, message: (error as Error).message });
                  } else {
                    log.error('job failed', { queue: name, shop: job.data?.shop, message: (error as Error).message });
                  }
                  throw error;
                } finally {
                  running.delete(run);
                  options.holds?.release(job.id);
                }
              }
            } finally {
              slot.busy = false;
              if (forChanges) for (const resume of changesFreed.splice(0)) resume();
              boss.notifyWorker(slot.id);
            }
          },
        );
        queueSlots.push(slot);
      }
    }
  }
  /** Wakes an idle worker of `queue` that takes jobs of `priority`, the most particular first (a worker kept for changes before one that takes anything). */
  const wake = (queue: QueueName, priority: number): void => {
    const candidates = slots.get(queue);
    if (candidates === undefined) return;
    let best: Slot | undefined;
    for (const slot of candidates) {
      if (slot.busy || (slot.minPriority !== undefined && priority < slot.minPriority)) continue;
      if (best === undefined || (slot.minPriority ?? -Infinity) > (best.minPriority ?? -Infinity)) best = slot;
    }
    // None idle: the first to finish fetches again at once.
    if (best !== undefined) boss.notifyWorker(best.id);
  };
  const settled = async (timeoutMs: number): Promise<number> => {
    const deadline = performance.now() + timeoutMs;
    while (running.size > 0) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled(running), new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
    return running.size;
  };
  return { wake, settled };
}

import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { silentLogger, type Logger } from '../log.ts';
import { JOB_PRIORITY, QUEUES, startJobs, type Jobs, type QueueName } from './jobs.ts';
import { workersFor, type JobHandler } from './workers.ts';

/** Resolves once `check` holds, polling every 20 ms; rejects after `ms`. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A promise and the function that settles it. */
function latch(): { wait: Promise<void>; release: () => void } {
  let release!: () => void;
  const wait = new Promise<void>((resolve) => (release = resolve));
  return { wait, release };
}

describe("each process's workers", () => {
  let database: Database | undefined;
  let jobs: Jobs | undefined;
  const releases: (() => void)[] = [];
  afterEach(async () => {
    for (const release of releases.splice(0)) release();
    await jobs?.stop();
    await database?.close();
    jobs = undefined;
    database = undefined;
  });

  /** The job system with working workers; `handlers` replaces the given queues' no-op handlers. */
  async function start(handlers: Partial<Record<QueueName, JobHandler>>, pollingIntervalSeconds = 0.5, log: Logger = silentLogger): Promise<void> {
    database = await createTestDatabase();
    const all = {} as Record<QueueName, JobHandler>;
    for (const queue of Object.values(QUEUES)) all[queue] = handlers[queue] ?? (async () => undefined);
    jobs = await startJobs({ pool: database.pool, kind: database.kind, log, handlers: all, pollingIntervalSeconds });
  }

  it('at a stop, hands a job still running after the grace back for a retry, and waits for its handler before returning', async () => {
    const logged: { level: string; message: string }[] = [];
    const log: Logger = {
      info: (message) => void logged.push({ level: 'info', message }),
      warn: (message) => void logged.push({ level: 'warn', message }),
      error: (message) => void logged.push({ level: 'error', message }),
    };
    let started = false;
    let returned = false;
    await start(
      {
        // A long handler that ends only when its signal says the job is no longer its own, as a sync's next call would.
        [QUEUES.reconcile]: async (_job, signal) => {
          started = true;
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => setTimeout(resolve, 300), { once: true }));
          returned = true;
          throw new Error('stopped at a checkpoint');
        },
      },
      0.5,
      log,
    );
    await jobs!.send(QUEUES.reconcile, { shop: 'stopping.myshopify.com' });
    await until(() => started, 10_000, 'the job starts');
    const db = database!;
    await jobs!.stop();
    jobs = undefined;
    // The stop returned only after the handler did (it returns 300 ms after its signal aborts).
    expect(returned).toBe(true);
    expect(logged.filter((e) => e.level === 'error')).toEqual([]);
    expect(logged.map((e) => e.message)).toContain('job handed back unfinished');
    const { rows } = await db.pool.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = $1`, [QUEUES.reconcile]);
    expect(rows.map((r) => r.state)).toEqual(['retry']);
  }, 30_000);

  it("runs a live shop's change while another shop's whole-shop run holds the process's general recompute worker", async () => {
    const started: string[] = [];
    const slowRun = latch();
    releases.push(slowRun.release);
    await start({
      [QUEUES.recompute]: async (job) => {
        started.push(job.shop);
        if (job.full) await slowRun.wait;
      },
    });
    await jobs!.send(QUEUES.recompute, { shop: 'installing.myshopify.com', full: true }, { priority: JOB_PRIORITY.wholeShop });
    await until(() => started.includes('installing.myshopify.com'), 10_000, 'the whole-shop run starts');
    await jobs!.send(QUEUES.recompute, { shop: 'live.myshopify.com' }, { priority: JOB_PRIORITY.changes });
    // The whole-shop run is still running: only a worker kept for changes can take this one.
    await until(() => started.includes('live.myshopify.com'), 5000, 'the change starts while the whole-shop run runs');
  });

  it('takes the next ready job as soon as it finishes one, not after its polling interval', async () => {
    const done: number[] = [];
    await start(
      {
        [QUEUES.shopMetrics]: async () => {
          done.push(performance.now());
        },
      },
      5,
    );
    const sent = performance.now();
    for (let i = 0; i < 5; i++) await jobs!.send(QUEUES.shopMetrics, { shop: `shop-${i}.myshopify.com` });
    // One worker a process for this queue: with pg-boss waiting out its 5 s interval after each short job, the fifth
    // would run 15-20 s after the first.
    await until(() => done.length === 5, 4000, 'five jobs done by one worker within one polling interval');
    expect(Math.max(...done) - sent).toBeLessThan(4000);
  });

  it('holds background jobs while every changes worker is busy, for at most 5 s', async () => {
    const changesRunning = new Set<string>();
    const hold = latch();
    releases.push(hold.release);
    let backgroundStartedAt = 0;
    await start({
      [QUEUES.recompute]: async (job) => {
        changesRunning.add(job.shop);
        await hold.wait;
      },
      [QUEUES.shopMetrics]: async () => {
        backgroundStartedAt = performance.now();
      },
    });
    const changesWorkers = workersFor(QUEUES.recompute, database!.kind)
      .filter((plan) => plan.minPriority === JOB_PRIORITY.wholeShopWithChanges)
      .reduce((n, plan) => n + plan.count, 0);
    expect(changesWorkers).toBeGreaterThanOrEqual(1);
    // One more change than there are changes workers, so the general worker is busy with one too.
    for (let i = 0; i <= changesWorkers; i++) {
      await jobs!.send(QUEUES.recompute, { shop: `busy-${i}.myshopify.com` }, { priority: JOB_PRIORITY.changes });
    }
    await until(() => changesRunning.size === changesWorkers + 1, 10_000, 'every recompute worker runs a change');
    const sent = performance.now();
    await jobs!.send(QUEUES.shopMetrics, { shop: 'background.myshopify.com' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(backgroundStartedAt).toBe(0);
    // Still held after the limit? It must go ahead anyway: background work waits, it is never starved.
    await until(() => backgroundStartedAt > 0, 10_000, 'the background job starts once it has waited its limit');
    expect(backgroundStartedAt - sent).toBeGreaterThanOrEqual(4500);
  });
});

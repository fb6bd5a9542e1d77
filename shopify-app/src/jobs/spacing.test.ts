import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { startSendOnlyJobs } from '../testing/send-only-jobs.ts';
import { JOB_PRIORITY, QUEUES, type Jobs, type ShopJob } from './jobs.ts';

/** A shop's recompute jobs as pg-boss stores them, oldest first. */
async function jobsOf(database: Database, shop: string): Promise<{ state: string; startAfterMs: number; slotMs: number | null }[]> {
  const { rows } = await database.pool.query<{ state: string; start_after: string; slot: string | null }>(
    `SELECT state, (extract(epoch FROM start_after) * 1000)::bigint::text AS start_after,
            (extract(epoch FROM singleton_on) * 1000)::bigint::text AS slot
       FROM pgboss.job WHERE name = $1 AND singleton_key = $2 ORDER BY created_on, start_after`,
    [QUEUES.recompute, shop],
  );
  return rows.map((r) => ({ state: r.state, startAfterMs: Number(r.start_after), slotMs: r.slot === null ? null : Number(r.slot) }));
}

/** Resolves just after the next whole second of the clock, so that a test's few sends fall in one slot. */
async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
}

describe("spacing of a shop's recompute jobs (several processes on one database)", () => {
  let database: Database;
  let jobs: Jobs;
  beforeAll(async () => {
    database = await createTestDatabase();
    jobs = await startSendOnlyJobs(database);
  });
  afterAll(async () => {
    await jobs.stop();
    await database.close();
  });

  /** Sends a change of `shop`, takes its job and completes it (a run), then sends two more changes at once. */
  async function runThenTwoChanges(shop: string, spacingSeconds: number | undefined): Promise<void> {
    const options = { priority: JOB_PRIORITY.changes, ...(spacingSeconds !== undefined ? { spacingSeconds } : {}) };
    await nextSecond();
    await jobs.send(QUEUES.recompute, { shop }, options);
    const [taken] = await jobs.boss.fetch<ShopJob>(QUEUES.recompute);
    expect(taken?.data.shop).toBe(shop);
    await jobs.boss.complete(QUEUES.recompute, taken!.id);
    await jobs.send(QUEUES.recompute, { shop }, options);
    await jobs.send(QUEUES.recompute, { shop }, options);
  }

  it('runs a change in a second that already had a run in the next second, and folds a third into it', async () => {
    const shop = 'busy.myshopify.com';
    await runThenTwoChanges(shop, 1);
    const [first, second, ...more] = await jobsOf(database, shop);
    expect(more).toEqual([]);
    expect(first!.state).toBe('completed');
    expect(second!.state).toBe('created');
    // The second job waits for the slot after the first's, whichever process sent it.
    expect(second!.slotMs).toBe(first!.slotMs! + 1000);
    expect(second!.startAfterMs).toBeGreaterThanOrEqual(first!.slotMs! + 1000);
    // Not handed out before then; handed out once it is due.
    if (Date.now() < second!.startAfterMs - 100) expect(await jobs.boss.fetch<ShopJob>(QUEUES.recompute)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, second!.startAfterMs - Date.now()) + 50));
    const [due] = await jobs.boss.fetch<ShopJob>(QUEUES.recompute);
    expect(due?.data.shop).toBe(shop);
    await jobs.boss.complete(QUEUES.recompute, due!.id);
  });

  it('without spacing, the next change is ready at once (the behaviour on PGlite, one process)', async () => {
    const shop = 'unspaced.myshopify.com';
    await runThenTwoChanges(shop, undefined);
    const [first, second, ...more] = await jobsOf(database, shop);
    expect(more).toEqual([]);
    expect(first!.state).toBe('completed');
    expect(second!.startAfterMs).toBeLessThan(first!.startAfterMs + 1000);
    const [due] = await jobs.boss.fetch<ShopJob>(QUEUES.recompute);
    expect(due?.data.shop).toBe(shop);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { startSendOnlyJobs } from '../testing/send-only-jobs.ts';
import { JOB_PRIORITY, QUEUES, type Jobs, type ShopJob } from './jobs.ts';

describe('recompute job priorities', () => {
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

  it("hands out a shop's changes before other shops' whole-shop runs queued earlier, and whole-shop runs oldest first", async () => {
    for (const shop of ['installed-first.myshopify.com', 'installed-second.myshopify.com']) {
      await jobs.send(QUEUES.recompute, { shop }, { priority: JOB_PRIORITY.wholeShop });
    }
    await jobs.send(QUEUES.recompute, { shop: 'live.myshopify.com' }, { priority: JOB_PRIORITY.changes });
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [job] = await jobs.boss.fetch<ShopJob>(QUEUES.recompute);
      order.push(job!.data.shop);
    }
    expect(order).toEqual(['live.myshopify.com', 'installed-first.myshopify.com', 'installed-second.myshopify.com']);
  });

  it("raises a shop's waiting whole-shop run when a change of that shop arrives (the change's own job is dropped)", async () => {
    for (const shop of ['first-run-a.myshopify.com', 'first-run-b.myshopify.com']) {
      await jobs.send(QUEUES.recompute, { shop, full: true }, { priority: JOB_PRIORITY.wholeShop });
    }
    // A webhook of shop b: its job is dropped (b has one waiting), and b's whole-shop run now goes first, still full.
    await jobs.send(QUEUES.recompute, { shop: 'first-run-b.myshopify.com' }, { priority: JOB_PRIORITY.changes });
    const taken: ShopJob[] = [];
    for (let i = 0; i < 3; i++) {
      const [job] = await jobs.boss.fetch<ShopJob>(QUEUES.recompute);
      if (job) taken.push(job.data);
    }
    expect(taken).toEqual([
      { shop: 'first-run-b.myshopify.com', full: true },
      { shop: 'first-run-a.myshopify.com', full: true },
    ]);
  });

  it("hands out other shops' changes before whole-shop runs a change was folded into, even those raised earlier", async () => {
    await jobs.send(QUEUES.recompute, { shop: 'installed-c.myshopify.com', full: true }, { priority: JOB_PRIORITY.wholeShop });
    await jobs.send(QUEUES.recompute, { shop: 'installed-c.myshopify.com' }, { priority: JOB_PRIORITY.changes });
    await jobs.send(QUEUES.recompute, { shop: 'live-c.myshopify.com' }, { priority: JOB_PRIORITY.changes });
    await jobs.send(QUEUES.recompute, { shop: 'refit-c.myshopify.com', full: true }, { priority: JOB_PRIORITY.wholeShop });
    // A second change of a live shop whose change is waiting: that job keeps its priority (it is not lowered).
    await jobs.send(QUEUES.recompute, { shop: 'live-c.myshopify.com' }, { priority: JOB_PRIORITY.changes });
    const taken: { shop: string; priority: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const [job] = await jobs.boss.fetch<ShopJob>(QUEUES.recompute, { includeMetadata: true });
      if (job) taken.push({ shop: job.data.shop, priority: job.priority });
    }
    expect(taken).toEqual([
      { shop: 'live-c.myshopify.com', priority: JOB_PRIORITY.changes },
      { shop: 'installed-c.myshopify.com', priority: JOB_PRIORITY.wholeShopWithChanges },
      { shop: 'refit-c.myshopify.com', priority: JOB_PRIORITY.wholeShop },
    ]);
  });
});

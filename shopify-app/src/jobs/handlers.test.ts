import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.ts';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { queueRecompute } from '../ingest/store.ts';
import { silentLogger } from '../log.ts';
import { createJobHandlers, type JobWork } from './handlers.ts';
import { QUEUES } from './jobs.ts';

describe('the reconcile-all sweep', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    for (const shop of ['a.myshopify.com', 'b.myshopify.com', 'c.myshopify.com'])
      await db.insertInto('shops').values({ shop_id: shop, currency: 'USD' }).execute();
    await db.updateTable('shops').set({ status: 'uninstalled' }).where('shop_id', '=', 'c.myshopify.com').execute();
    await queueRecompute(db, 'a.myshopify.com', ['1', '2']);
    await queueRecompute(db, 'c.myshopify.com', ['3']);
  });
  afterAll(async () => await database.close());

  it('requests a recompute of every active shop with queued customers, whose job a dead process never sent', async () => {
    const sent: { queue: string; shop: string }[] = [];
    const recomputes: string[] = [];
    const ctx = {
      db: database.db,
      clock: { now: () => Date.now() },
      log: silentLogger,
      options: {},
      jobs: { send: async (queue: string, job: { shop: string }) => void sent.push({ queue, shop: job.shop }) },
      ingest: { requestRecompute: async (shop: string) => void recomputes.push(shop) },
    } as unknown as AppContext;
    const work = { sync: { resumeBackfills: async () => undefined } } as unknown as JobWork;
    await createJobHandlers(ctx, work)[QUEUES.reconcileAll]!({ shop: '' }, new AbortController().signal);
    expect(recomputes).toEqual(['a.myshopify.com']);
    expect(sent.filter((s) => s.queue === QUEUES.reconcile).map((s) => s.shop)).toEqual(['a.myshopify.com', 'b.myshopify.com']);
  });
});

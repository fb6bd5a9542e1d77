import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/jobs.ts';
import { onePerShop } from '../jobs/one-per-shop.ts';
import { shopsWithUnfinishedBackfill } from '../jobs/shops.ts';
import { runBackfill } from './backfill.ts';
import { runReconcile } from './reconcile.ts';

/** The order sync of the app: the backfill, the reconciliation pass and the resumption of unfinished backfills. */
export interface SyncRunner {
  /** Runs (or resumes) the shop's backfill now, in this call; one per shop at a time in this process. */
  backfill(shop: string, options?: { restart?: boolean; signal?: AbortSignal }): Promise<boolean>;
  /** Runs one reconciliation pass for the shop now (and queues a recompute when it changed orders). */
  reconcile(shop: string): Promise<number>;
  /**
   * Queues a backfill for every active shop whose backfill is unfinished (`backfilling`, `error` after pg-boss used
   * up its retries, or `not-started` when its job was never sent): run by the reconciliation schedule, so a failed backfill resumes within minutes, not at the next
   * process start. A shop that already has one queued or running gets no second (the queue is stately per shop).
   */
  resumeBackfills(): Promise<string[]>;
}

export function createSyncRunner(ctx: AppContext): SyncRunner {
  const { db, clock, log, sleep, pii } = ctx;
  // One backfill per shop at a time in this process (a job and a direct call, or a retry racing a finish webhook):
  // the later one starts when the earlier ends, and then finds the shop live. Across processes runBackfill itself is safe.
  const backfill = onePerShop((shop: string, options: { restart?: boolean; signal?: AbortSignal } = {}) =>
    runBackfill(
      {
        db,
        graphql: ctx.graphqlFor(shop),
        fetch: ctx.fetch,
        clock,
        log,
        sleep,
        vacuum: () => ctx.database.vacuum(),
        pii,
        pool: ctx.database.kind === 'postgres' ? ctx.database.pool : null,
        ...ctx.options.backfill,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      shop,
      options,
    ),
  );
  return {
    backfill,
    async reconcile(shop) {
      const changed = await runReconcile({ db, graphql: ctx.graphqlFor(shop), clock, log, orders: ctx.ingest }, shop);
      if (changed > 0) await ctx.ingest.requestRecompute(shop);
      return changed;
    },
    async resumeBackfills() {
      const shops = await shopsWithUnfinishedBackfill(db);
      for (const shop of shops) await ctx.jobs.send(QUEUES.backfill, { shop });
      return shops;
    },
  };
}

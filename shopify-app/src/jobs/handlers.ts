import type { AppContext } from '../context.ts';
import { createRateLimiter } from '../actions/flow/rate-limiter.ts';
import { sendPendingFlowTriggers } from '../actions/flow/send-flow-triggers.ts';
import type { MetafieldSyncResult } from '../metafields/sync.ts';
import { prune } from '../ops/prune.ts';
import { getOfflineSession } from '../shopify/offline-session.ts';
import type { SyncRunner } from '../sync/runner.ts';
import { FullRunReason } from '../compute/service.ts';
import { QUEUES, type JobsOptions } from './jobs.ts';
import { runRecomputeJob, sendWholeShopRun } from './recompute.ts';
import { activeShops, shopsOnAnEarlierDay, shopsWithQueuedCustomers, shopsWithUnfinishedBackfill } from './shops.ts';

/** The work the handlers start that `createApp` also offers to call directly. */
export interface JobWork {
  sync: SyncRunner;
  /** `signal`: stop at the next call and keep what Shopify accepted (see runMetafieldSync). */
  syncMetafields(shop: string, signal?: AbortSignal): Promise<MetafieldSyncResult>;
}

/** One handler per queue ({@link QUEUES}): what each background job does. */
export function createJobHandlers(ctx: AppContext, work: JobWork): JobsOptions['handlers'] {
  const { db, clock, log, jobs } = ctx;
  const flowLimiter = createRateLimiter({
    ratePerSecond: ctx.options.flowTriggers?.ratePerSecond ?? 5,
    burst: ctx.options.flowTriggers?.burst ?? 10,
    clock,
    sleep: ctx.sleep,
  });
  return {
    [QUEUES.backfill]: async ({ shop }, signal) => {
      // A large shop's backfill streams for minutes: at a stop it ends at its next checkpoint (see BackfillDeps.signal).
      if (await work.sync.backfill(shop, { signal })) await sendWholeShopRun(jobs, shop);
    },
    [QUEUES.recompute]: (job) => runRecomputeJob(ctx, job),
    [QUEUES.shopMetrics]: async ({ shop }) => {
      await ctx.compute.refreshShopMetrics(shop);
    },
    [QUEUES.reconcile]: async ({ shop }) => {
      await work.sync.reconcile(shop);
    },
    [QUEUES.reconcileAll]: async () => {
      for (const shop of await activeShops(db)) await jobs.send(QUEUES.reconcile, { shop });
      await work.sync.resumeBackfills();
      // Customers queued for recompute whose job was never sent (the process died between committing the webhook and
      // sending the job, and was not started again) wait at most until this sweep, not until the shop's next webhook
      // or day. A shop whose recompute job is already waiting keeps that one job (coalesced, stately per shop).
      for (const shop of await shopsWithQueuedCustomers(db)) await ctx.ingest.requestRecompute(shop);
    },
    [QUEUES.refitAll]: async () => {
      // The recompute job itself turns into a full run (refit + rescore) when the shop's local day changed.
      for (const shop of await shopsOnAnEarlierDay(db, clock)) await sendWholeShopRun(jobs, shop);
      // Every installed shop gets the app's metafield definitions (shops installed before they existed included) and any
      // metafield writes a previous process left unfinished.
      for (const shop of await activeShops(db)) await jobs.send(QUEUES.metafields, { shop });
    },
    [QUEUES.fullRun]: async ({ shop, reason }) => {
      const started = performance.now();
      const fit = await ctx.compute.runSplitFit(shop, (reason ?? FullRunReason.requested) as FullRunReason);
      if (fit) ctx.metrics.recompute('split-fit', (performance.now() - started) / 1000);
    },
    [QUEUES.fullRunBucket]: async ({ shop, run, bucket }, signal) => {
      if (run === undefined || bucket === undefined) return;
      const started = performance.now();
      // A bucket of a large shop scores for minutes: at a stop it ends before its next chunk (see runSplitBucket).
      const result = await ctx.compute.runSplitBucket(shop, run, bucket, signal);
      if (!result.ran) return;
      ctx.metrics.recompute('split-bucket', (performance.now() - started) / 1000);
      // As after a recompute: changed predictions to Shopify, tier changes to Flow.
      if (result.changed + result.deleted > 0) await jobs.send(QUEUES.metafields, { shop });
      if (result.tierChanges > 0) await jobs.send(QUEUES.flowTriggers, { shop });
    },
    [QUEUES.prune]: async () => {
      await prune(ctx);
    },
    [QUEUES.metafields]: async ({ shop }, signal) => {
      // A first sync runs at the shop's API limit for minutes: at a stop it ends at its next call, keeping its progress.
      await work.syncMetafields(shop, signal);
    },
    [QUEUES.flowTriggers]: async ({ shop }) => {
      await sendPendingFlowTriggers({ db, graphql: ctx.graphqlFor(shop), clock, log, limiter: flowLimiter }, shop);
    },
    [QUEUES.refreshTokens]: async () => {
      for (const shop of await activeShops(db)) {
        try {
          await getOfflineSession({ db, shopify: ctx.shopify, cipher: ctx.cipher, clock, log, singleProcess: ctx.database.kind === 'pglite' }, shop);
        } catch (error) {
          log.warn('token refresh failed', { shop, message: (error as Error).message });
        }
      }
    },
  };
}

/**
 * Queues what a previous process left half done: killed backfills, customers queued for recompute, shops whose models
 * are from an earlier day, and tier changes recorded but not sent to Flow (or left mid-send).
 */
export async function resumeUnfinishedWork(ctx: AppContext): Promise<void> {
  const { db, jobs } = ctx;
  for (const shop of await shopsWithUnfinishedBackfill(db)) await jobs.send(QUEUES.backfill, { shop });
  for (const shop of await shopsWithQueuedCustomers(db)) await ctx.ingest.requestRecompute(shop);
  for (const shop of await shopsOnAnEarlierDay(db, ctx.clock)) await sendWholeShopRun(jobs, shop);
  for (const row of await db.selectFrom('customer_tier_changes').select('shop_id').where('flow_state', 'in', ['pending', 'sending']).distinct().execute()) {
    await jobs.send(QUEUES.flowTriggers, { shop: row.shop_id });
  }
}

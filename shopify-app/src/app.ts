import { Hono } from 'hono';
import { createPairingCode } from './api/pairing.ts';
import { registerApiRoutes } from './api/routes.ts';
import { warmFeedCache } from './api/feed-warm-up.ts';
import type { ComputeService } from './compute/service.ts';
import { createAppContext } from './context.ts';
import { registerDashboardRoutes } from './dashboard/routes.ts';
import { createJobHandlers, resumeUnfinishedWork } from './jobs/handlers.ts';
import { startJobs, type Jobs } from './jobs/jobs.ts';
import type { MetafieldSyncResult } from './metafields/sync.ts';
import { createMetafieldRunner } from './metafields/runner.ts';
import { registerMiddlewares, type AppEnv } from './middlewares.ts';
import type { AppMetrics } from './ops/metrics.ts';
import { prune } from './ops/prune.ts';
import { registerOpsRoutes } from './ops/routes.ts';
import { turnOffMaglev } from './ops/v8-flags.ts';
import type { ShopGraphql } from './shopify/graphql.ts';
import { createSyncRunner } from './sync/runner.ts';
import { registerWebhookRoutes } from './webhooks/routes.ts';
import type { AppOptions } from './options.ts';

export type { AppOptions } from './options.ts';

/** The running app: a fetch-style handler plus the services behind it (for the demo, tests and benchmarks). */
export interface App {
  /** Handles one HTTP request (hono); `env` is the server's bindings (`@hono/node-server` passes the socket there). */
  fetch(request: Request, env?: unknown): Promise<Response>;
  /** Same as fetch with a path or URL relative to `http://localhost` (hono's `app.request`). */
  request(input: string | Request, init?: RequestInit): Promise<Response>;
  jobs: Jobs;
  compute: ComputeService;
  /** Runs (or resumes) the shop's backfill now, in this call. */
  backfill(shop: string, options?: { restart?: boolean }): Promise<boolean>;
  /** Runs one reconciliation pass for the shop now (and queues a recompute when it changed orders). */
  reconcile(shop: string): Promise<number>;
  /** Queues a backfill for every active shop whose backfill is unfinished (what the 5-minute schedule runs); returns them. */
  resumeBackfills(): Promise<string[]>;
  /** Writes the shop's changed predictions to its customers' metafields now, in this call (what the job runs). */
  syncMetafields(shop: string): Promise<MetafieldSyncResult>;
  /** Runs the daily housekeeping now: deletes webhook delivery ids past their dedupe window and expired pairing codes. */
  prune(): Promise<{ webhookDeliveries: number }>;
  /** Issues a pairing code for the shop (what the dashboard shows). */
  createPairingCode(shop: string): Promise<{ code: string; expiresAtMs: number }>;
  graphqlFor(shop: string): ShopGraphql;
  /** The Prometheus metrics ({@link createAppMetrics}); `start.ts` serves them on their own port. */
  metrics: AppMetrics;
  /** Marks the app as going away: `/readyz` answers 503 so a load balancer stops sending, while requests in flight finish. */
  drain(): void;
  /** Stops the workers (waits for running jobs). */
  stop(): Promise<void>;
}

/**
 * Builds the CLV Lens app on explicit dependencies: webhooks (`POST /webhooks`, `POST /webhooks/compliance`), the
 * extension API (`/api/v1/...`), the embedded dashboard (`/app`, `/app/api/...`) and the background jobs on pg-boss.
 * Only `server.ts` reads the environment and listens. Each concern registers itself on the shared {@link AppContext};
 * this function only builds the context, starts the jobs and mounts them, in this order (middlewares first). It first
 * turns off V8's Maglev tier for the whole process (ops/v8-flags.ts says why): every process that runs the app's jobs
 * and compute builds it here.
 */
export async function createApp(options: AppOptions): Promise<App> {
  turnOffMaglev();
  const ctx = await createAppContext(options);
  const sync = createSyncRunner(ctx);
  const syncMetafields = createMetafieldRunner(ctx);

  let jobs: Jobs;
  try {
    jobs = await startJobs({
      pool: ctx.database.pool,
      kind: ctx.database.kind,
      log: ctx.log,
      work: options.workers !== false,
      ...(options.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: options.pollingIntervalSeconds } : {}),
      ...(options.reconcileCron !== undefined ? { reconcileCron: options.reconcileCron } : {}),
      handlers: createJobHandlers(ctx, { sync, syncMetafields }),
    });
  } catch (error) {
    ctx.bindJobs(error as Error);
    throw error;
  }
  ctx.bindJobs(jobs);
  await resumeUnfinishedWork(ctx);
  const warming = warmFeedCache(ctx);

  const app = new Hono<AppEnv>();
  registerMiddlewares(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerApiRoutes(app, ctx);
  registerDashboardRoutes(app, ctx);
  registerOpsRoutes(app, ctx);

  return {
    fetch: (request, env) => Promise.resolve(app.fetch(request, env)),
    request: (input, init) => Promise.resolve(app.request(input, init)),
    jobs,
    compute: ctx.compute,
    backfill: sync.backfill,
    reconcile: sync.reconcile,
    prune: () => prune(ctx),
    syncMetafields,
    resumeBackfills: sync.resumeBackfills,
    createPairingCode: (shop) => createPairingCode(ctx.db, ctx.clock, shop),
    graphqlFor: ctx.graphqlFor,
    metrics: ctx.metrics,
    drain() {
      ctx.lifecycle.draining = true;
    },
    async stop() {
      ctx.lifecycle.draining = true;
      ctx.lifecycle.stopped = true;
      await warming;
      await jobs.stop();
    },
  };
}

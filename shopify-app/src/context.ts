import type { Shopify } from '@shopify/shopify-api';
import type { Kysely } from 'kysely';
import type { AppOptions } from './options.ts';
import type { Database } from './db/connect.ts';
import type { DB } from './db/schema.ts';
import { createJsonLogger, systemClock, type Clock, type Logger } from './log.ts';
import { FeedCache } from './api/feed-cache.ts';
import { churnHorizonOf } from './compute/insights.ts';
import { createComputeService, type ComputeService } from './compute/service.ts';
import { createShopSettings, type ShopSettings } from './settings/shop-settings.ts';
import { JOB_PRIORITY, QUEUES, type Jobs, type QueueName, type SendOptions, type ShopJob } from './jobs/jobs.ts';
import { createTokenCipher, type TokenCipher } from './sessions/token-cipher.ts';
import { checkEncryptionKey } from './sessions/key-rotation.ts';
import { createPiiProtector, protectStoredPersonalData, type PiiProtector } from './ingest/pii.ts';
import { createOrderSink, type OrderSink } from './ingest/order-sink.ts';
import { createGraphqlClient, type ShopGraphql } from './shopify/graphql.ts';
import { createAppMetrics, type AppMetrics } from './ops/metrics.ts';

/** What the app's job queue offers the routes and handlers: sending (workers are started by `createApp`). */
export interface JobQueue {
  /** Queues a job (dropped when the shop already has one waiting in that queue); waits until the job system started. */
  send(queue: QueueName, job: ShopJob, options?: SendOptions): Promise<void>;
  /** True once the job system started and until it is stopped. */
  running(): boolean;
}

/**
 * Everything the app's routes, webhooks and job handlers share, built once by {@link createAppContext}: each concern
 * (`api/routes.ts`, `dashboard/routes.ts`, `webhooks/routes.ts`, `ops/routes.ts`, `jobs/handlers.ts`) reads what it
 * needs from here instead of from closures in `createApp`.
 */
export interface AppContext {
  database: Database;
  db: Kysely<DB>;
  shopify: Shopify;
  clock: Clock;
  log: Logger;
  sleep: (ms: number) => Promise<void>;
  /** fetch used to download bulk-operation results. */
  fetch: typeof fetch;
  cipher: TokenCipher;
  pii: PiiProtector;
  /** The Admin GraphQL client of a shop (its offline token, refreshed when needed). */
  graphqlFor(shop: string): ShopGraphql;
  /** The in-memory delta feed; only on the embedded database, whose lock makes this process the only writer. */
  feedCache: FeedCache | null;
  settings: ShopSettings;
  compute: ComputeService;
  metrics: AppMetrics;
  jobs: JobQueue;
  /** The order sink: the one way orders, refunds and recompute requests get in (webhooks, reconciliation). */
  ingest: OrderSink;
  /** The options `createApp` was called with (limits, origins, job and sync tuning). */
  options: AppOptions;
  /** Set by `drain()`/`stop()`: `/readyz` answers 503 so a load balancer stops sending. */
  lifecycle: { draining: boolean; stopped: boolean };
}

/**
 * Builds the {@link AppContext}: checks the encryption key against stored secrets, protects personal data an older
 * version stored in the clear, and creates the shared services. The job system is bound later ({@link bindJobs}),
 * because its handlers are built from this context; a send before that waits for it.
 */
export async function createAppContext(options: AppOptions): Promise<AppContext & { bindJobs(jobs: Jobs | Error): void }> {
  const { database, shopify } = options;
  const db = database.db;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createJsonLogger();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const cipher = createTokenCipher(options.encryptionKey, options.previousEncryptionKeys ?? []);
  await checkEncryptionKey(db, cipher);
  const pii = createPiiProtector(cipher, { clock });
  const converted = await protectStoredPersonalData(db, pii);
  if (converted.emails + converted.guestKeys > 0) log.info('protected personal data of an older version', converted);
  const graphqlFor = (shop: string): ShopGraphql =>
    createGraphqlClient({ db, shopify, cipher, clock, log, sleep, singleProcess: database.kind === 'pglite' }, shop);
  // The embedded database is single-writer (its lock), so the delta feed can be served from memory there.
  const feedCache = database.kind === 'pglite' ? new FeedCache() : null;
  const settings = createShopSettings({ db, clock, defaultChurnHorizonDays: churnHorizonOf(options.compute ?? {}) });
  const split = options.splitFullRun ?? (database.kind === 'postgres' ? {} : false);
  // Several processes on PostgreSQL take a shop's webhooks: its recompute runs are spaced a second apart whichever
  // process asks (`spacingSeconds` below), and a run then takes the queue as it found it (`spacedRuns`).
  const spacedRuns = database.kind === 'postgres';
  const compute = createComputeService({
    db,
    ...(database.kind === 'postgres' ? { pool: database.pool } : {}),
    clock,
    log,
    settings,
    spacedRuns,
    ...(split
      ? {
          split: {
            minOrders: split.minOrders ?? 200_000,
            buckets: split.buckets ?? 8,
            sendFit: (shop: string, reason: string) => jobs.send(QUEUES.fullRun, { shop, reason }),
            sendBucket: (shop: string, run: string, bucket: number) => jobs.send(QUEUES.fullRunBucket, { shop, run, bucket }),
          },
        }
      : {}),
    ...(options.compute ? { options: options.compute } : {}),
    ...(feedCache ? { feed: { apply: (shop, writes) => feedCache.apply(shop, writes), warm: (shop) => feedCache.warm(db, shop) } } : {}),
  });

  let started: Jobs | null = null;
  let bind!: (jobs: Jobs | Error) => void;
  const startedJobs = new Promise<Jobs>((resolve, reject) => {
    bind = (jobs) => {
      if (jobs instanceof Error) return reject(jobs);
      started = jobs;
      resolve(jobs);
    };
  });
  // A start failure is reported by createApp; this only keeps the waiting promise from being an unhandled rejection.
  startedJobs.catch(() => undefined);
  const jobs: JobQueue = {
    send: async (queue, job, sendOptions) => (started ?? (await startedJobs)).send(queue, job, sendOptions),
    running: () => started?.running() ?? false,
  };

  return {
    database,
    db,
    shopify,
    clock,
    log,
    sleep,
    fetch: options.fetch ?? globalThis.fetch,
    cipher,
    pii,
    graphqlFor,
    feedCache,
    settings,
    compute,
    metrics: options.metrics ?? createAppMetrics(database.pool),
    jobs,
    ingest: createOrderSink({
      db,
      clock,
      log,
      pii,
      // Spaced runs: a shop's change runs at most one recompute a second, whichever process took the webhook (pg-boss's
      // debounce). A shop's first change after a quiet second is run at once; a busy shop's changes share a run. With
      // only the per-process limit below, each of three processes sent every second and a run read the queue until it
      // was empty: 1,200-1,700 batches scored in a 40,000-delivery pg-processes run, 403-553 spaced.
      sendRecompute: (shop) => jobs.send(QUEUES.recompute, { shop }, { priority: JOB_PRIORITY.changes, ...(spacedRuns ? { spacingSeconds: 1 } : {}) }),
      // At most one job send per shop and process a second: sends closer together are dropped by pg-boss anyway.
      recomputeIntervalMs: options.recomputeIntervalMs ?? (spacedRuns ? 1000 : 0),
    }),
    options,
    lifecycle: { draining: false, stopped: false },
    bindJobs: (j) => bind(j),
  };
}

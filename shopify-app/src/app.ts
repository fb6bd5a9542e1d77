import type { Shopify } from '@shopify/shopify-api';
import { Hono, type Context } from 'hono';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Database } from './db/connect.ts';
import { retryOnConnectionLoss } from './db/retry.ts';
import { AppError } from './errors.ts';
import { createJsonLogger, systemClock, type Clock, type Logger } from './log.ts';
import { API_ERROR_STATUS, ApiError } from './api/errors.ts';
import { authenticateExtensionToken, createPairingCode, redeemPairingCode, revokeExtensionTokens, rotateExtensionToken } from './api/pairing.ts';
import { readCustomerInsight, readCustomersFeed, readOrderCustomerInsight, readShopSummary } from './api/read.ts';
import { FeedCache, type FeedEntry } from './api/feed-cache.ts';
import { authenticateSessionToken, type InstallDeps } from './auth/install.ts';
import { createDashboardAssets } from './dashboard/assets.ts';
import { renderDashboardPage, renderPairLinkPage, renderRootPage } from './dashboard/page.ts';
import { readCustomerNames } from './dashboard/customer-names.ts';
import { resolveLocale } from '@clvlens/core/i18n';
import { readSegmentValues } from './dashboard/segments.ts';
import { readVipSlipping } from './actions/tier-changes/vip-slipping.ts';
import { asOfFor } from './compute/insights.ts';
import { churnHorizonOf } from './compute/insights.ts';
import { createComputeService, type ComputeOptions, type ComputeService } from './compute/service.ts';
import { createShopSettings } from './settings/shop-settings.ts';
import { QUEUES, startJobs, type Jobs } from './jobs/jobs.ts';
import { createTokenCipher, type TokenCipher } from './sessions/token-cipher.ts';
import { checkEncryptionKey } from './sessions/key-rotation.ts';
import { createPiiProtector, protectStoredPersonalData } from './ingest/pii.ts';
import { createGraphqlClient, type ShopGraphql } from './shopify/graphql.ts';
import { getOfflineSession } from './shopify/offline-session.ts';
import { runBackfill } from './sync/backfill.ts';
import { runReconcile } from './sync/reconcile.ts';
import { runMetafieldSync, type MetafieldSyncResult } from './metafields/sync.ts';
import { createOrderBatcher } from './webhooks/order-batcher.ts';
import { processWebhook } from './webhooks/router.ts';
import { pruneWebhookDeliveries } from './ingest/store.ts';
import type { FollowUp } from './webhooks/types.ts';
import { pendingMigrations } from './db/migrate.ts';
import { createRateLimiter } from './actions/flow/rate-limiter.ts';
import { sendPendingFlowTriggers } from './actions/flow/send-flow-triggers.ts';
import { createAppMetrics, type AppMetrics } from './ops/metrics.ts';
import { acceptRequestId, requestScope } from './ops/request-context.ts';
import { isImportPath, MAX_IMPORT_BYTES, registerImportRoutes } from './imports/routes.ts';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The open database ({@link createDatabase}). The app does not close it. */
  database: Database;
  /** Metrics to count into; default a fresh registry on the database's pool. */
  metrics?: AppMetrics;
  /** The `@shopify/shopify-api` object ({@link createShopifyApi}). */
  shopify: Shopify;
  /** Key for AES-256-GCM encryption of Shopify tokens at rest (64 hex chars or 32 bytes). */
  encryptionKey: string | Uint8Array;
  /** App secrets used before the current one (rotation): webhooks signed with them are still accepted. Default: none. */
  previousApiSecretKeys?: readonly string[];
  /** Keys used before `encryptionKey` (rotation): they still decrypt, never encrypt. Default: none. */
  previousEncryptionKeys?: readonly (string | Uint8Array)[];
  clock?: Clock;
  log?: Logger;
  /** fetch used to download bulk-operation results. Default: globalThis.fetch. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Addresses of reverse proxies in front of the app whose `X-Forwarded-For` is believed (for the pairing rate limit).
   * Default: none, so the limit is keyed on the connection's own address.
   */
  trustedProxies?: readonly string[];
  /** Origins allowed by CORS on /api/v1 (e.g. `chrome-extension://<id>`). Default: none. */
  extensionOrigins?: readonly string[];
  /** Run background workers in this process. Default true. */
  workers?: boolean;
  /** Worker polling interval in seconds (>= 0.5). */
  pollingIntervalSeconds?: number;
  /** Cron of the reconciliation sweep. Default every 5 minutes. */
  reconcileCron?: string;
  /** Tests only: awaited at the start of each recompute job (e.g. to hold a job active, then kill the process). */
  beforeRecompute?: (shop: string) => Promise<void>;
  /** Backfill insert batch size, bulk status poll interval, and a progress callback (JSONL lines stored). */
  backfill?: { batchSize?: number; pollMs?: number; onProgress?: (shop: string, linesDone: number) => void };
  compute?: ComputeOptions;
  /** Customers per checkpointed page of the metafield sync (default 1000). */
  metafields?: { pageSize?: number };
  /**
   * Pace of Shopify Flow trigger calls per shop (token bucket). Default 5 per second with bursts of 10: half of a
   * Standard shop's Admin API restore rate (100 points/s, 10 points a call), so Flow never starves the sync.
   */
  flowTriggers?: { ratePerSecond?: number; burst?: number };
  /**
   * Largest request body accepted, bytes; a larger one gets 413 before it is read (by its Content-Length, or as soon as
   * a chunked body passes the limit). Default: 5 MiB on the webhook routes (an order with hundreds of line items is
   * well under 1 MiB), 64 KiB elsewhere (the API's bodies are a pairing code).
   */
  maxBodyBytes?: { webhooks?: number; other?: number };
}

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
 * Only `server.ts` reads the environment and listens.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const { database, shopify } = options;
  const db = database.db;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createJsonLogger();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const fetchFn = options.fetch ?? globalThis.fetch;
  const cipher: TokenCipher = createTokenCipher(options.encryptionKey, options.previousEncryptionKeys ?? []);
  await checkEncryptionKey(db, cipher);
  const pii = createPiiProtector(cipher);
  const converted = await protectStoredPersonalData(db, pii);
  if (converted.emails + converted.guestKeys > 0) log.info('protected personal data of an older version', converted);
  const graphqlFor = (shop: string): ShopGraphql =>
    createGraphqlClient({ db, shopify, cipher, clock, log, sleep, singleProcess: database.kind === 'pglite' }, shop);
  // The embedded database is single-writer (its lock), so the delta feed can be served from memory there.
  const feedCache = database.kind === 'pglite' ? new FeedCache() : null;
  const settings = createShopSettings({ db, clock, defaultChurnHorizonDays: churnHorizonOf(options.compute ?? {}) });
  const compute = createComputeService({
    db,
    clock,
    log,
    settings,
    ...(options.compute ? { options: options.compute } : {}),
    ...(feedCache
      ? { feed: { apply: (shop: string, writes: readonly FeedEntry[]) => feedCache.apply(shop, writes), warm: (shop: string) => feedCache.warm(db, shop) } }
      : {}),
  });

  // One backfill per shop at a time in this process (a job and a direct call, or a retry racing a finish webhook):
  // the later one starts when the earlier ends, and then finds the shop live. Across processes runBackfill itself is safe.
  const backfillsRunning = new Map<string, Promise<unknown>>();
  const backfill = (shop: string, opts: { restart?: boolean } = {}): Promise<boolean> => {
    const before = backfillsRunning.get(shop) ?? Promise.resolve();
    const run = before
      .catch(() => undefined)
      .then(() =>
        runBackfill(
          { db, graphql: graphqlFor(shop), fetch: fetchFn, clock, log, sleep, vacuum: () => database.vacuum(), pii, ...options.backfill },
          shop,
          opts,
        ),
      );
    backfillsRunning.set(shop, run);
    void run
      .catch(() => undefined)
      .finally(() => {
        if (backfillsRunning.get(shop) === run) backfillsRunning.delete(shop);
      });
    return run;
  };
  // One metafield sync per shop at a time in this process (the job and a direct call); the queue is stately per shop.
  const metafieldSyncs = new Map<string, Promise<MetafieldSyncResult>>();
  const syncMetafields = (shop: string): Promise<MetafieldSyncResult> => {
    const before = metafieldSyncs.get(shop) ?? Promise.resolve(null);
    const run = before.catch(() => null).then(() => runMetafieldSync({ db, graphql: graphqlFor(shop), clock, log, sleep, ...options.metafields }, shop));
    metafieldSyncs.set(shop, run);
    void run
      .catch(() => undefined)
      .finally(() => {
        if (metafieldSyncs.get(shop) === run) metafieldSyncs.delete(shop);
      });
    return run;
  };
  const flowLimiter = createRateLimiter({
    ratePerSecond: options.flowTriggers?.ratePerSecond ?? 5,
    burst: options.flowTriggers?.burst ?? 10,
    clock,
    sleep,
  });
  let jobsRef: Jobs | null = null;
  const reconcile = async (shop: string): Promise<number> => {
    const changed = await runReconcile({ db, graphql: graphqlFor(shop), clock, log, pii }, shop);
    if (changed > 0) await jobsRef?.send(QUEUES.recompute, { shop });
    return changed;
  };

  const activeShops = async (): Promise<string[]> =>
    (await db.selectFrom('shops').select('shop_id').where('status', '=', 'active').execute()).map((r) => r.shop_id);
  /** Active shops whose computed "as of" is before the end of their current local day. */
  const shopsOnAnEarlierDay = async (): Promise<string[]> => {
    const rows = await db
      .selectFrom('shops')
      .innerJoin('shop_metrics', 'shop_metrics.shop_id', 'shops.shop_id')
      .select(['shops.shop_id', 'shops.iana_timezone', 'shop_metrics.as_of'])
      .where('shops.status', '=', 'active')
      .execute();
    return rows.filter((r) => r.as_of.getTime() < asOfFor(clock.now(), r.iana_timezone ?? 'UTC')).map((r) => r.shop_id);
  };

  const prune = async (): Promise<{ webhookDeliveries: number }> => {
    const webhookDeliveries = await pruneWebhookDeliveries(db, clock.now());
    await db
      .deleteFrom('pairing_codes')
      .where('expires_at', '<', new Date(clock.now() - 86_400_000))
      .execute();
    if (webhookDeliveries > 0) log.info('pruned', { webhookDeliveries });
    return { webhookDeliveries };
  };

  /**
   * Queues a backfill for every active shop whose backfill is unfinished (`backfilling`, or `error` after pg-boss used
   * up its retries): run by the reconciliation schedule, so a failed backfill resumes within minutes, not at the next
   * process start. A shop that already has one queued or running gets no second (the queue is stately per shop).
   */
  const resumeBackfills = async (): Promise<string[]> => {
    const rows = await db
      .selectFrom('sync_state')
      .innerJoin('shops', 'shops.shop_id', 'sync_state.shop_id')
      .select('sync_state.shop_id')
      .where('sync_state.state', 'in', ['backfilling', 'error'])
      .where('shops.status', '=', 'active')
      .execute();
    for (const row of rows) await jobsRef?.send(QUEUES.backfill, { shop: row.shop_id });
    return rows.map((r) => r.shop_id);
  };

  const jobs = await startJobs({
    pool: database.pool,
    kind: database.kind,
    log,
    work: options.workers !== false,
    ...(options.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: options.pollingIntervalSeconds } : {}),
    ...(options.reconcileCron !== undefined ? { reconcileCron: options.reconcileCron } : {}),
    handlers: {
      [QUEUES.backfill]: async ({ shop }) => {
        if (await backfill(shop)) await jobs.send(QUEUES.recompute, { shop });
      },
      [QUEUES.recompute]: async ({ shop, full }) => {
        await options.beforeRecompute?.(shop);
        const started = performance.now();
        const result = await compute.recomputeShop(shop, { ...(full ? { full } : {}), metrics: 'skip' });
        metrics.recompute(result.mode, (performance.now() - started) / 1000);
        if (result.remaining > 0) await jobs.send(QUEUES.recompute, { shop });
        // Changed predictions go to Shopify (customer metafields) after every recompute; a run with nothing
        // changed reads one empty page.
        await jobs.send(QUEUES.metafields, { shop });
        if (result.tierChanges > 0) await jobs.send(QUEUES.flowTriggers, { shop });
        if (result.mode === 'incremental') {
          // Badges change with the customer's insight, at once; the shop metrics (all orders) follow, at most about
          // one refresh per ten durations of the last one, so a webhook storm on a large shop cannot keep a worker
          // and the embedded database busy reloading every order.
          const lastMs = compute.lastMetricsDurationMs(shop) ?? 0;
          await jobs.send(QUEUES.shopMetrics, { shop }, { startAfterSeconds: Math.min(300, Math.max(1, Math.ceil((10 * lastMs) / 1000))) });
        }
      },
      [QUEUES.shopMetrics]: async ({ shop }) => {
        await compute.refreshShopMetrics(shop);
      },
      [QUEUES.reconcile]: async ({ shop }) => {
        await reconcile(shop);
      },
      [QUEUES.reconcileAll]: async () => {
        for (const shop of await activeShops()) await jobs.send(QUEUES.reconcile, { shop });
        await resumeBackfills();
      },
      [QUEUES.refitAll]: async () => {
        // The recompute job itself turns into a full run (refit + rescore) when the shop's local day changed.
        for (const shop of await shopsOnAnEarlierDay()) await jobs.send(QUEUES.recompute, { shop });
        // Every installed shop gets the app's metafield definitions (shops installed before they existed included) and any
        // metafield writes a previous process left unfinished.
        for (const shop of await activeShops()) await jobs.send(QUEUES.metafields, { shop });
      },
      [QUEUES.prune]: async () => {
        await prune();
      },
      [QUEUES.metafields]: async ({ shop }) => {
        await syncMetafields(shop);
      },
      [QUEUES.flowTriggers]: async ({ shop }) => {
        await sendPendingFlowTriggers({ db, graphql: graphqlFor(shop), clock, log, limiter: flowLimiter }, shop);
      },
      [QUEUES.refreshTokens]: async () => {
        for (const shop of await activeShops()) {
          try {
            await getOfflineSession({ db, shopify, cipher, clock, log, singleProcess: database.kind === 'pglite' }, shop);
          } catch (error) {
            log.warn('token refresh failed', { shop, message: (error as Error).message });
          }
        }
      },
    },
  });

  jobsRef = jobs;

  // Resume what a previous process left half done (a killed backfill, customers queued for recompute).
  for (const row of await db.selectFrom('sync_state').select(['shop_id', 'state']).where('state', 'in', ['backfilling', 'error']).execute()) {
    await jobs.send(QUEUES.backfill, { shop: row.shop_id });
  }
  for (const row of await db.selectFrom('recompute_queue').select('shop_id').distinct().execute()) {
    await jobs.send(QUEUES.recompute, { shop: row.shop_id });
  }
  for (const shop of await shopsOnAnEarlierDay()) await jobs.send(QUEUES.recompute, { shop });
  // Tier changes a previous process recorded but did not get to Flow (or left mid-send).
  for (const row of await db.selectFrom('customer_tier_changes').select('shop_id').where('flow_state', 'in', ['pending', 'sending']).distinct().execute()) {
    await jobs.send(QUEUES.flowTriggers, { shop: row.shop_id });
  }

  // The first delta-feed read of a shop fills the embedded feed cache (seconds for 200,000 customers); do it now, in
  // the background, so the first extension sync after a restart is as fast as the next ones.
  let stopped = false;
  const warming = (async () => {
    if (!feedCache) return;
    for (const shop of await activeShops()) {
      if (stopped) return;
      await feedCache.warm(db, shop);
    }
  })().catch((error: unknown) => {
    if (!stopped) log.warn('feed cache warm-up failed', { message: (error as Error).message });
  });

  // Follow-up jobs are sent once per shop and kind however many webhooks asked meanwhile: a send that is already in
  // flight covers every request that arrived before it started, so later requests only wait for the next one.
  const inFlight = new Map<string, { started: Promise<void> | null; next: Promise<void> | null }>();
  const sendCoalesced = (key: string, send: () => Promise<void>): Promise<void> => {
    let slot = inFlight.get(key);
    if (!slot) inFlight.set(key, (slot = { started: null, next: null }));
    const s = slot;
    if (s.next) return s.next;
    const start = (): Promise<void> => {
      const p = send().finally(() => {
        if (s.started === p) s.started = null;
      });
      s.started = p;
      return p;
    };
    if (!s.started) return start();
    s.next = s.started
      .catch(() => undefined)
      .then(() => {
        s.next = null;
        return start();
      });
    return s.next;
  };
  const runFollowUps = async (followUps: FollowUp[]): Promise<void> => {
    const seen = new Set<string>();
    for (const work of followUps) {
      const key = `${work.kind}:${work.shop}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (work.kind === 'recompute') await sendCoalesced(key, () => jobs.send(QUEUES.recompute, { shop: work.shop }));
      else if (work.kind === 'backfill') await jobs.send(QUEUES.backfill, { shop: work.shop });
      else if (work.kind === 'stop-shop') feedCache?.drop(work.shop);
    }
  };
  const orderBatcher = createOrderBatcher(
    db,
    clock,
    async (shops) => {
      for (const shop of shops) await jobs.send(QUEUES.recompute, { shop });
    },
    { log },
  );

  const installDeps: InstallDeps = {
    db,
    shopify,
    cipher,
    clock,
    log,
    graphqlFor,
    onInstalled: async (shop) => {
      await jobs.send(QUEUES.backfill, { shop });
      // Creates the metafield definitions at install; the values follow the first recompute.
      await jobs.send(QUEUES.metafields, { shop });
    },
  };

  const app = new Hono<{ Variables: { shop: string; token: string } }>();
  const metrics = options.metrics ?? createAppMetrics(database.pool);
  let draining = false;

  // Every request runs in a scope whose id (the load balancer's X-Request-Id, or a new one) and, once proven, shop are
  // on each log line written meanwhile; one access line per request; the id goes back in the response.
  app.use('*', async (c, next) => {
    const scope = { requestId: acceptRequestId(c.req.header('x-request-id'), randomUUID) };
    const started = performance.now();
    await requestScope.run(scope, next);
    c.header('x-request-id', scope.requestId);
    log.info('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started), ...scope });
  });
  const proveShop = (c: Context, shop: string): void => {
    c.set('shop', shop);
    const scope = requestScope.getStore();
    if (scope) scope.shop = shop;
  };

  app.onError((error, c) => errorResponse(c, error, log));
  const tooLarge =
    (limit: number) =>
    (c: Context): Response =>
      c.json({ error: { code: 'payload-too-large', message: `The request body is larger than ${limit} bytes.` } }, 413);
  const webhookLimit = options.maxBodyBytes?.webhooks ?? 5 * 1024 * 1024;
  const otherLimit = options.maxBodyBytes?.other ?? 64 * 1024;
  const webhookBodyLimit = bodyLimit({ maxSize: webhookLimit, onError: tooLarge(webhookLimit) });
  const otherBodyLimit = bodyLimit({ maxSize: otherLimit, onError: tooLarge(otherLimit) });
  const importBodyLimit = bodyLimit({ maxSize: MAX_IMPORT_BYTES, onError: tooLarge(MAX_IMPORT_BYTES) });
  app.use('*', (c, next) =>
    (c.req.path === '/webhooks' || c.req.path.startsWith('/webhooks/') ? webhookBodyLimit : isImportPath(c.req.path) ? importBodyLimit : otherBodyLimit)(
      c,
      next,
    ),
  );
  app.notFound((c) => c.json({ error: { code: 'not-found', message: `No route ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404));

  // --- webhooks (HMAC first, then dedupe and store in one transaction; follow-up work is queued, never awaited inline)
  const webhook = async (c: Context): Promise<Response> => {
    const rawBody = await c.req.text();
    // A PostgreSQL restart or a dropped connection is waited out here (each attempt is idempotent by delivery id),
    // so Shopify gets its 200 instead of a 500 and a retry hours later.
    const { outcome, followUps } = await retryOnConnectionLoss(
      () => processWebhook({ db, shopify, clock, log, orderBatcher, pii, previousSecrets: options.previousApiSecretKeys ?? [] }, c.req.raw, rawBody),
      { log, what: 'webhook' },
    );
    if (outcome.status === 401) {
      metrics.webhook('invalid', 'unauthorized');
      return c.json({ error: { code: 'unauthorized', message: 'Invalid webhook HMAC.' } }, 401);
    }
    // The HMAC held: the topic and shop headers come from Shopify.
    const topic = c.req.header('x-shopify-topic') ?? 'unknown';
    const shopDomain = c.req.header('x-shopify-shop-domain');
    if (shopDomain) proveShop(c, shopDomain);
    if (outcome.status === 400) {
      metrics.webhook(topic, 'bad-request');
      return c.json({ error: { code: 'bad-request', message: outcome.reason } }, 400);
    }
    await retryOnConnectionLoss(() => runFollowUps(followUps), { log, what: 'webhook follow-up' });
    metrics.webhook(topic, outcome.result);
    return c.json({ ok: true, result: outcome.result });
  };
  app.post('/webhooks', webhook);
  app.post('/webhooks/compliance', webhook);

  // --- extension API v1
  const origins = new Set(options.extensionOrigins ?? []);
  app.use(
    '/api/v1/*',
    cors({
      origin: (origin) => (origins.has(origin) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type'],
      allowMethods: ['GET', 'POST'],
      maxAge: 600,
    }),
  );
  app.use('/api/v1/*', async (c, next) => {
    const origin = c.req.header('origin');
    // Exact origins only: a prefix test let `https://app.example.com.evil.example` through.
    if (origin !== undefined && !origins.has(origin) && origin !== new URL(c.req.url).origin) {
      throw new ApiError('forbidden', `Origin ${origin} may not call this API.`);
    }
    await next();
  });
  // Failed pairing attempts per client, a minute window each. The client is the socket's address: X-Forwarded-For is
  // read only from a configured trusted proxy (the rightmost address it did not add itself), since anyone can send it.
  const trustedProxies = new Set((options.trustedProxies ?? []).map(normalizeAddress));
  const clientAddress = (c: Context): string => {
    const socketAddress = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
    const socket = socketAddress ? normalizeAddress(socketAddress) : 'in-process';
    if (!trustedProxies.has(socket)) return socket;
    const forwarded = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((a) => normalizeAddress(a.trim()))
      .filter((a) => a.length > 0);
    for (let i = forwarded.length - 1; i >= 0; i--) if (!trustedProxies.has(forwarded[i]!)) return forwarded[i]!;
    return socket;
  };
  const PAIR_WINDOW_MS = 60_000;
  const pairAttempts = new Map<string, { count: number; windowStartMs: number }>();
  let pairAttemptsSweptMs = 0;
  app.post('/api/v1/pair', async (c) => {
    const client = clientAddress(c);
    const now = clock.now();
    if (now - pairAttemptsSweptMs >= PAIR_WINDOW_MS) {
      // Windows that ended are forgotten, so many distinct clients cannot grow the map without bound.
      pairAttemptsSweptMs = now;
      for (const [key, entry] of pairAttempts) if (now - entry.windowStartMs >= PAIR_WINDOW_MS) pairAttempts.delete(key);
    }
    const attempts = pairAttempts.get(client);
    if (attempts && now - attempts.windowStartMs < PAIR_WINDOW_MS && attempts.count >= 10) {
      throw new ApiError('rate-limited', 'Too many pairing attempts: wait a minute.');
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError('bad-request', 'The body must be JSON: {"code":"XXXX-XXXX"}.');
    }
    const code = (body as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || code.length === 0 || code.length > 32)
      throw new ApiError('bad-request', 'code: expected the pairing code shown on the dashboard.');
    try {
      return c.json(await redeemPairingCode(db, clock, code));
    } catch (error) {
      const current = attempts && now - attempts.windowStartMs < PAIR_WINDOW_MS ? attempts : { count: 0, windowStartMs: now };
      current.count++;
      pairAttempts.set(client, current);
      throw error;
    }
  });
  const bearer = (c: Context): string => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ApiError('unauthorized', 'Missing "Authorization: Bearer <token>": pair the extension first.');
    return m[1]!;
  };
  app.use('/api/v1/*', async (c, next) => {
    if (c.req.path === '/api/v1/pair' || c.req.method === 'OPTIONS') return next();
    const token = bearer(c);
    proveShop(c, await authenticateExtensionToken(db, clock, token));
    c.set('token', token);
    await next();
  });
  const importRouteDeps = { db, clock, log, pii, graphqlFor };
  // Survey and spend uploads for scripts, with the token a paired extension got (README "Automation").
  registerImportRoutes(app, '/api/v1', importRouteDeps);
  app.post('/api/v1/token/rotate', async (c) => c.json(await rotateExtensionToken(db, clock, c.get('shop'), c.get('token'))));
  app.post('/api/v1/unpair', async (c) => {
    await revokeExtensionTokens(db, clock, c.get('shop'), c.get('token'));
    return c.body(null, 204);
  });
  const jsonText = (c: Context, text: string): Response => c.body(text, 200, { 'content-type': 'application/json; charset=utf-8' });
  app.get('/api/v1/shop/summary', async (c) => c.json(await readShopSummary(db, clock, c.get('shop'), await settings.churnHorizonDays(c.get('shop')))));
  app.get('/api/v1/customers', async (c) => jsonText(c, await readCustomersFeed(db, c.get('shop'), c.req.query('since'), c.req.query('limit'), feedCache)));
  app.get('/api/v1/customers/:id', async (c) => jsonText(c, await readCustomerInsight(db, c.get('shop'), c.req.param('id'))));
  app.get('/api/v1/orders/:id/customer', async (c) => jsonText(c, await readOrderCustomerInsight(db, c.get('shop'), c.req.param('id'))));
  // Names for the extension popup's at-risk list: read live from Shopify for display, never stored (nor cached).
  app.get('/api/v1/customer-names', async (c) => {
    const names = await readCustomerNames(graphqlFor(c.get('shop')), c.req.query('ids') ?? '');
    c.header('cache-control', 'no-store');
    return c.json({ names });
  });

  // --- pages a person may open directly: words and a link, never raw JSON
  /** Shopify's `locale` query parameter (embedded apps), else the browser's first Accept-Language. */
  const localeOf = (c: Context) => resolveLocale(c.req.query('locale') ?? c.req.header('accept-language')?.split(',')[0] ?? null);
  app.get('/', (c) => c.html(renderRootPage(localeOf(c)), 200));
  // The pairing link the dashboard gives to copy: opened in a browser, it says where to paste it.
  app.get('/pair', (c) => c.html(renderPairLinkPage(localeOf(c)), 200));

  // --- embedded dashboard (App Bridge session tokens; token exchange on first use)
  app.get('/app', async (c) => {
    const idToken = c.req.query('id_token');
    const locale = localeOf(c);
    // frame-ancestors names the shop only once the session token proved it; the `shop` query parameter is unverified.
    if (!idToken) {
      c.header('content-security-policy', 'frame-ancestors https://admin.shopify.com;');
      return c.html(renderDashboardPage({ apiKey: shopify.config.apiKey, shop: null, locale }), 200);
    }
    const shop = await authenticateSessionToken(installDeps, idToken);
    c.header('content-security-policy', `frame-ancestors https://${shop} https://admin.shopify.com;`);
    return c.html(renderDashboardPage({ apiKey: shopify.config.apiKey, shop, locale }), 200);
  });
  app.use('/app/api/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ApiError('unauthorized', 'Missing the Shopify session token: open the app from the Shopify admin.');
    proveShop(c, await authenticateSessionToken(installDeps, m[1]!));
    await next();
  });
  registerImportRoutes(app, '/app/api', importRouteDeps);
  app.get('/app/api/summary', async (c) => c.json(await readShopSummary(db, clock, c.get('shop'), await settings.churnHorizonDays(c.get('shop')))));
  app.get('/app/api/settings', async (c) => c.json(await settings.read(c.get('shop'))));
  app.put('/app/api/settings', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError('bad-request', 'The body must be JSON, e.g. {"churnHorizonDays":90}.');
    }
    const { settings: saved, changed } = await settings.update(c.get('shop'), body);
    // Another horizon asks another question: the stored models no longer match, so this recompute is a full one.
    if (changed) await jobs.send(QUEUES.recompute, { shop: c.get('shop') });
    return c.json(saved);
  });
  app.get('/app/api/report', async (c) => {
    const row = await db.selectFrom('shop_metrics').select(['report', 'models']).where('shop_id', '=', c.get('shop')).executeTakeFirst();
    if (!row?.report) throw new ApiError('not-found', 'No report yet: the first sync is still running.');
    return jsonText(c, `{"report":${row.report},"models":${row.models ?? 'null'}}`);
  });
  app.post('/app/api/pairing-code', async (c) => c.json(await createPairingCode(db, clock, c.get('shop'))));
  app.post('/app/api/extension-tokens/revoke', async (c) => {
    await revokeExtensionTokens(db, clock, c.get('shop'), null);
    return c.body(null, 204);
  });
  app.get('/app/api/data-requests', async (c) => {
    const rows = await db
      .selectFrom('data_request_exports')
      .select(['request_id', sql<string | null>`customer_id::text`.as('customer_id'), 'payload', 'created_at'])
      .where('shop_id', '=', c.get('shop'))
      .orderBy('created_at', 'desc')
      .execute();
    return c.json(rows.map((r) => ({ requestId: r.request_id, customerId: r.customer_id, createdAtMs: r.created_at.getTime(), data: JSON.parse(r.payload) })));
  });
  // Records ingest or the recompute refused (another currency, a negative amount, a malformed export line), with why.
  app.get('/app/api/quarantine', async (c) => {
    const rows = await db
      .selectFrom('quarantined_records')
      .select(['record_kind', 'record_id', 'reason', 'seen_at'])
      .where('shop_id', '=', c.get('shop'))
      .orderBy('seen_at', 'desc')
      .limit(1000)
      .execute();
    return c.json(rows.map((r) => ({ kind: r.record_kind, id: r.record_id, reason: r.reason, seenAtMs: r.seen_at.getTime() })));
  });
  app.get('/app/api/segments', async (c) => c.json(await readSegmentValues(db, c.get('shop'))));
  // Valuable customers whose churn tier got worse this week (ids and numbers; the page reads names live).
  app.get('/app/api/vip-slipping', async (c) => {
    const shop = await db.selectFrom('shops').select('currency').where('shop_id', '=', c.get('shop')).executeTakeFirst();
    return c.json(await readVipSlipping(db, c.get('shop'), clock.now(), shop?.currency ?? 'USD'));
  });
  // Names for the at-risk list, read live from Shopify for display and never stored (nor cached by the browser).
  app.get('/app/api/customer-names', async (c) => {
    const names = await readCustomerNames(graphqlFor(c.get('shop')), c.req.query('ids') ?? '');
    c.header('cache-control', 'no-store');
    return c.json({ names });
  });
  const dashboardAssets = createDashboardAssets();
  app.get('/app/assets/*', (c) => {
    const asset = dashboardAssets.get(c.req.path);
    if (!asset) throw new ApiError('not-found', `No dashboard asset ${c.req.path}`);
    return c.body(asset.body, 200, { 'content-type': asset.contentType, 'cache-control': 'no-cache' });
  });
  // /healthz: the process answers. /readyz: it should get traffic: the database answers, every migration this build
  // ships is applied, the job system runs, and it is not shutting down.
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    try {
      await sql`SELECT 1`.execute(db);
      checks['database'] = 'ok';
      const pending = await pendingMigrations(db);
      checks['migrations'] = pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')}`;
    } catch (error) {
      checks['database'] = `unreachable: ${(error as Error).message}`;
    }
    checks['jobs'] = jobs.running() ? 'ok' : 'stopped';
    checks['draining'] = draining ? 'yes' : 'no';
    const ready = checks['database'] === 'ok' && checks['migrations'] === 'ok' && checks['jobs'] === 'ok' && !draining;
    return c.json({ ready, checks }, ready ? 200 : 503);
  });

  return {
    fetch: (request, env) => Promise.resolve(app.fetch(request, env)),
    request: (input, init) => Promise.resolve(app.request(input, init)),
    jobs,
    compute,
    backfill,
    reconcile,
    prune,
    syncMetafields,
    resumeBackfills,
    createPairingCode: (shop) => createPairingCode(db, clock, shop),
    graphqlFor,
    metrics,
    drain() {
      draining = true;
    },
    async stop() {
      draining = true;
      stopped = true;
      await warming;
      await jobs.stop();
    },
  };
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) as `1.2.3.4`, so one client has one key. */
function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function errorResponse(c: Context, error: Error, log: Logger): Response {
  if (error instanceof ApiError) {
    return c.json({ error: { code: error.code, message: error.message } }, API_ERROR_STATUS[error.code] as 400);
  }
  if (error instanceof AppError && error.code === 'bad-payload') {
    return c.json({ error: { code: 'bad-request', message: error.message } }, 400);
  }
  log.error('request failed', { path: new URL(c.req.url).pathname, message: error.message, code: (error as { code?: unknown }).code });
  return c.json({ error: { code: 'internal', message: 'Internal error; see the app log.' } }, 500);
}

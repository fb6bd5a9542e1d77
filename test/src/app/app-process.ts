// The app in its own process, for tests that kill it (-9) or run two of them on one PostgreSQL. Started by
// child_process.fork with the configuration in env; answers the parent over IPC.
import { enableCompileCache, flushCompileCache } from 'node:module';

// As shopify-app/src/server.ts: the compile cache before the app is loaded, so a process the benches restart after a
// kill starts as a restarted production process does; its worker threads use it through the variable, as there
// (shopify-app/src/ops/compile-cache.ts, not in the package's public entry).
const compileCache = enableCompileCache();
if (compileCache.directory !== undefined) process.env['NODE_COMPILE_CACHE'] ??= compileCache.directory;
const { loadOrderRecords, startAppServer, silentLogger, createShopifyApi, QUEUES } = await import('@clvlens/shopify-app');
const { fakeShopifyFetch, installFakeShopifyFetch } = await import('../fake-shopify/fetch.ts');

const env = process.env;
const fakeUrl = env['FAKE_SHOPIFY_URL']!;
await installFakeShopifyFetch(fakeUrl);
const handled: Record<string, number> = {};
const server = await startAppServer({
  apiKey: env['APP_API_KEY']!,
  apiSecretKey: env['APP_API_SECRET']!,
  appUrl: 'https://clvlens.example.com',
  encryptionKey: env['APP_ENCRYPTION_KEY']!,
  databaseUrl: env['APP_DATABASE_URL'] || undefined,
  dataDir: env['APP_DATA_DIR'] || undefined,
  // A fixed port lets a restarted process come back where a load balancer expects it (pg-processes bench).
  port: env['APP_PORT'] ? Number(env['APP_PORT']) : 0,
  shopify: createShopifyApi({ apiKey: env['APP_API_KEY']!, apiSecretKey: env['APP_API_SECRET']!, appUrl: 'https://clvlens.example.com' }),
  log: {
    ...silentLogger,
    // Errors go to stderr: a bench that fails on an HTTP 500 then says why.
    error(message, context) {
      console.error(`app process ${process.pid}: ${message}`, JSON.stringify(context ?? {}));
    },
    // The job holds' warnings go to stderr: a bench then shows the jobs a killed process left being retried, and any
    // job wrongly taken from a live one.
    warn(message, context) {
      if (message.startsWith('job holds') || message.includes('process that is gone'))
        console.error(`app process ${process.pid}: ${message}`, JSON.stringify(context ?? {}));
    },
    info(message, context) {
      handled[message] = (handled[message] ?? 0) + 1;
      if (typeof context?.['mode'] === 'string') handled[`${message} (${context['mode']})`] = (handled[`${message} (${context['mode']})`] ?? 0) + 1;
    },
  },
  appOptions: {
    fetch: fakeShopifyFetch(fakeUrl),
    // Tests that compare the shop-wide figures right after webhooks set 1; benches keep the production default.
    ...(env['APP_SHOP_METRICS_DELAY_SECONDS'] ? { shopMetricsDelaySeconds: Number(env['APP_SHOP_METRICS_DELAY_SECONDS']) } : {}),
    ...(env['APP_SHOP_METRICS_MAX_DELAY_SECONDS'] ? { shopMetricsMaxDelaySeconds: Number(env['APP_SHOP_METRICS_MAX_DELAY_SECONDS']) } : {}),
    backfill: {
      pollMs: 50,
      batchSize: Number(env['APP_BACKFILL_BATCH'] ?? 5000),
      // Chaos test: die like kill -9 once this many JSONL lines are committed.
      onProgress: (_shop, linesDone) => {
        if (env['APP_KILL_AFTER_LINES'] && linesDone >= Number(env['APP_KILL_AFTER_LINES'])) process.kill(process.pid, 'SIGKILL');
      },
    },
  },
});

type Request = { id: number; type: 'status' | 'reconcile' | 'recompute-full' | 'dump' | 'stop'; shop?: string };

process.on('message', (raw) => {
  const msg = raw as Request;
  const reply = (value: unknown): void => {
    process.send?.({ id: msg.id, value });
  };
  const fail = (error: unknown): void => {
    process.send?.({ id: msg.id, error: String((error as Error)?.stack ?? error) });
  };
  const db = server.database.db;
  const shop = msg.shop ?? '';
  const run = async (): Promise<unknown> => {
    switch (msg.type) {
      case 'status': {
        const sync = await db.selectFrom('sync_state').selectAll().where('shop_id', '=', shop).executeTakeFirst();
        const queued = await db.selectFrom('recompute_queue').select('customer_id').where('shop_id', '=', shop).execute();
        const metrics = await db.selectFrom('shop_metrics').select(['computed_at']).where('shop_id', '=', shop).executeTakeFirst();
        // The shop's computations queued or running: a refresh of its metrics waits a while after a recompute.
        const computing = await server.database.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'shop' = $1
             AND name = ANY($2::text[]) AND state IN ('created', 'retry', 'active')`,
          [shop, [QUEUES.recompute, QUEUES.shopMetrics, QUEUES.fullRun, QUEUES.fullRunBucket]],
        );
        return { sync: sync ?? null, queued: queued.length, computing: computing.rows[0]!.n, computedAtMs: metrics?.computed_at.getTime() ?? null, handled };
      }
      case 'reconcile':
        return server.app.reconcile(shop);
      case 'recompute-full':
        return server.app.compute.recomputeShop(shop, { full: true });
      case 'dump': {
        const orders = await loadOrderRecords(db, shop);
        const insights = await db.selectFrom('customer_insights').select(['customer_id', 'deleted', 'payload']).where('shop_id', '=', shop).execute();
        const metrics = await db.selectFrom('shop_metrics').select(['payload', 'models']).where('shop_id', '=', shop).executeTakeFirst();
        return { orders, insights, summary: metrics ? JSON.parse(metrics.payload) : null, models: metrics?.models ? JSON.parse(metrics.models) : null };
      }
      case 'stop':
        await server.stop();
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  run().then(reply, fail);
});

// As the production entry (server.ts) does: SIGTERM stops gracefully (requests in flight answered, jobs released).
process.on('SIGTERM', () => {
  server.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

// The test or bench that forked this process is gone (killed, out of memory) without stopping it: so is its purpose,
// and a process left running would take CPU and database connections from whatever runs next.
process.on('disconnect', () => process.exit(1));

flushCompileCache();
process.send?.({ ready: true, url: server.url, pid: process.pid });

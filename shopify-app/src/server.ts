// The only module that reads the environment and listens: `node shopify-app/src/server.ts`.
import { flushCompileCache } from 'node:module';
import { enableCompileCacheForThreads } from './ops/compile-cache.ts';

// Node's compile cache (in NODE_COMPILE_CACHE, else the OS's temp directory) keeps the app's modules with their types
// stripped and compiled, so a process restarted by a supervisor or a rolling deploy loads them in 0.64-0.66 s of wall
// time and 0.87-0.89 s of CPU instead of 0.94-0.99 s and 1.33-1.37 s (2026-12-07, 2-core AMD EPYC VM). Enabled before
// the app is loaded (hence the dynamic import), written once it has started (below), not only at a clean exit, since a
// process killed (-9) never exits cleanly. NODE_DISABLE_COMPILE_CACHE=1 turns it off. The worker threads (a large
// shop's metrics and fits) use it too (ops/compile-cache.ts).
enableCompileCacheForThreads();
const { startAppServer } = await import('./start.ts');

const env = process.env;

// The handlers are in place before the server starts: a SIGTERM that came between the "app listening" line and the
// end of the start (a supervisor, or a test, reacting to that line) found none and killed the process with no exit code.
// A signal during the start now stops the server as soon as it has started.
let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  started
    .then((server) => server.stop())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const started = startAppServer({
  apiKey: env['SHOPIFY_API_KEY'] ?? '',
  apiSecretKey: env['SHOPIFY_API_SECRET'] ?? '',
  appUrl: env['SHOPIFY_APP_URL'] ?? '',
  encryptionKey: env['CLVLENS_ENCRYPTION_KEY'] ?? '',
  databaseUrl: env['DATABASE_URL'] || undefined,
  dataDir: env['CLVLENS_DATA_DIR'] || undefined,
  port: env['PORT'] ? Number(env['PORT']) : undefined,
  host: env['HOST'] || undefined,
  metricsPort: env['CLVLENS_METRICS_PORT'] ? Number(env['CLVLENS_METRICS_PORT']) : undefined,
  metricsHost: env['CLVLENS_METRICS_HOST'] || undefined,
  extensionOrigins: (env['CLVLENS_EXTENSION_ORIGINS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
  appOptions: {
    previousApiSecretKeys: (env['SHOPIFY_PREVIOUS_API_SECRETS'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
    previousEncryptionKeys: (env['CLVLENS_PREVIOUS_ENCRYPTION_KEYS'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
    ...(env['CLVLENS_SPLIT_MIN_ORDERS'] || env['CLVLENS_SPLIT_BUCKETS']
      ? {
          splitFullRun: {
            ...(env['CLVLENS_SPLIT_MIN_ORDERS'] ? { minOrders: Number(env['CLVLENS_SPLIT_MIN_ORDERS']) } : {}),
            ...(env['CLVLENS_SPLIT_BUCKETS'] ? { buckets: Number(env['CLVLENS_SPLIT_BUCKETS']) } : {}),
          },
        }
      : {}),
    ...(env['CLVLENS_CHURN_HORIZON_DAYS'] ? { compute: { churnHorizonDays: Number(env['CLVLENS_CHURN_HORIZON_DAYS']) } } : {}),
    trustedProxies: (env['CLVLENS_TRUSTED_PROXIES'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  },
});
await started;
flushCompileCache();

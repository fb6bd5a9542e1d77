// The app server in its own process on a PGlite directory, for tests that kill it (-9) and start it again. Reports
// `{ ready, url, pid }` or `{ failed: { code, message } }` over IPC. Env: APP_DATA_DIR, or APP_DATABASE_URL (PostgreSQL);
// APP_WORKERS=1 runs the background workers; APP_BLOCK_RECOMPUTE=1 then holds every recompute job active forever,
// after reporting `{ recomputeStarted: shop }`, so a test can kill the process while the job is active.
import { silentLogger } from '../log.ts';
import { createShopifyApi } from '../shopify/config.ts';
import { startAppServer } from '../start.ts';
import { TEST_KEY, TEST_SECRET } from './http-server.ts';

try {
  const server = await startAppServer({
    apiKey: 'test-key',
    apiSecretKey: TEST_SECRET,
    appUrl: 'https://app.example.com',
    encryptionKey: TEST_KEY,
    dataDir: process.env['APP_DATA_DIR'],
    databaseUrl: process.env['APP_DATABASE_URL'] || undefined,
    port: 0,
    shopify: createShopifyApi({ apiKey: 'test-key', apiSecretKey: TEST_SECRET, appUrl: 'https://app.example.com' }),
    log: silentLogger,
    appOptions: {
      workers: process.env['APP_WORKERS'] === '1',
      ...(process.env['APP_BLOCK_RECOMPUTE'] === '1'
        ? {
            beforeRecompute: (shop: string) => {
              process.send?.({ recomputeStarted: shop });
              return new Promise<void>(() => undefined);
            },
          }
        : {}),
    },
  });
  process.send?.({ ready: true, url: server.url, pid: process.pid });
  process.on('message', (msg) => {
    if (msg === 'stop') void server.stop().then(() => process.exit(0));
  });
} catch (error) {
  process.send?.({ failed: { code: (error as { code?: string }).code ?? null, message: (error as Error).message } }, () => process.exit(1));
}

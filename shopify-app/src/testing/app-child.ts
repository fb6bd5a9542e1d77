// The app server in its own process on a PGlite directory, for tests that kill it (-9) and start it again. Reports
// `{ ready, url, pid }` or `{ failed: { code, message } }` over IPC. Env: APP_DATA_DIR.
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
    port: 0,
    shopify: createShopifyApi({ apiKey: 'test-key', apiSecretKey: TEST_SECRET, appUrl: 'https://app.example.com' }),
    log: silentLogger,
    appOptions: { workers: false },
  });
  process.send?.({ ready: true, url: server.url, pid: process.pid });
  process.on('message', (msg) => {
    if (msg === 'stop') void server.stop().then(() => process.exit(0));
  });
} catch (error) {
  process.send?.({ failed: { code: (error as { code?: string }).code ?? null, message: (error as Error).message } }, () => process.exit(1));
}

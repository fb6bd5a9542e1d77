import type { AppOptions } from '../app.ts';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { silentLogger, type Logger } from '../log.ts';
import { createShopifyApi } from '../shopify/config.ts';
import { startAppServer, type AppServer } from '../start.ts';
import { signedWebhook } from './webhook-request.ts';

export const TEST_SECRET = 'test-secret';
export const TEST_KEY = 'a'.repeat(64);

/** The real app server on a throwaway test database, listening on an ephemeral loopback port (tests). */
export interface TestHttpServer {
  server: AppServer;
  database: Database;
  url: string;
  /** Sends a signed webhook delivery over HTTP (compliance topics to `/webhooks/compliance`). */
  webhook(shop: string, topic: string, payload: unknown, options?: { webhookId?: string; badHmac?: boolean }): Promise<Response>;
  /** Sends a request built for `http://localhost/...` to the server instead. */
  send(request: Request): Promise<Response>;
  stop(): Promise<void>;
}

const COMPLIANCE = new Set(['customers/data_request', 'customers/redact', 'shop/redact']);

export async function startTestHttpServer(
  options: { database?: Database; clock?: AppOptions['clock']; log?: Logger; appOptions?: Partial<AppOptions>; encryptionKey?: string } = {},
): Promise<TestHttpServer> {
  const database = options.database ?? (await createTestDatabase());
  const shopify = createShopifyApi({ apiKey: 'test-key', apiSecretKey: TEST_SECRET, appUrl: 'https://app.example.com' });
  const server = await startAppServer({
    apiKey: 'test-key',
    apiSecretKey: TEST_SECRET,
    appUrl: 'https://app.example.com',
    encryptionKey: options.encryptionKey ?? TEST_KEY,
    database,
    shopify,
    port: 0,
    log: options.log ?? silentLogger,
    appOptions: { workers: false, ...(options.clock ? { clock: options.clock } : {}), ...options.appOptions },
  });
  const send = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    return fetch(`${server.url}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, ...(body ? { body } : {}) });
  };
  return {
    server,
    database,
    url: server.url,
    send,
    webhook: (shop, topic, payload, opts = {}) =>
      send(signedWebhook(TEST_SECRET, shop, topic, payload, { ...opts, ...(COMPLIANCE.has(topic) ? { path: '/webhooks/compliance' } : {}) })),
    async stop() {
      await server.stop();
      if (!options.database) await database.close();
    },
  };
}

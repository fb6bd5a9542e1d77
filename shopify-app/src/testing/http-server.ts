import { Session } from '@shopify/shopify-api';
import { createHmac, randomUUID } from 'node:crypto';
import type { AppOptions } from '../app.ts';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { silentLogger, type Logger } from '../log.ts';
import { KyselySessionStorage } from '../sessions/session-storage.ts';
import { createTokenCipher } from '../sessions/token-cipher.ts';
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
  /**
   * Makes the shop installed and active (shops row, an encrypted offline session), as a finished token exchange would,
   * so the dashboard API accepts session tokens from {@link sessionToken} without calling Shopify.
   */
  installShop(shop: string, currency?: string): Promise<void>;
  /** An App Bridge session token for the shop (HS256 with the app secret), valid for a minute. */
  sessionToken(shop: string): string;
  /** Calls the dashboard API (`/app/api/...`) with a session token. */
  dashboard(shop: string, path: string, init?: RequestInit): Promise<Response>;
  /** Sends a request built for `http://localhost/...` to the server instead. */
  send(request: Request): Promise<Response>;
  stop(): Promise<void>;
}

const COMPLIANCE = new Set(['customers/data_request', 'customers/redact', 'shop/redact']);

export async function startTestHttpServer(
  options: {
    database?: Database;
    clock?: AppOptions['clock'];
    log?: Logger;
    appOptions?: Partial<AppOptions>;
    encryptionKey?: string;
    metricsPort?: number;
  } = {},
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
    ...(options.metricsPort !== undefined ? { metricsPort: options.metricsPort } : {}),
    log: options.log ?? silentLogger,
    appOptions: { workers: false, ...(options.clock ? { clock: options.clock } : {}), ...options.appOptions },
  });
  const send = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    return fetch(`${server.url}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, ...(body ? { body } : {}) });
  };
  const sessionToken = (shop: string): string => {
    const nowS = Math.floor(Date.now() / 1000);
    const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: `https://${shop}/admin`, dest: `https://${shop}`, aud: 'test-key', sub: '1', exp: nowS + 60, nbf: nowS - 5, iat: nowS, jti: randomUUID(), sid: randomUUID() })}`;
    return `${body}.${createHmac('sha256', TEST_SECRET).update(body).digest('base64url')}`;
  };
  return {
    server,
    database,
    url: server.url,
    send,
    async installShop(shop, currency = 'USD') {
      await database.db
        .insertInto('shops')
        .values({ shop_id: shop, currency, iana_timezone: 'UTC', status: 'active' })
        .onConflict((oc) => oc.column('shop_id').doUpdateSet({ status: 'active', currency }))
        .execute();
      const storage = new KyselySessionStorage(database.db, createTokenCipher(options.encryptionKey ?? TEST_KEY));
      await storage.storeSession(new Session({ id: `offline_${shop}`, shop, state: 'test', isOnline: false, accessToken: `shpat_test_${shop}` }));
    },
    sessionToken,
    dashboard: (shop, path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${sessionToken(shop)}`, ...(init.headers as Record<string, string> | undefined) },
      }),
    webhook: (shop, topic, payload, opts = {}) =>
      send(signedWebhook(TEST_SECRET, shop, topic, payload, { ...opts, ...(COMPLIANCE.has(topic) ? { path: '/webhooks/compliance' } : {}) })),
    async stop() {
      await server.stop();
      if (!options.database) await database.close();
    },
  };
}

import { serve } from '@hono/node-server';
import type { Shopify } from '@shopify/shopify-api';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppOptions } from './app.ts';
import { createDatabase, type Database } from './db/connect.ts';
import { AppError } from './errors.ts';
import { createJsonLogger, type Logger } from './log.ts';
import { createShopifyApi } from './shopify/config.ts';

/** How long an idle keep-alive connection stays open, ms: longer than load balancers keep theirs (see startAppServer). */
export const HTTP_KEEP_ALIVE_MS = 75_000;

/** Configuration of {@link startAppServer}; `server.ts` fills it from the environment. */
export interface AppServerConfig {
  apiKey: string;
  apiSecretKey: string;
  /** Public URL of the app (Shopify's `application_url`). */
  appUrl: string;
  /** AES-256-GCM key for tokens at rest: 64 hex chars (`openssl rand -hex 32`). */
  encryptionKey: string;
  /** An already open database to use (tests); `stop()` then leaves it open. Otherwise one is opened from the URL/dir. */
  database?: Database | undefined;
  /** PostgreSQL URL; when absent, PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite directory. Default `./data/pglite`. */
  dataDir?: string | undefined;
  /** Listen port; 0 = ephemeral. Default 3000. */
  port?: number | undefined;
  /** Listen address. Default 127.0.0.1. */
  host?: string | undefined;
  /** Port of the Prometheus `/metrics` endpoint, on its own listener so it is never public; none when absent. 0 = ephemeral. */
  metricsPort?: number | undefined;
  /** Listen address of the metrics endpoint. Default 127.0.0.1. */
  metricsHost?: string | undefined;
  extensionOrigins?: readonly string[] | undefined;
  log?: Logger | undefined;
  /** A prebuilt `@shopify/shopify-api` object (tests, demo); default built from apiKey/apiSecretKey/appUrl. */
  shopify?: Shopify | undefined;
  /** Passed to {@link createApp}. */
  appOptions?: Partial<Omit<AppOptions, 'database' | 'shopify' | 'encryptionKey'>> | undefined;
}

/** A listening app server. */
export interface AppServer {
  /** `http://host:port` it listens on. */
  url: string;
  /** `http://host:port/metrics` when a metrics port was given. */
  metricsUrl: string | null;
  app: App;
  database: Database;
  /**
   * Stops gracefully: `/readyz` turns 503, no new connection is accepted, requests in flight are answered, running jobs
   * finish (pg-boss graceful stop) or are handed back for a retry, then the database closes (and the PGlite lock is
   * released).
   */
  stop(): Promise<void>;
}

/**
 * Opens the database (migrating it), builds the app and listens. Used by `server.ts` and by the demo.
 * @example const server = await startAppServer({ apiKey, apiSecretKey, appUrl, encryptionKey, port: 0 });
 */
export async function startAppServer(config: AppServerConfig): Promise<AppServer> {
  for (const [name, value] of Object.entries({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecretKey,
    appUrl: config.appUrl,
    encryptionKey: config.encryptionKey,
  })) {
    if (!value) throw new AppError('config', `startAppServer: ${name} is required (see shopify-app/README.md, Configuration).`);
  }
  const log = config.log ?? createJsonLogger();
  const ownDatabase = config.database === undefined;
  const database = config.database ?? (await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log }));
  let app: App;
  try {
    const shopify = config.shopify ?? createShopifyApi({ apiKey: config.apiKey, apiSecretKey: config.apiSecretKey, appUrl: config.appUrl });
    app = await createApp({
      ...config.appOptions,
      database,
      shopify,
      encryptionKey: config.encryptionKey,
      log,
      ...(config.extensionOrigins ? { extensionOrigins: config.extensionOrigins } : {}),
    });
  } catch (error) {
    if (ownDatabase) await database.close();
    throw error;
  }
  const host = config.host ?? '127.0.0.1';
  const wanted = config.port ?? 3000;
  let listening: { server: ReturnType<typeof serve>; port: number };
  try {
    listening = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: wanted, hostname: host }, (info: AddressInfo) => {
        s.off('error', reject);
        resolve({ server: s, port: info.port });
      });
      // Without this a port in use (EADDRINUSE) is an unhandled 'error' event that ends the process with a stack trace.
      s.once('error', reject);
    });
  } catch (error) {
    // The jobs already started: stop them (and a database opened here) so nothing outlives the failed start.
    await app.stop();
    if (ownDatabase) await database.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError(
      'config',
      code === 'EADDRINUSE'
        ? `startAppServer: port ${wanted} on ${host} is in use by another process. Stop it or set PORT to a free port.`
        : `startAppServer: could not listen on ${host}:${wanted} (${(error as Error).message}).`,
      { cause: error },
    );
  }
  const { server, port } = listening;
  // Idle keep-alive connections stay open longer than a load balancer keeps its idle upstream connections (nginx and
  // AWS ALB: 60 s). With Node's 5 s the process closed connections the balancer was reusing at that moment; the
  // request on one failed (ECONNRESET), and nginx then counted the process as failed (max_fails) while it answered
  // fine: with several processes at once it had none left and answered 502 (pg-shops bench, 250 shops).
  const http = server as unknown as { keepAliveTimeout: number; headersTimeout: number };
  http.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
  http.headersTimeout = HTTP_KEEP_ALIVE_MS + 1000;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const metricsServer = config.metricsPort === undefined ? null : await serveMetrics(app, config.metricsHost ?? '127.0.0.1', config.metricsPort);
  log.info('app listening', { url, database: database.kind, metrics: metricsServer?.url ?? null });
  let stopped: Promise<void> | null = null;
  return {
    url,
    metricsUrl: metricsServer?.url ?? null,
    app,
    database,
    stop() {
      stopped ??= (async () => {
        app.drain();
        // close() stops accepting and resolves once every open connection is done; idle keep-alive connections
        // would hold it open, so they are closed now, and busy ones as soon as their response is sent.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const http = server as unknown as { closeIdleConnections?: () => void };
        http.closeIdleConnections?.();
        const idleSweep = setInterval(() => http.closeIdleConnections?.(), 50);
        await closed;
        clearInterval(idleSweep);
        await app.stop();
        await metricsServer?.close();
        if (ownDatabase) await database.close();
        log.info('app stopped', { url });
      })();
      return stopped;
    },
  };
}

/** The `/metrics` listener: Prometheus text format from the app's registry, nothing else. */
async function serveMetrics(app: App, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics here.\n');
      return;
    }
    app.metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': app.metrics.registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

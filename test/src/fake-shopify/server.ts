import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminGraphql } from './admin-graphql.ts';
import { createBulkOperations } from './bulk-operations.ts';
import { createFakeContext, type FakeContext } from './context.ts';
import { createControl } from './control.ts';
import { handleControl } from './control-http.ts';
import { FakeShopifyError } from './errors.ts';
import { createFaults } from './faults.ts';
import { FlowTriggerReceiver, loadFlowTriggers } from './flow-triggers.ts';
import { normalizeDomain, send } from './http.ts';
import { OAuthServer } from './oauth.ts';
import { createOAuthRoutes } from './oauth-routes.ts';
import type { CreateFakeShopifyOptions, FakeShopify } from './public-types.ts';
import { createThrottle } from './throttle.ts';
import { createWebhookSubscriptions } from './webhook-subscriptions.ts';

export type {
  AppWebhookSubscription,
  CreateFakeShopifyOptions,
  CreateShopInput,
  CustomerMetafieldView,
  FakeShopify,
  FakeShopifyControl,
  FaultSpec,
  PrebuiltBulkFile,
  RefundInput,
} from './public-types.ts';

/** Which shop a request is for: a `/_shop/<shop>` path prefix, else `X-Forwarded-Host`, else `Host`. */
function shopOf(req: IncomingMessage, path: string): { shop: string | null; path: string } {
  const m = /^\/_shop\/([^/]+)(\/.*)$/.exec(path);
  if (m !== null) return { shop: normalizeDomain(decodeURIComponent(m[1] as string)), path: m[2] as string };
  const fwd = req.headers['x-forwarded-host'];
  const host = (Array.isArray(fwd) ? fwd[0] : fwd) ?? req.headers.host ?? '';
  const h = host.toLowerCase().replace(/:\d+$/, '');
  return { shop: h.endsWith('.myshopify.com') ? h : null, path };
}

/**
 * Starts a fake Shopify on loopback: token endpoint, GraphQL Admin API subset, bulk operations, webhooks, a
 * control API. Route a request to a shop with the `X-Forwarded-Host: <shop>` header (what {@link fakeShopifyFetch}
 * adds), a `/_shop/<shop>` path prefix, or a `Host: <shop>` header.
 *
 * This function only assembles the parts, one factory per concern over a shared {@link FakeContext}, and routes
 * requests to them.
 */
export async function createFakeShopify(options: CreateFakeShopifyOptions): Promise<FakeShopify> {
  const ctx = createFakeContext(options);
  const oauth = new OAuthServer({
    apiKey: options.appApiKey,
    apiSecret: options.appSecret,
    scopes: ctx.scopes,
    nowMs: ctx.clock.nowMs,
    isInstalled: (shop) => ctx.stores.get(shop)?.installed ?? false,
  });
  const flow = new FlowTriggerReceiver(loadFlowTriggers(options.extensionsDir));
  const webhooks = createWebhookSubscriptions(ctx);
  const throttle = createThrottle(ctx);
  const bulk = await createBulkOperations(ctx, webhooks);
  const faults = createFaults();
  const graphql = createAdminGraphql(ctx, { oauth, throttle, bulk, webhooks, flow });
  const oauthRoutes = createOAuthRoutes(ctx, oauth);
  const control = createControl(ctx, { oauth, webhooks, throttle, bulk, faults, flow });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.local');
    if (url.pathname.startsWith('/_control/')) return handleControl(req, res, url, control);
    const bulkMatch = /^\/_bulk\/([0-9a-f]+)\.jsonl$/.exec(url.pathname);
    if (bulkMatch !== null && req.method === 'GET') {
      if (await faults.apply('bulk-file', null, res)) return;
      return bulk.serveFile(bulkMatch[1] as string, res);
    }
    const { shop, path } = shopOf(req, url.pathname);
    if (shop === null) {
      return send(res, 404, { errors: 'Unknown shop: send X-Forwarded-Host: <shop>.myshopify.com or use /_shop/<shop>/...' });
    }
    if (path === '/admin/oauth/access_token' && req.method === 'POST') {
      if (await faults.apply('oauth', shop, res)) return;
      return oauthRoutes.accessToken(req, res, shop);
    }
    if (path === '/admin/oauth/authorize' && req.method === 'GET') return oauthRoutes.authorize(res, shop, url);
    const gm = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path);
    if (gm !== null && req.method === 'POST') {
      if (await faults.apply('graphql', shop, res)) return;
      return graphql(req, res, shop, gm[1] as string);
    }
    send(res, 404, { errors: 'Not Found' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof FakeShopifyError) {
        if (!res.headersSent)
          send(res, e.code === 'UNKNOWN_SHOP' || e.code === 'UNKNOWN_ORDER' || e.code === 'UNKNOWN_CUSTOMER' ? 404 : 400, { code: e.code, message: e.message });
        return;
      }
      process.emitWarning(`fake-shopify: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) send(res, 500, { errors: 'Internal Server Error' });
      else res.destroy();
    });
  });
  // Idle connections stay open 5 s (Node's default), so a client reuses its connection between calls, as HTTP/1.1
  // clients of any web API expect. 1 s made every call of the app a new TCP connection: undici takes a 1 s safety
  // margin off the server's keep-alive hint and closes the socket when nothing is left, a connect and close (on real
  // Shopify also a TLS handshake) per call that skewed the app's CPU in the scale benches. `stop` closes every
  // connection, idle or not.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  ctx.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: ctx.baseUrl,
    port,
    control,
    app: { apiKey: options.appApiKey, apiSecret: options.appSecret, scopes: ctx.scopes },
    async stop() {
      webhooks.stop();
      await bulk.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await bulk.removeFiles();
    },
  };
}

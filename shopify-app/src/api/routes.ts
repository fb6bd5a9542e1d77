import type { Context } from 'hono';
import { cors } from 'hono/cors';
import type { AppContext } from '../context.ts';
import { readCustomerNames } from '../shopify/customer-names.ts';
import { registerImportRoutes } from '../imports/routes.ts';
import { jsonText, proveShop, type AppHono } from '../middlewares.ts';
import { ApiError } from '../errors.ts';
import { authenticateExtensionToken, redeemPairingCode, revokeExtensionTokens, rotateExtensionToken } from './pairing.ts';
import { readCustomerInsight, readCustomersFeed, readOrderCustomerInsight, readShopSummary } from './read.ts';

/** Failed pairing attempts per client are counted in windows of this length, ms. */
const PAIR_WINDOW_MS = 60_000;
/** Failed attempts a client may make per window. */
const PAIR_ATTEMPTS = 10;

/**
 * The extension API, `/api/v1/*`: CORS for the configured extension origins, pairing (`POST /api/v1/pair`, rate
 * limited per client), the bearer-token check, and the reads the extension makes.
 */
export function registerApiRoutes(app: AppHono, ctx: AppContext): void {
  const { db, clock, settings } = ctx;
  const origins = new Set(ctx.options.extensionOrigins ?? []);
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
  app.post('/api/v1/pair', createPairRoute(ctx));
  app.use('/api/v1/*', async (c, next) => {
    if (c.req.path === '/api/v1/pair' || c.req.method === 'OPTIONS') return next();
    const token = bearer(c);
    proveShop(c, await authenticateExtensionToken(db, clock, token));
    c.set('token', token);
    await next();
  });
  // Survey and spend uploads for scripts, with the token a paired extension got (README "Automation").
  registerImportRoutes(app, '/api/v1', ctx);
  app.post('/api/v1/token/rotate', async (c) => c.json(await rotateExtensionToken(db, clock, c.get('shop'), c.get('token'))));
  app.post('/api/v1/unpair', async (c) => {
    await revokeExtensionTokens(db, clock, c.get('shop'), c.get('token'));
    return c.body(null, 204);
  });
  app.get('/api/v1/shop/summary', async (c) => c.json(await readShopSummary(db, clock, c.get('shop'), await settings.churnHorizonDays(c.get('shop')))));
  app.get('/api/v1/customers', async (c) => jsonText(c, await readCustomersFeed(db, c.get('shop'), c.req.query('since'), c.req.query('limit'), ctx.feedCache)));
  app.get('/api/v1/customers/:id', async (c) => jsonText(c, await readCustomerInsight(db, c.get('shop'), c.req.param('id'))));
  app.get('/api/v1/orders/:id/customer', async (c) => jsonText(c, await readOrderCustomerInsight(db, c.get('shop'), c.req.param('id'))));
  // Names for the extension popup's at-risk list: read live from Shopify for display, never stored (nor cached).
  app.get('/api/v1/customer-names', async (c) => {
    const names = await readCustomerNames(ctx.graphqlFor(c.get('shop')), c.req.query('ids') ?? '');
    c.header('cache-control', 'no-store');
    return c.json({ names });
  });
}

/**
 * `POST /api/v1/pair`: redeems the code the dashboard shows for an extension token. Failed attempts are limited per
 * client, a minute window each. The client is the socket's address: X-Forwarded-For is read only from a configured
 * trusted proxy (the rightmost address it did not add itself), since anyone can send it.
 */
function createPairRoute(ctx: AppContext): (c: Context) => Promise<Response> {
  const { db, clock } = ctx;
  const trustedProxies = new Set((ctx.options.trustedProxies ?? []).map(normalizeAddress));
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
  const pairAttempts = new Map<string, { count: number; windowStartMs: number }>();
  let pairAttemptsSweptMs = 0;
  return async (c) => {
    const client = clientAddress(c);
    const now = clock.now();
    if (now - pairAttemptsSweptMs >= PAIR_WINDOW_MS) {
      // Windows that ended are forgotten, so many distinct clients cannot grow the map without bound.
      pairAttemptsSweptMs = now;
      for (const [key, entry] of pairAttempts) if (now - entry.windowStartMs >= PAIR_WINDOW_MS) pairAttempts.delete(key);
    }
    const attempts = pairAttempts.get(client);
    if (attempts && now - attempts.windowStartMs < PAIR_WINDOW_MS && attempts.count >= PAIR_ATTEMPTS) {
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
  };
}

/** The token of an `Authorization: Bearer <token>` header; 401 without one. */
function bearer(c: Context): string {
  const header = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new ApiError('unauthorized', 'Missing "Authorization: Bearer <token>": pair the extension first.');
  return m[1]!;
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) as `1.2.3.4`, so one client has one key. */
function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

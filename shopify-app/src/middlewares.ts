import { randomUUID } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppContext } from './context.ts';
import type { Logger } from './log.ts';
import { API_ERROR_STATUS, ApiError, AppError } from './errors.ts';
import { isImportPath, MAX_IMPORT_BYTES } from './imports/routes.ts';
import { acceptRequestId, requestScope } from './ops/request-context.ts';

/** Hono bindings of every route: the shop a request proved (webhook HMAC, extension token, session token). */
export type AppEnv = { Variables: { shop: string; token: string } };
export type AppHono = Hono<AppEnv>;

/** Records the shop a request proved, on the request and on each log line written for it from now on. */
export function proveShop(c: Context, shop: string): void {
  c.set('shop', shop);
  const scope = requestScope.getStore();
  if (scope) scope.shop = shop;
}

/** A JSON body that is already text or UTF-8 bytes (stored payloads, feed pages), sent as is. */
export function jsonText(c: Context, text: string | Uint8Array<ArrayBuffer>): Response {
  return c.body(text, 200, { 'content-type': 'application/json; charset=utf-8' });
}

/**
 * The app-wide middlewares, registered before every route: the request scope and access log, the one error handler,
 * body limits and the not-found answer.
 */
export function registerMiddlewares(app: AppHono, ctx: AppContext): void {
  const { log, options } = ctx;
  // Every request runs in a scope whose id (the load balancer's X-Request-Id, or a new one) and, once proven, shop are
  // on each log line written meanwhile; one access line per request; the id goes back in the response.
  app.use('*', async (c, next) => {
    const scope = { requestId: acceptRequestId(c.req.header('x-request-id'), randomUUID) };
    const started = performance.now();
    await requestScope.run(scope, next);
    setResponseHeader(c, 'x-request-id', scope.requestId);
    log.info('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started), ...scope });
  });

  app.onError((error, c) => errorResponse(c, error, log));
  const tooLarge =
    (limit: number) =>
    (c: Context): Response =>
      c.json({ error: { code: 'payload-too-large', message: `The request body is larger than ${limit} bytes.` } }, 413);
  const webhookLimit = options.maxBodyBytes?.webhooks ?? 5 * 1024 * 1024;
  const otherLimit = options.maxBodyBytes?.other ?? 64 * 1024;
  const webhookBodyLimit = limitBody(webhookLimit, tooLarge(webhookLimit));
  const otherBodyLimit = limitBody(otherLimit, tooLarge(otherLimit));
  const importBodyLimit = limitBody(MAX_IMPORT_BYTES, tooLarge(MAX_IMPORT_BYTES));
  app.use('*', (c, next) =>
    (c.req.path === '/webhooks' || c.req.path.startsWith('/webhooks/') ? webhookBodyLimit : isImportPath(c.req.path) ? importBodyLimit : otherBodyLimit)(
      c,
      next,
    ),
  );
  app.notFound((c) => c.json({ error: { code: 'not-found', message: `No route ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404));
}

/**
 * Sets a header on the finished response in place. `c.header()` after `next()` rebuilds the response: it asks for
 * `bodyUsed`, which makes @hono/node-server build a web `Response` for what it would otherwise write straight from
 * its cached status, body and headers, and the copy's body is a stream that is then read back chunk by chunk. Every
 * response paid that: 20-35 µs of CPU a request on a bare route (10 alternating runs, README), against about 800 µs a
 * webhook costs an app process in all. A response whose headers are immutable (`Response.redirect`, a proxied
 * `fetch`) is rebuilt as before.
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    c.header(name, value);
  }
}

/**
 * A body limit that judges a request with a Content-Length (and no Transfer-Encoding) by that header alone, and hands
 * any other request to hono's `bodyLimit`, which counts the bytes as they arrive. Hono's middleware asks for
 * `c.req.raw.body` first, which makes @hono/node-server build a full web `Request` with a body stream for every POST;
 * the route's `c.req.text()` then reads through that stream instead of the server's direct read of the Node request.
 * Every webhook has a Content-Length, so on the webhook path this skips that work (about 8% of the app's CPU a
 * delivery in a profile under load). Node's HTTP parser reads no more than Content-Length bytes as the body.
 */
function limitBody(maxSize: number, onError: (c: Context) => Response): MiddlewareHandler {
  const counted = bodyLimit({ maxSize, onError });
  return (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number.parseInt(length, 10) > maxSize ? Promise.resolve(onError(c)) : next();
    }
    return counted(c, next);
  };
}

/** The one error-to-response function: ApiError codes map to their status, bad payloads to 400, anything else to a logged 500. */
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

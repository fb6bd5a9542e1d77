import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { setResponseHeader } from './middlewares.ts';

/** A route behind a middleware that sets a header after `next()`, noting whether the response object was kept. */
function appWith(route: (c: import('hono').Context) => Response): { app: Hono; kept: boolean[] } {
  const kept: boolean[] = [];
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    const before = c.res;
    setResponseHeader(c, 'x-request-id', 'req-1');
    kept.push(c.res === before);
  });
  app.get('/', route);
  return { app, kept };
}

describe('setResponseHeader', () => {
  it('sets the header on the finished response in place: JSON and byte bodies keep their response object', async () => {
    for (const route of [(c: import('hono').Context) => c.json({ ok: true }), (c: import('hono').Context) => c.body(new TextEncoder().encode('{"a":1}'))]) {
      const { app, kept } = appWith(route);
      const res = await app.request('/');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('req-1');
      expect(await res.text()).toMatch(/^\{"(ok|a)":/);
      // c.header() here would have rebuilt the response (and, under @hono/node-server, its body as a stream).
      expect(kept).toEqual([true]);
    }
  });

  it('rebuilds a response whose headers are immutable, keeping its status and location', async () => {
    const { app, kept } = appWith(() => Response.redirect('https://example.com/next', 302));
    const res = await app.request('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/next');
    expect(res.headers.get('x-request-id')).toBe('req-1');
    expect(kept).toEqual([false]);
  });
});

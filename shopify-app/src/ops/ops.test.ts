import { Agent, request } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../log.ts';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';

const SHOP = 'ops-shop.myshopify.com';

describe('operable in production: /healthz, /readyz, request-scoped JSON logs, Prometheus metrics on their own port', () => {
  let t: TestHttpServer;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    t = await startTestHttpServer({ log: createJsonLogger(stream), metricsPort: 0 });
    await t.installShop(SHOP, 'USD');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('/healthz says the process answers; /readyz checks the database, the migrations and the job system', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok', jobs: 'ok', draining: 'no' } });
  });

  it('/readyz is 503 and names the migration when the database lacks one this build ships', async () => {
    await t.database.db.deleteFrom('schema_migrations').where('version', '=', '0006_shop_settings').execute();
    try {
      const res = await fetch(`${t.url}/readyz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { checks: { migrations: string } }).checks.migrations).toBe('pending: 0006_shop_settings');
    } finally {
      await t.database.db.insertInto('schema_migrations').values({ version: '0006_shop_settings' }).execute();
    }
  });

  it('logs one JSON line per request with its request id (kept from the load balancer, or new) and the proven shop', async () => {
    const res = await t.dashboard(SHOP, '/app/api/summary', { headers: { 'x-request-id': 'lb-7f3a9c21' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('lb-7f3a9c21');
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'request',
        method: 'GET',
        path: '/app/api/summary',
        status: 200,
        requestId: 'lb-7f3a9c21',
        shop: SHOP,
      }),
    );
    // A header that is not an id is not echoed into logs: a fresh UUID instead.
    const odd = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'not an id, with spaces' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // A webhook's line names the shop once its HMAC held.
    const hook = await t.webhook(SHOP, 'orders/create', orderPayload({ id: 1, customerId: 5, total: '20.00', createdAt: '2026-06-01T00:00:00Z' }));
    const id = hook.headers.get('x-request-id');
    expect(lines).toContainEqual(expect.objectContaining({ message: 'request', path: '/webhooks', status: 200, requestId: id, shop: SHOP }));
  });

  it('serves Prometheus metrics on their own port only: webhooks by topic and result, queue depth and lag, recomputes, backfills', async () => {
    expect(t.server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await t.webhook(SHOP, 'orders/create', orderPayload({ id: 2, customerId: 6, total: '30.00', createdAt: '2026-06-02T00:00:00Z' }))).status).toBe(
      200,
    );
    expect(
      (await t.webhook(SHOP, 'orders/create', orderPayload({ id: 3, customerId: 6, total: '30.00', createdAt: '2026-06-02T00:00:00Z' }), { badHmac: true }))
        .status,
    ).toBe(401);
    await t.server.app.jobs.send('recompute', { shop: SHOP });
    const res = await fetch(t.server.metricsUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^clvlens_webhooks_received_total\{topic="orders\/create",result="processed"\} 2$/m);
    expect(text).toMatch(/^clvlens_webhooks_received_total\{topic="invalid",result="unauthorized"\} 1$/m);
    expect(text).toMatch(/^clvlens_job_queue_depth\{queue="recompute"\} 1$/m);
    expect(text).toMatch(/^clvlens_job_queue_lag_seconds\{queue="recompute"\} [\d.e-]+$/m);
    // Every queue is listed, one with no job at all too (the scrape reads the live jobs queue by queue).
    expect(text).toMatch(/^clvlens_job_queue_depth\{queue="refresh-tokens"\} 0$/m);
    expect(text).toMatch(/^clvlens_job_active\{queue="full-run-bucket"\} 0$/m);
    expect(text).toMatch(/^clvlens_backfills_running 0$/m);
    expect(text).toContain('# TYPE clvlens_recompute_duration_seconds histogram');
    expect(text).toMatch(/^clvlens_process_resident_memory_bytes \d+/m);
    // Not on the public port.
    expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
  });

  it('keeps an idle keep-alive connection open past the Node default, as a load balancer reusing it expects', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; port: number }>((resolve, reject) => {
        const req = request(`${t.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, port: req.socket!.localPort! }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const first = await get();
      // Node's default (5 s, plus its 1 s buffer) would have closed the connection by now; a balancer would send its
      // next request on it.
      await new Promise((r) => setTimeout(r, 7_500));
      const second = await get();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.port).toBe(first.port);
    } finally {
      agent.destroy();
    }
  }, 20_000);

  it('after drain(), /readyz answers 503 so a load balancer stops sending, while the process still answers', async () => {
    t.server.app.drain();
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: { draining: string } }).checks.draining).toBe('yes');
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

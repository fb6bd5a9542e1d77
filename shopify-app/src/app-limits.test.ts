import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedWebhook } from './testing/webhook-request.ts';
import { startTestHttpServer, TEST_SECRET, type TestHttpServer } from './testing/http-server.ts';

const SHOP = 'limits-shop.myshopify.com';

describe('request body limits over HTTP', () => {
  let t: TestHttpServer;
  beforeAll(async () => {
    t = await startTestHttpServer({ appOptions: { maxBodyBytes: { webhooks: 1024 * 1024, other: 4096 } } });
    await t.installShop(SHOP);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers 413 to a 30 MB webhook by its Content-Length, before reading it or checking the HMAC', async () => {
    const big = JSON.stringify({ id: 1, note: 'x'.repeat(30 * 1024 * 1024) });
    const signed = signedWebhook(TEST_SECRET, SHOP, 'orders/create', JSON.parse(big));
    const started = Date.now();
    const res = await fetch(`${t.url}/webhooks`, { method: 'POST', headers: signed.headers, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload-too-large');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('stops reading a chunked body without Content-Length once it passes the limit', async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Up to 64 MB if nobody stops reading.
        if (sent >= 64 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${t.url}/webhooks/compliance`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-type': 'application/json' },
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(32 * 1024 * 1024);
  });

  it('lets a body of exactly the limit through by its Content-Length and refuses one byte more', async () => {
    const exactly = JSON.stringify({ code: 'AAAA-AAAA', pad: '' }).length;
    const body = (size: number) => JSON.stringify({ code: 'AAAA-AAAA', pad: 'x'.repeat(size - exactly) });
    const at = await fetch(`${t.url}/api/v1/pair`, { method: 'POST', body: body(4096), headers: { 'content-type': 'application/json' } });
    expect(at.status).toBe(400);
    expect(((await at.json()) as { error: { code: string } }).error.code).not.toBe('payload-too-large');
    const over = await fetch(`${t.url}/api/v1/pair`, { method: 'POST', body: body(4097), headers: { 'content-type': 'application/json' } });
    expect(over.status).toBe(413);
  });

  it('applies the smaller limit to every other route', async () => {
    for (const path of ['/api/v1/pair', '/api/v1/unpair', '/app/api/pairing-code', '/healthz', '/nowhere']) {
      const res = await fetch(`${t.url}${path}`, { method: 'POST', body: 'x'.repeat(10_000), headers: { 'content-type': 'application/json' } });
      expect(res.status, path).toBe(413);
    }
    const ok = await fetch(`${t.url}/api/v1/pair`, { method: 'POST', body: JSON.stringify({ code: 'AAAA-AAAA' }) });
    expect(ok.status).toBe(400);
  });
});

describe('job queues', () => {
  it('give per-shop jobs a heartbeat, so one left active by a killed process is retried within a minute, not an hour', async () => {
    const t = await startTestHttpServer();
    try {
      for (const name of ['recompute', 'shop-metrics', 'reconcile', 'backfill']) {
        expect((await t.server.app.jobs.boss.getQueue(name))?.heartbeatSeconds, name).toBe(30);
      }
    } finally {
      await t.stop();
    }
  });
});

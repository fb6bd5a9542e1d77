import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../db/connect.ts';
import { silentLogger } from '../log.ts';
import { orderPayload, signedWebhook } from '../testing/webhook-request.ts';

const SERVER = fileURLToPath(new URL('../server.ts', import.meta.url));
const SHOP = 'sigterm-shop.myshopify.com';
const SECRET = 'sigterm-secret';
const dataDir = mkdtempSync(join(tmpdir(), 'clvlens-sigterm-'));
const compileCache = mkdtempSync(join(tmpdir(), 'clvlens-compile-cache-'));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The production entry, `node shopify-app/src/server.ts`, as a real process on its own PGlite directory. */
async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      SHOPIFY_API_KEY: 'sigterm-key',
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: 'https://app.example.com',
      CLVLENS_ENCRYPTION_KEY: 'b'.repeat(64),
      CLVLENS_DATA_DIR: dataDir,
      PORT: String(port),
      NODE_COMPILE_CACHE: compileCache,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw Object.assign(new Error(`server exited with ${child.exitCode}: ${stderr}`), { portTaken: stderr.includes('EADDRINUSE') });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return child;
    if (Date.now() > deadline) throw new Error('server not ready within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** {@link startServer} on a free port; again on another when a parallel test file takes it before the server listens. */
async function startOnFreePort(): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { child: await startServer(port), port };
    } catch (error) {
      if (!(error as { portTaken?: boolean }).portTaken || attempt === 5) throw error;
    }
  }
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('SIGTERM on the production entry', () => {
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(compileCache, { recursive: true, force: true });
  });

  it('answers every webhook it accepted before exiting 0, and stores each one it answered 200', async () => {
    // A first start creates and migrates the database; then the shop is installed while no process holds it.
    const { child: first } = await startOnFreePort();
    // The entry wrote its compiled modules to the compile cache once started, before any exit: a process killed later
    // still leaves it for the next start.
    expect(readdirSync(compileCache, { recursive: true }).length).toBeGreaterThan(0);
    first.kill('SIGTERM');
    expect(await exited(first)).toBe(0);
    const setup = await createDatabase({ dataDir, log: silentLogger });
    await setup.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC', status: 'active' }).execute();
    await setup.close();

    const { child, port } = await startOnFreePort();
    const deliveries = Array.from({ length: 150 }, (_, i) => {
      const request = signedWebhook(
        SECRET,
        SHOP,
        'orders/create',
        orderPayload({ id: 1000 + i, customerId: 1 + (i % 40), total: '25.00', createdAt: '2026-06-01T00:00:00Z' }),
      );
      return fetch(`http://127.0.0.1:${port}${new URL(request.url).pathname}`, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        duplex: 'half',
      } as RequestInit).then(
        async (res) => ({ status: res.status, body: (await res.json()) as { result?: string } }),
        (error: Error) => ({ status: 0, body: { result: `refused: ${(error.cause as { code?: string } | undefined)?.code ?? error.message}` } }),
      );
    });
    // SIGTERM while the deliveries are in flight: right after the first answer.
    await Promise.race(deliveries);
    child.kill('SIGTERM');
    const answers = await Promise.all(deliveries);
    expect(await exited(child)).toBe(0);

    // Each delivery was either answered in full, or never read: refused once the listener closed, or reset while it
    // waited in the accept queue or on a keep-alive connection the server was closing. Shopify retries those, and the
    // delivery id makes a retry harmless. No 5xx.
    const answered = answers.filter((a) => a.status !== 0);
    for (const a of answers) expect([200, 0]).toContain(a.status);
    for (const a of answers.filter((x) => x.status === 0)) expect(['refused: ECONNREFUSED', 'refused: ECONNRESET']).toContain(a.body.result);
    expect(answered.length).toBeGreaterThan(0);
    const check = await createDatabase({ dataDir, log: silentLogger });
    try {
      const stored = await check.db.selectFrom('orders').select('order_id').where('shop_id', '=', SHOP).execute();
      // Stored exactly when answered: a request the server read was handled to the end and its answer sent.
      expect(stored.length).toBe(answered.filter((a) => a.body.result === 'processed').length);
    } finally {
      await check.close();
    }
  }, 120_000);
});

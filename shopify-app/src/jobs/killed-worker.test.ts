import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../db/connect.ts';
import { createTestPostgresDatabase } from '../db/test-database.ts';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer } from '../testing/http-server.ts';
import { markBackfilled } from '../testing/fixtures.ts';

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];
const SHOP = 'killed-worker-shop.myshopify.com';

type Child = { child: ChildProcess; started: Promise<string> };

/** An app process with workers on `databaseUrl` (testing/app-child.ts); `block` holds its recompute jobs active. */
function startChild(databaseUrl: string, block: boolean): Promise<Child> {
  const child = fork(fileURLToPath(new URL('../testing/app-child.ts', import.meta.url)), [], {
    env: { ...process.env, APP_DATABASE_URL: databaseUrl, APP_WORKERS: '1', APP_BLOCK_RECOMPUTE: block ? '1' : '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  let onStarted: (shop: string) => void = () => undefined;
  const started = new Promise<string>((resolve) => (onStarted = resolve));
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`app process exited (${code ?? signal}) before it reported`)));
    child.on('message', (raw) => {
      const msg = raw as { ready?: boolean; recomputeStarted?: string; failed?: { message: string } };
      if (msg.ready) resolve({ child, started });
      else if (msg.recomputeStarted) onStarted(msg.recomputeStarted);
      else if (msg.failed) reject(new Error(msg.failed.message));
    });
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send('stop');
  });
}

// Needs a real PostgreSQL server (`pnpm test` starts one): only there do several app processes share one job table.
describe.runIf(serverUrl)('a recompute job left active by a killed app process (PostgreSQL)', () => {
  const children: ChildProcess[] = [];
  let database: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const child of children) await kill9(child);
    await database?.close();
    await drop?.();
  });

  it('is retried by another process on the same database within seconds, and a live process keeps its job', { timeout: 180_000 }, async () => {
    const created = await createTestPostgresDatabase(serverUrl!);
    drop = created.drop;
    database = await createDatabase({ databaseUrl: created.url });
    // Install the shop and queue its recompute through the real webhook route (this process runs no workers).
    const t = await startTestHttpServer({ database });
    await t.installShop(SHOP);
    await markBackfilled(database.db, SHOP);
    const first = await startChild(created.url, true);
    children.push(first.child);
    const res = await t.webhook(SHOP, 'orders/create', orderPayload({ id: 1, customerId: 1, total: '5.00', createdAt: '2026-10-01T00:00:00Z' }));
    expect(res.status).toBe(200);
    await t.stop();
    expect(await first.started).toBe(SHOP);

    const jobs = async () =>
      (
        await database!.pool.query<{ id: string; state: string; retry_count: number }>(
          `SELECT id, state, retry_count FROM pgboss.job WHERE name = 'recompute' AND singleton_key = $1 ORDER BY created_on`,
          [SHOP],
        )
      ).rows;
    const held = (await jobs()).find((job) => job.state === 'active');
    expect(held, 'the first process holds the job active').toBeDefined();

    // A second process runs beside it: whichever of them sweeps for orphans, a job whose process lives is left alone,
    // however long it runs (holds.ts: 5 s of grace, a sweep every 2 s).
    const second = await startChild(created.url, false);
    children.push(second.child);
    await new Promise((r) => setTimeout(r, 9000));
    expect((await jobs()).find((job) => job.id === held!.id)).toMatchObject({ state: 'active', retry_count: 0 });

    await kill9(first.child);
    const killedAt = Date.now();

    const queued = async () =>
      Number((await database!.pool.query<{ n: string }>(`SELECT count(*) AS n FROM recompute_queue WHERE shop_id = $1`, [SHOP])).rows[0]!.n);
    let seconds = Infinity;
    while (Date.now() - killedAt < 120_000) {
      const now = await jobs();
      if (now.some((job) => job.state === 'completed') && !now.some((job) => job.state === 'active') && (await queued()) === 0) {
        seconds = (Date.now() - killedAt) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`recompute of a shop whose job a killed process held: done by another process ${seconds.toFixed(1)} s after the kill`);
    // pg-boss alone retried it once the heartbeat was stale: 30-45 s after the kill.
    expect(seconds).toBeLessThan(15);
    const after = (await jobs()).find((job) => job.id === held!.id);
    expect(after?.state, "the killed process's job is no longer active").not.toBe('active');
    await stopChild(second.child);
  });
});

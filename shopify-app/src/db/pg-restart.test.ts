import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from './connect.ts';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];
/** PostgreSQL's bin directory (test/scripts/run-all-tests.sh sets it): the restart test runs a cluster of its own. */
const pgBin = process.env['CLVLENS_TEST_PG_BIN'];
const SHOP = 'pg-restart-shop.myshopify.com';
const run = promisify(execFile);

/**
 * A throwaway cluster for this test alone (restarting the shared one would cut every other test file's connections):
 * initdb + pg_ctl on a free loopback port, as the postgres user when running as root.
 */
async function startOwnCluster(bin: string): Promise<{ url: string; restart(): Promise<void>; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'clvlens-pg-restart-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  const pgCommand = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`;
  await pgCommand('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  await pgCommand('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', options, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => {
      await pgCommand('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-m', 'fast', '-w', '-o', options, 'restart']);
    },
    stop: async () => {
      await pgCommand('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Needs a real PostgreSQL server (`pnpm test` starts one): PGlite has no connections to lose.
describe.runIf(serverUrl)('the app on PostgreSQL losing its connections', () => {
  let t: TestHttpServer;
  let nextId = 1;
  const warnings: string[] = [];
  beforeAll(async () => {
    t = await startTestHttpServer({ log: { info() {}, error() {}, warn: (message) => warnings.push(message) } });
    await t.installShop(SHOP);
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Sends `count` order webhooks, `inFlight` at a time, calling `midway` after the first third; returns the statuses. */
  const stream = async (
    server: TestHttpServer,
    count: number,
    inFlight: number,
    midway: () => Promise<void>,
  ): Promise<{ ids: number[]; statuses: number[] }> => {
    const ids = Array.from({ length: count }, () => nextId++);
    const statuses: number[] = [];
    let cursor = 0;
    let fired = false;
    const worker = async (): Promise<void> => {
      while (cursor < ids.length) {
        const id = ids[cursor++]!;
        if (!fired && cursor > count / 3) {
          fired = true;
          await midway();
        }
        const res = await server.webhook(
          SHOP,
          'orders/create',
          orderPayload({ id, customerId: (id % 7) + 1, total: '3.00', createdAt: '2026-10-01T00:00:00Z' }),
        );
        statuses.push(res.status);
        await res.arrayBuffer();
        // Spread the stream over a few seconds, so the restart happens in its middle.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return { ids, statuses };
  };
  const storedIds = async (ids: number[]): Promise<number> =>
    (await t.database.db.selectFrom('orders').select('order_id').where('shop_id', '=', SHOP).where('order_id', 'in', ids).execute()).length;

  it('survives the server closing every connection, idle ones included, and answers every webhook 200', async () => {
    const { rows } = await sql<{ db: string }>`SELECT current_database() AS db`.execute(t.database.db);
    const terminate = async (): Promise<void> => {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [rows[0]!.db]);
      } finally {
        await admin.end();
      }
    };
    const { ids, statuses } = await stream(t, 60, 8, terminate);
    // Idle pooled connections learn of it now: without pool.on('error') this was an uncaught error ending the process.
    await terminate();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await storedIds(ids)).toBe(60);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  }, 120_000);

  it.runIf(pgBin)(
    'survives a PostgreSQL restart mid-run without losing a webhook',
    async () => {
      const cluster = await startOwnCluster(pgBin!);
      const database = await createDatabase({ databaseUrl: cluster.url, log: { info() {}, error() {}, warn: (message) => warnings.push(message) } });
      const own = await startTestHttpServer({ database, log: { info() {}, error() {}, warn: (message) => warnings.push(message) } });
      try {
        await own.installShop(SHOP);
        const startedAt = async (): Promise<number> =>
          (await sql<{ t: Date }>`SELECT pg_postmaster_start_time() AS t`.execute(database.db)).rows[0]!.t.getTime();
        const before = await startedAt();
        warnings.length = 0;
        let restarted: Promise<unknown> = Promise.resolve();
        const { ids, statuses } = await stream(own, 200, 4, async () => {
          restarted = cluster.restart();
        });
        await restarted;
        expect(await startedAt()).toBeGreaterThan(before);
        expect(warnings).toContain('database connection lost; retrying');
        expect(statuses.filter((st) => st !== 200)).toEqual([]);
        const stored = await database.db.selectFrom('orders').select('order_id').where('shop_id', '=', SHOP).where('order_id', 'in', ids).execute();
        expect(stored.length).toBe(200);
      } finally {
        await own.stop();
        await database.close();
        await cluster.stop();
      }
    },
    120_000,
  );
});

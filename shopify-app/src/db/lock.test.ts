import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { orderPayload, signedWebhook } from '../testing/webhook-request.ts';
import { TEST_SECRET } from '../testing/http-server.ts';
import { createDatabase } from './connect.ts';

type Started = { child: ChildProcess; url: string } | { child: ChildProcess; failed: { code: string | null; message: string } };

function startChild(dataDir: string): Promise<Started> {
  const child = fork(fileURLToPath(new URL('../testing/app-child.ts', import.meta.url)), [], {
    env: { ...process.env, APP_DATA_DIR: dataDir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`app process exited (${code ?? signal}) before it reported`)));
    child.on('message', (raw) => {
      const msg = raw as { ready?: boolean; url?: string; failed?: { code: string | null; message: string } };
      if (msg.ready) resolve({ child, url: msg.url! });
      else if (msg.failed) resolve({ child, failed: msg.failed });
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

async function postWebhook(url: string, orderId: number): Promise<number> {
  const request = signedWebhook(
    TEST_SECRET,
    'lock-shop.myshopify.com',
    'orders/create',
    orderPayload({ id: orderId, customerId: 1, total: '5.00', createdAt: '2026-10-01T00:00:00Z' }),
  );
  const res = await fetch(`${url}/webhooks`, { method: 'POST', headers: request.headers, body: await request.text() });
  return res.status;
}

describe('acquireDataDirLock', () => {
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'clvlens-lock-'));
  afterAll(async () => {
    for (const c of children) await kill9(c);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second process on the directory, and a restart after kill -9 starts at once, whatever pid the lock names', async () => {
    const setup = await createDatabase({ dataDir: dir });
    await setup.db.insertInto('shops').values({ shop_id: 'lock-shop.myshopify.com', currency: 'USD', iana_timezone: 'UTC' }).execute();
    await setup.close();
    const first = await startChild(dir);
    children.push(first.child);
    if (!('url' in first)) throw new Error(`first app did not start: ${first.failed.message}`);
    expect(await postWebhook(first.url, 9001)).toBe(200);

    // A second process, and a second open in this process, are both refused while the first runs.
    const second = await startChild(dir);
    children.push(second.child);
    expect('failed' in second && second.failed.code).toBe('data-dir-locked');
    await expect(createDatabase({ dataDir: dir })).rejects.toMatchObject({ code: 'data-dir-locked' });

    await kill9(first.child);
    // The pid note left behind names a live process (this one), as a restarted container's pid 1 would: no matter.
    writeFileSync(join(dir, '.lock'), String(process.pid));
    const restarted = await startChild(dir);
    children.push(restarted.child);
    if (!('url' in restarted)) throw new Error(`restart refused: ${restarted.failed.message}`);
    expect(await postWebhook(restarted.url, 9002)).toBe(200);
    await kill9(restarted.child);

    const database = await createDatabase({ dataDir: dir });
    try {
      const orders = await database.db.selectFrom('orders').select('order_id').orderBy('order_id').execute();
      expect(orders.map((o) => o.order_id)).toEqual([9001, 9002]);
    } finally {
      await database.close();
    }
  }, 120_000);

  it('lets two processes racing for a free directory end with exactly one holder', async () => {
    const raceDir = mkdtempSync(join(tmpdir(), 'clvlens-lock-race-'));
    try {
      const started = await Promise.all([startChild(raceDir), startChild(raceDir)]);
      children.push(...started.map((s) => s.child));
      expect(started.filter((s) => 'url' in s)).toHaveLength(1);
      expect(started.filter((s) => 'failed' in s).map((s) => ('failed' in s ? s.failed.code : null))).toEqual(['data-dir-locked']);
      for (const s of started) await kill9(s.child);
    } finally {
      rmSync(raceDir, { recursive: true, force: true });
    }
  }, 120_000);
});

import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { shellQuote } from '../../bench/orphans.ts';
import { createFakeShopify, type FakeShopify } from '../fake-shopify/server.ts';
import { API_KEY, API_SECRET } from './harness.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let fake: FakeShopify | undefined;
const dir = mkdtempSync(join(tmpdir(), 'clvlens-orphans-'));
afterAll(async () => {
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// A bench that died out of memory left three app processes, PostgreSQL and nginx running, and their CPU went to the
// next bench's figures.
it('what a bench started ends with it when it is SIGKILLed: its app process, and the watchdog runs its command', async () => {
  fake = await createFakeShopify({ appApiKey: API_KEY, appSecret: API_SECRET });
  const marker = join(dir, "the bench's gone");
  const parent = fork(fileURLToPath(new URL('./orphan-parent.ts', import.meta.url)), [fake.url, join(dir, 'data'), marker], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--no-maglev'],
  });
  const appPid = await new Promise<number>((resolve, reject) => {
    parent.once('message', (m) => resolve((m as { appPid: number }).appPid));
    parent.once('exit', (code) => reject(new Error(`the fixture exited with ${code}`)));
  });
  expect(alive(appPid)).toBe(true);
  expect(existsSync(marker)).toBe(false);
  parent.kill('SIGKILL');
  const deadline = Date.now() + 20_000;
  while ((alive(appPid) || !existsSync(marker)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(appPid)) process.kill(appPid, 'SIGKILL');
  expect({ appRunning: alive(appPid), commandRan: existsSync(marker) }).toEqual({ appRunning: false, commandRan: true });
});

it('quotes a word for sh, single quotes inside too', () => {
  expect(shellQuote("it's a 'test'")).toBe(`'it'\\''s a '\\''test'\\'''`);
  expect(shellQuote('/tmp/a b;rm -rf x')).toBe(`'/tmp/a b;rm -rf x'`);
});

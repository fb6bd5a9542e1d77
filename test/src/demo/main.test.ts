/**
 * The `pnpm start` entry as a process: the offline demo stops cleanly on Ctrl-C (SIGINT) and SIGTERM and resumes on
 * the next start; with Shopify credentials it runs the app's own server entry instead; partial credentials are refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const clean = { ...process.env };
  for (const name of ['SHOPIFY_API_KEY', 'SHOPIFY_API_SECRET', 'SHOPIFY_APP_URL', 'DATABASE_URL']) delete clean[name];
  const child = spawn(process.execPath, [MAIN], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

async function waitForText(output: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!pattern.test(output())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern} in:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'clvlens-main-'));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('pnpm start entry', () => {
  it('stops the demo on Ctrl-C with the database lock released, and the next start resumes', async () => {
    const dataDir = tempDir();
    const env = { CLVLENS_DEMO_DATA_DIR: dataDir, CLVLENS_DEMO_CUSTOMERS: '300' };
    const first = run(env);
    await waitForText(first.output, /Pairing code: [A-Z0-9]{4}-[A-Z0-9]{4}/, 120_000);
    expect(first.output()).toMatch(/Backfilled [\d,]+ orders/);
    expect(existsSync(join(dataDir, 'pglite', '.lock'))).toBe(true);
    first.child.kill('SIGINT');
    expect(await first.exit).toBe(0);
    expect(first.output()).toContain('Stopped.');
    expect(existsSync(join(dataDir, 'pglite', '.lock'))).toBe(false);

    const second = run(env);
    await waitForText(second.output, /Pairing code: /, 120_000);
    expect(second.output()).toContain('is already synced');
    expect(second.output()).not.toMatch(/Backfilled/);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    expect(existsSync(join(dataDir, 'pglite', '.lock'))).toBe(false);
  }, 240_000);

  it('runs the app for real shops when the three Shopify variables are set', async () => {
    const app = run({
      SHOPIFY_API_KEY: 'real-key',
      SHOPIFY_API_SECRET: 'real-secret',
      SHOPIFY_APP_URL: 'https://clvlens.example.com',
      CLVLENS_ENCRYPTION_KEY: 'c'.repeat(64),
      CLVLENS_DATA_DIR: join(tempDir(), 'pglite'),
      PORT: '0',
    });
    await waitForText(app.output, /"message":"app listening"/, 60_000);
    expect(app.output()).toContain('running the app for real shops at https://clvlens.example.com');
    expect(app.output()).not.toContain('offline demo');
    app.child.kill('SIGTERM');
    expect(await app.exit).toBe(0);
  }, 90_000);

  it('refuses a partial set of Shopify variables, naming the missing ones', async () => {
    const partial = run({ SHOPIFY_API_KEY: 'k', SHOPIFY_APP_URL: 'https://clvlens.example.com' });
    expect(await partial.exit).toBe(2);
    expect(partial.output()).toContain('SHOPIFY_API_KEY, SHOPIFY_APP_URL set but SHOPIFY_API_SECRET missing');
  });
});

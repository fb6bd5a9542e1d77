import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CHILD = join(import.meta.dirname, '../testing/fit-on-worker.ts');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the child with its own temp directory and no cache directory of its own; the text of each cache entry. */
function run(env: Record<string, string> = {}): { stdout: string; entries: string[] } {
  const tmp = mkdtempSync(join(tmpdir(), 'clvlens-compile-cache-'));
  dirs.push(tmp);
  const { NODE_COMPILE_CACHE: _set, ...inherited } = process.env;
  const child = spawnSync(process.execPath, [CHILD], { encoding: 'utf8', env: { ...inherited, TMPDIR: tmp, ...env } });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  const root = join(tmp, 'node-compile-cache');
  const entries = existsSync(root)
    ? readdirSync(root, { recursive: true, encoding: 'utf8' })
        .map((name) => join(root, name))
        .filter((path) => statSync(path).isFile())
        .map((path) => readFileSync(path, 'latin1'))
    : [];
  return { stdout: child.stdout, entries };
}

describe("the app's compile cache", () => {
  it('keeps the modules of the worker threads too (a worker does not inherit the cache from the call)', () => {
    const { stdout, entries } = run();
    expect(JSON.parse(stdout)).toMatchObject({ fitted: true });
    expect(JSON.parse(stdout).directory).toMatch(/node-compile-cache$/);
    // The fit worker's entry (its types stripped, as the cache stores the source it compiled), and this thread's.
    expect(entries.some((text) => text.includes('fitChurnModels(ordersOfColumns(job.columns), job.options)'))).toBe(true);
    expect(entries.some((text) => text.includes('export async function fitChurnModelsOffThread('))).toBe(true);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE=1', () => {
    const { stdout, entries } = run({ NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(JSON.parse(stdout)).toEqual({ directory: null, fitted: true });
    expect(entries).toEqual([]);
  });
});

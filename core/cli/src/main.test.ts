// The executable as a process: Node's compile cache, enabled by main.ts for the main thread and the worker threads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARALLEL_MIN_BYTES } from './readers/shopify-orders.ts';
import { quoteCsv, tempDir } from './testing/temp-files.ts';

const MAIN = join(import.meta.dirname, 'main.ts');
const files = tempDir();

/** An export over the two-thread threshold, so `report` reads its second half on a worker thread. */
function largeExport(): string {
  const lines = ['Name,Email,Currency,Total,Created at,Lineitem name'];
  for (let n = 1; n <= 70_000; n++) {
    lines.push(`#${n},c${n % 9000}@example.com,USD,12.00,2025-03-01 10:00:00 +0000,`);
    lines.push(`#${n},,,,,${quoteCsv('A fairly long line item name, quoted, so that the file passes 8 MiB')}`);
  }
  const path = files.write('large.csv', `${lines.join('\n')}\n`);
  expect(statSync(path).size).toBeGreaterThanOrEqual(PARALLEL_MIN_BYTES);
  return path;
}

/** `node main.ts report <file> --json` with the OS's temp directory at `tmp` and no cache directory of its own. */
function report(file: string, tmp: string, env: Record<string, string> = {}) {
  const { NODE_COMPILE_CACHE: _set, ...inherited } = process.env;
  return spawnSync(process.execPath, [MAIN, 'report', file, '--json'], { encoding: 'utf8', env: { ...inherited, TMPDIR: tmp, ...env }, maxBuffer: 1 << 26 });
}

/** The text of every entry Node wrote to a compile cache under `tmp` (the stripped source is stored with the code). */
function cacheEntries(tmp: string): string[] {
  const root = join(tmp, 'node-compile-cache');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path, 'latin1'));
}

describe('clvlens as a process', () => {
  it("keeps its modules in Node's compile cache (in the OS's temp directory), those of the reading worker too", () => {
    const file = largeExport();
    const tmp = join(files.dir, 'tmp-cache');
    mkdirSync(tmp);
    const first = report(file, tmp);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout).orders.total).toBe(70_000);
    const entries = cacheEntries(tmp);
    // The CLI's own module (main thread) and the worker's entry, which only a worker thread loads.
    expect(entries.some((text) => text.includes('export async function runCli('))).toBe(true);
    expect(entries.some((text) => text.includes('readExportTail(path, file, options, split)'))).toBe(true);

    // A second run reads the cache and answers the same.
    const second = report(file, tmp);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it('writes no cache with NODE_DISABLE_COMPILE_CACHE=1', () => {
    const tmp = join(files.dir, 'tmp-no-cache');
    mkdirSync(tmp);
    const run = report(join(import.meta.dirname, '../fixtures/sample-orders-export.csv'), tmp, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(run.status).toBe(0);
    expect(cacheEntries(tmp)).toEqual([]);
  });
});

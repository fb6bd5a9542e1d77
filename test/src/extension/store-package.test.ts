/**
 * The store packages (`pnpm package`): the Chrome Web Store zip and the Firefox AMO zip with its source zip. Store
 * manifests carry no `key` (the Web Store rejects it) and no loopback host permissions (those are for the demo and the
 * tests), and Mozilla's addons-linter finds no error and no warning from our own code in the Firefox package.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const EXTENSION = fileURLToPath(new URL('../../../extension', import.meta.url));
const STORE = join(EXTENSION, '.output/store');
const zip = (suffix: string) => join(STORE, readdirSync(STORE).find((f) => f.endsWith(`-${suffix}.zip`))!);
const manifest = (dir: string) => JSON.parse(readFileSync(join(STORE, dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;

/** Our own source files (not tests), to tell our code from bundled library code. */
function ownSources(dir = join(EXTENSION, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? ownSources(join(dir, e.name)) : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !dir.includes('testing') ? [join(dir, e.name)] : [],
  );
}

describe('store packages', () => {
  beforeAll(() => {
    execFileSync('pnpm', ['run', 'package'], { cwd: EXTENSION, stdio: 'pipe' });
  }, 120_000);

  it('builds the Chrome zip, the Firefox zip and the Firefox source zip', () => {
    for (const s of ['chrome', 'firefox', 'sources']) expect(readFileSync(zip(s)).length).toBeGreaterThan(10_000);
  });

  it('store manifests have no key and no loopback host permissions; the least permissions', () => {
    for (const dir of ['chrome-mv3', 'firefox-mv3']) {
      const m = manifest(dir);
      expect(m).not.toHaveProperty('key');
      expect(JSON.stringify(m)).not.toMatch(/127\.0\.0\.1|localhost/);
      expect(m['permissions']).toEqual(['storage', 'alarms']);
      expect(m['host_permissions'] ?? []).toEqual([]);
      expect(m['optional_host_permissions']).toEqual(['https://*/*']);
    }
  });

  it("addons-linter: no error, and no warning from our own code, in the Firefox package", () => {
    let out: string;
    try {
      out = execFileSync('pnpm', ['exec', 'addons-linter', '--output', 'json', zip('firefox')], { cwd: EXTENSION, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (error) {
      // addons-linter exits non-zero on errors; its report is still on stdout.
      out = String((error as { stdout?: string }).stdout ?? '');
    }
    const report = JSON.parse(out) as { errors: { code: string; file?: string; message: string }[]; warnings: { code: string; file?: string; message: string }[] };
    console.info(`addons-linter: ${report.errors.length} errors, ${report.warnings.length} warnings (${report.warnings.map((w) => `${w.code} in ${w.file}`).join('; ')})`);
    expect(report.errors).toEqual([]);
    // The only warnings allowed are innerHTML assignments inside bundled library code: Preact's diff supports
    // dangerouslySetInnerHTML, which our code never uses (no source of ours mentions innerHTML).
    for (const w of report.warnings) {
      expect(`${w.code} ${w.file}`).toMatch(/^UNSAFE_VAR_ASSIGNMENT .*\.js$/);
      expect(w.message).toContain('innerHTML');
    }
    for (const file of ownSources()) expect(readFileSync(file, 'utf8'), file).not.toMatch(/innerHTML|dangerouslySetInnerHTML|insertAdjacentHTML|outerHTML/);
  });
});

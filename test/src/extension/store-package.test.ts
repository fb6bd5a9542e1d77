/**
 * The store packages (`pnpm package`): the Chrome Web Store zip and the Firefox AMO zip with its source zip. Store
 * manifests carry no `key` (the Web Store rejects it) and no loopback host permissions (those are for the demo and the
 * tests), they carry the icons, Mozilla's addons-linter finds no error and no warning from our own code in the Firefox
 * package, and the source zip rebuilds the Firefox package byte for byte, as an AMO reviewer would.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readZip } from './read-zip.ts';

const EXTENSION = fileURLToPath(new URL('../../../extension', import.meta.url));
const STORE = join(EXTENSION, '.output/store');
const zip = (suffix: string) =>
  join(
    STORE,
    readdirSync(STORE).find((f) => f.endsWith(`-${suffix}.zip`))!,
  );
const manifest = (dir: string) => JSON.parse(readFileSync(join(STORE, dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;

/**
 * The environment for the builds: without what vitest (and WXT's vitest plugin) put into process.env (NODE_ENV=test,
 * MODE, BROWSER, ...), which would otherwise reach Vite and build different bundles than `pnpm package` in a shell.
 */
const VITEST_ENV = /^(NODE_ENV|TEST|VITEST.*|MODE|DEV|PROD|SSR|BASE_URL|COMMAND|MANIFEST_VERSION|BROWSER|CHROME|FIREFOX|SAFARI|EDGE|OPERA|FORCE_TTY)$/;
const buildEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !VITEST_ENV.test(k)));

/** Our own source files (not tests), to tell our code from bundled library code. */
function ownSources(dir = join(EXTENSION, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? ownSources(join(dir, e.name))
      : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !dir.includes('testing')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('store packages', () => {
  beforeAll(() => {
    execFileSync('pnpm', ['run', 'package'], { cwd: EXTENSION, stdio: 'pipe', env: buildEnv });
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

  it('both packages carry the icons at 16, 32, 48 and 128 px, also as the toolbar icon', () => {
    for (const browser of ['chrome', 'firefox']) {
      const files = readZip(zip(browser));
      const m = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { icons: Record<string, string>; action: { default_icon: Record<string, string> } };
      expect(Object.keys(m.icons)).toEqual(['16', '32', '48', '128']);
      expect(Object.keys(m.action.default_icon)).toEqual(['16', '32', '48']);
      for (const [size, path] of [...Object.entries(m.icons), ...Object.entries(m.action.default_icon)]) {
        const png = files.get(path.replace(/^\//, ''));
        expect(png, `${browser} ${path}`).toBeDefined();
        // PNG signature, then IHDR's width and height.
        expect(png!.subarray(1, 4).toString('latin1')).toBe('PNG');
        expect([png!.readUInt32BE(16), png!.readUInt32BE(20)]).toEqual([Number(size), Number(size)]);
      }
    }
  });

  it("the store listing gives the manifest's name and short description, within the stores' limits", () => {
    const listing = readFileSync(join(EXTENSION, 'store/listing.md'), 'utf8');
    for (const dir of ['chrome-mv3', 'firefox-mv3']) {
      const m = manifest(dir) as { name: string; description: string };
      expect(listing).toContain(`**Name:** ${m.name}`);
      expect(listing).toContain(`> ${m.description}`);
      expect(m.description.length).toBeLessThanOrEqual(132);
    }
  });

  it('the source zip rebuilds the Firefox package byte for byte (install from the lockfile, build:store)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clvlens-amo-source-'));
    try {
      for (const [name, data] of readZip(zip('sources'))) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), data);
      }
      execFileSync('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent'], { cwd: dir, stdio: 'pipe', env: buildEnv });
      execFileSync('pnpm', ['--filter', '@clvlens/extension', 'run', 'build:store'], { cwd: dir, stdio: 'pipe', env: buildEnv });
      const submitted = readZip(zip('firefox'));
      const rebuilt = join(dir, 'extension/.output/store/firefox-mv3');
      const list = (d: string, prefix = ''): string[] =>
        readdirSync(join(d, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(d, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
      expect(list(rebuilt).sort()).toEqual([...submitted.keys()].sort());
      for (const [name, data] of submitted) expect(readFileSync(join(rebuilt, name)).equals(data), name).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('addons-linter: no error, and no warning from our own code, in the Firefox package', () => {
    let out: string;
    try {
      out = execFileSync('pnpm', ['exec', 'addons-linter', '--output', 'json', zip('firefox')], {
        cwd: EXTENSION,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch (error) {
      // addons-linter exits non-zero on errors; its report is still on stdout.
      out = String((error as { stdout?: string }).stdout ?? '');
    }
    const report = JSON.parse(out) as {
      errors: { code: string; file?: string; message: string }[];
      warnings: { code: string; file?: string; message: string }[];
    };
    console.info(
      `addons-linter: ${report.errors.length} errors, ${report.warnings.length} warnings (${report.warnings.map((w) => `${w.code} in ${w.file}`).join('; ')})`,
    );
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

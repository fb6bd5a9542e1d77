/**
 * Launches Debian's Chromium headless with the built extension loaded (recipe: shared/docs/extension-testing.md §3),
 * with `admin.shopify.com` mapped to a local fixture server. Shared by the extension and demo end-to-end tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Worker } from 'playwright-core';

export const EXTENSION_DIR = fileURLToPath(new URL('../../../extension/.output/chrome-mv3', import.meta.url));
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-results/extension', import.meta.url));

/** Builds the extension when its Chromium output is missing (the root test script builds it beforehand). */
export function ensureExtensionBuilt(): string {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    execFileSync('pnpm', ['--filter', '@clvlens/extension', 'run', 'build'], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: 'pipe',
    });
  }
  return EXTENSION_DIR;
}

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  serviceWorker(): Promise<Worker>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Port on 127.0.0.1 that answers for `admin.shopify.com`. */
  adminPort: number;
  /** Further hosts mapped to the same port (the demo admin also serves App Bridge as `cdn.shopify.com`). */
  alsoMapHosts?: readonly string[];
  viewport?: { width: number; height: number };
  /** Browser UI language (`--lang` plus LANGUAGE/LANG), which `browser.i18n.getUILanguage()` reports: `ko`, `ar`. */
  lang?: string;
}

export async function launchWithExtension(opts: LaunchOptions): Promise<ExtensionBrowser> {
  const extensionDir = ensureExtensionBuilt();
  const profile = mkdtempSync(join(tmpdir(), 'clvlens-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CLVLENS_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      ignoreDefaultArgs: ['--disable-extensions'],
      ignoreHTTPSErrors: true,
      viewport: opts.viewport ?? { width: 1100, height: 700 },
      ...(opts.lang ? { locale: opts.lang, env: { ...process.env, LANGUAGE: opts.lang, LANG: `${opts.lang}.UTF-8` } } : {}),
      args: [
        ...(opts.lang ? [`--lang=${opts.lang}`] : []),
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        `--host-resolver-rules=${['admin.shopify.com', ...(opts.alsoMapHosts ?? [])].map((host) => `MAP ${host} 127.0.0.1:${opts.adminPort}`).join(',')}`,
        '--ignore-certificate-errors',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const serviceWorker = async () => {
    // An idle MV3 worker can be stopped and restarted: always take the current one.
    const [sw] = context.serviceWorkers();
    return sw ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  };
  const sw = await serviceWorker();
  const extensionId = new URL(sw.url()).host;
  return {
    context,
    extensionId,
    serviceWorker,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Launches headless Chromium without the extension, resolving the demo's hosts (`admin.shopify.com`, the app) the way
 * `demo.chromiumArgs()` maps them: the dashboard end-to-end tests open the embedded app through the demo admin.
 */
export async function launchDemoChromium(demo: { chromiumArgs(): string[] }): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CLVLENS_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      ...demo.chromiumArgs().filter((a) => a.startsWith('--host-resolver-rules') || a === '--ignore-certificate-errors'),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
    ],
  });
}

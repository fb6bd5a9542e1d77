/// <reference lib="dom" />
// What the embedded dashboard's browser tests share: the offline demo started for one test file (its own data
// directory, free ports, no extension, no live shop activity, a fast backfill poll) and the dashboard opened in the demo
// admin's frame with the page's errors collected.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startDemo, type Demo, type DemoOptions } from '../demo/start-demo.ts';

/** A demo of one test file, with its data directory; `stop` ends it and removes the directory. */
export interface DashboardDemo {
  demo: Demo;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts the demo in a new data directory named `clvlens-<name>-…`, with `options` over the test defaults. */
export async function startDashboardDemo(name: string, options: Omit<DemoOptions, 'dataDir'> = {}): Promise<DashboardDemo> {
  const dataDir = mkdtempSync(join(tmpdir(), `clvlens-${name}-`));
  const demo = await startDemo({
    dataDir,
    appPort: 0,
    adminPort: 0,
    extensionDir: join(dataDir, 'no-extension'),
    liveActionsPerMinute: 0,
    backfill: { pollMs: 100 },
    ...options,
  });
  return {
    demo,
    dataDir,
    async stop() {
      await demo.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the dashboard (in `locale`, else the admin's default) in a new page and waits for its scorecard. `errors`
 * collects the page's uncaught errors from the start.
 */
export async function openDashboardPage(
  browser: Browser,
  demo: Demo,
  options: { width?: number; height?: number; locale?: 'en' | 'ko' | 'ar'; acceptDownloads?: boolean } = {},
): Promise<{ page: Page; frame: FrameLocator; errors: string[] }> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    ignoreHTTPSErrors: true,
    ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(options.locale === undefined ? demo.dashboardUrl : `${demo.dashboardUrl}?locale=${options.locale}`);
  const frame = page.frameLocator('#app-frame');
  await expect.poll(() => frame.locator('#scorecard').count(), { timeout: 30_000 }).toBe(1);
  return { page, frame, errors };
}

/// <reference lib="dom" />
/**
 * The extension benchmarks of extension.bench.ts (issue 6 floors, checked again in issue 18) in Firefox: Debian's
 * firefox-esr driven over WebDriver BiDi (test/src/extension/drivers.ts), the built firefox-mv3 extension installed as
 * a temporary add-on. Same figures, same floors, same method: initial sync of 200,000 customers into IndexedDB
 * [<= 10 s], one cached lookup through the message protocol [<= 5 ms, median and p95], popup first render with
 * 200,000 cached customers [<= 150 ms], badge latency after a row appears on a 250-row list [<= 50 ms], and the
 * Firefox content script's size gzipped [<= 30 KB]. Each run launches a fresh browser with a fresh profile;
 * CLVLENS_BENCH_RUNS sets how many (default 5). Medians over all runs with the worst case beside them.
 * Run: `pnpm bench extension.firefox` (or `node test/bench/extension.firefox.bench.ts`). Skipped without firefox-esr.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FIREFOX_EXTENSION_DIR, firefoxAvailable, launchFirefox, type DrivenPage } from '../src/extension/drivers.ts';
import { ensureExtensionBuilt } from '../src/extension/browser.ts';
import {
  benchShop,
  connectAndSync,
  CUSTOMERS,
  LATE_ROWS,
  LIST_ROWS,
  LOOKUPS,
  POPUP_OPENS,
  runAndPrintFigures,
  RUNS,
  timeLateBadges,
  timeLookups,
  type RunFigures,
} from './extension-shared.ts';
import { figure, firefoxVersion, load, machine } from './report.ts';

if (!firefoxAvailable()) {
  console.log('SKIP   Firefox figures: firefox-esr not found (apt-get install firefox-esr, or set CLVLENS_FIREFOX)');
  process.exit(0);
}
ensureExtensionBuilt();
console.log(`machine: ${machine()}; browser: ${firefoxVersion() ?? 'Firefox not found'}`);
console.log(`load average at start: ${load()} (${process.env.CI ? 'CI' : 'local'}); ${RUNS} runs, each in a fresh browser`);
const contentJs = readFileSync(join(FIREFOX_EXTENSION_DIR, 'content-scripts/customer-badge.js'));
figure('Firefox content script gzipped (not machine-dependent)', gzipSync(contentJs).length / 1024, { op: '<=', limit: 30 }, (v) => `${v.toFixed(1)} KB`);

const shop = await benchShop();

/** Polls `fn` in the page until it returns true (every 20 ms, at most `timeoutMs`). */
async function until(page: DrivenPage, fn: (arg: number) => boolean, arg: number, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(fn, arg).catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run(): Promise<RunFigures> {
  shop.resetApi();
  const browser = await launchFirefox(shop.adminServer.port);
  try {
    const ext = await browser.extensionPage('options.html');
    const sync = await ext.evaluate(connectAndSync, shop.apiServer.url);
    if (sync.cached !== CUSTOMERS) throw new Error(`expected ${CUSTOMERS} cached customers, got ${sync.cached}`);

    const lookups = await ext.evaluate(timeLookups, { n: LOOKUPS, max: CUSTOMERS });
    await ext.close();

    // Popup first render: navigation start to the first render with the shop's data (the popup's own mark).
    const renders: number[] = [];
    for (let i = 0; i < POPUP_OPENS; i++) {
      const popup = await browser.extensionPage('popup.html');
      await until(
        popup,
        () => performance.getEntriesByName('clvlens:popup-ready').length > 0 && document.querySelector('[data-testid="repeat-rate"]') !== null,
        0,
        'the popup',
      );
      renders.push(await popup.evaluate(() => performance.getEntriesByName('clvlens:popup-ready')[0]!.startTime, undefined));
      await popup.close();
    }

    const admin = await browser.newPage();
    await admin.goto(`https://admin.shopify.com/store/${shop.fixture.storeHandle}/customers`);
    await until(admin, (n) => document.querySelectorAll('clvlens-badge[data-state="found"]').length >= n, LIST_ROWS, 'the list badges');
    const latencies = await admin.evaluate(timeLateBadges, { count: LATE_ROWS, firstId: 1000 });
    return { syncMs: sync.ms, lookups, renders, latencies };
  } finally {
    await browser.close();
  }
}

await runAndPrintFigures(run, shop, 'Firefox');

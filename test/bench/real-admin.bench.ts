/// <reference lib="dom" />
/**
 * Issue 15's numbers on the real admin's replicas (test/src/extension/real-admin-fixture.ts, both admin generations),
 * in Chromium (playwright-core) and Firefox (puppeteer-core over WebDriver BiDi), through test/src/extension/drivers.ts:
 * - badges on 50 rows <= 50 ms after the rows appear: paging to the next page of the customer list (`?after=`, a
 *   pushState), from the moment the replica puts the 50 new rows into the document (its own `performance.now()`
 *   just before the insert) until every row has exactly one badge in the DOM with its numbers (customers this page
 *   has not shown yet: a lookup in the background's IndexedDB each time), checked on every mutation. Beside it, the
 *   same clock to the end of the first frame rendered after that ("painted": a message posted from the next
 *   `requestAnimationFrame` callback is handled after that frame's style, layout and paint), and to every row having
 *   its badge host (numbers or not yet);
 * - after a pushState navigation the page is correct within 300 ms: a row click to the customer page (the card
 *   below the header with the customer's numbers, no badge) and back to the list (history.back: every row has its
 *   badge again), timed from the navigation, so the replica's own skeleton (120 ms detail, 150 ms list) is included;
 * - content script <= 30 KB gzipped, for both builds.
 * Each run launches a fresh browser with a fresh profile and pairs and syncs through the options page;
 * CLVLENS_BENCH_RUNS sets how many (default 5); CLVLENS_BENCH_PAGES the pages per generation (default 11: 10 "next
 * page" samples per generation and run, 100 over 5 runs, so the p95 is the 5th-worst sample, not the worst of a few).
 * Figures are medians and p95s over every sample of every run, with the worst sample beside them, each judged against
 * its floor (PASS or BELOW).
 * Run: `pnpm bench real-admin` (or `node test/bench/real-admin.bench.ts`). Firefox is skipped without firefox-esr.
 */
import { pairAndSync } from '../src/extension/page-functions.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createFakeAppApi } from '@clvlens/extension/testing';
import { badgeRisk } from '../src/extension/badge-text.ts';
import { EXTENSION_DIR, ensureExtensionBuilt } from '../src/extension/browser.ts';
import { loadCdnowFixture } from '../src/extension/cdnow-fixture.ts';
import { FIREFOX_EXTENSION_DIR, firefoxAvailable, launchChromium, launchFirefox, type DrivenPage, type Launcher } from '../src/extension/drivers.ts';
import { PAGE_SIZE, type AdminGeneration, type RealAdminData } from '../src/extension/real-admin-fixture.ts';
import { serveFetchHandler, serveRealAdmin } from '../src/extension/servers.ts';
import { chromiumVersion, figure, firefoxVersion, load, machine, median, quantile, worst } from './report.ts';

const RUNS = Number(process.env['CLVLENS_BENCH_RUNS'] ?? 5);
/** Pages of 50 customers on the list: PAGES - 1 "next page" samples per generation and run. */
const PAGES = Number(process.env['CLVLENS_BENCH_PAGES'] ?? 11);
/** Row click -> customer page -> back, per generation and run. */
const ROUND_TRIPS = 3;
const PAIRING_CODE = 'BENCH-REAL-ADMIN';
const ms = (v: number) => `${v.toFixed(1)} ms`;

ensureExtensionBuilt();
console.log(`machine: ${machine()}; browsers: ${chromiumVersion() ?? 'Chromium not found'}; ${firefoxVersion() ?? 'Firefox not found'}`);
console.log(`load average at start: ${load()} (${process.env.CI ? 'CI' : 'local'}); ${RUNS} runs per browser, each in a fresh browser`);
for (const [name, dir] of [
  ['Chromium', EXTENSION_DIR],
  ['Firefox', FIREFOX_EXTENSION_DIR],
] as const) {
  const gz = gzipSync(readFileSync(join(dir, 'content-scripts/customer-badge.js'))).length / 1024;
  figure(`${name} content script gzipped (not machine-dependent)`, gz, { op: '<=', limit: 30 }, (v) => `${v.toFixed(1)} KB`);
}

const fixture = loadCdnowFixture();
const data: RealAdminData = {
  storeHandle: fixture.storeHandle,
  customers: fixture.customers.slice(0, PAGES * PAGE_SIZE).map((c) => ({ id: c.customerId, name: `Customer ${c.customerId}`, orders: c.orderCount })),
  orders: [],
};
const expectedOrders = Object.fromEntries(fixture.customers.map((c) => [c.customerId, String(c.orderCount)]));
// What each row's badge says first: the risk tier with its chance (the order count is off by default).
const expectedTier = Object.fromEntries(fixture.customers.map((c) => [c.customerId, badgeRisk(c)]));
let api = createFakeAppApi({
  shopDomain: fixture.shopDomain,
  storeHandle: fixture.storeHandle,
  summary: fixture.summary,
  customers: fixture.customers,
  pairingCodes: [PAIRING_CODE],
});
const apiServer = await serveFetchHandler((req) => api.fetch(req));
const adminServer = await serveRealAdmin(data);

interface Step {
  kind: 'next' | 'open' | 'back';
  rows: number;
  rowIndex: number;
  expectedOrders: Record<string, string>;
  expectedTier: Record<string, string>;
}

interface Measured {
  /** Start to the page being right in the document (the floor's figure). */
  ms: number;
  /** Start to the end of the first frame rendered after that (the badges on screen). */
  paintedMs: number;
  /** 'next' only: start to every new row having its badge host (numbers or not yet). */
  hostsMs: number;
  error: string | null;
}

/**
 * Runs in the page: starts one navigation and resolves with the times until the page is right. For 'next' the clock
 * starts when the replica puts the new rows into the document (`__rowsInsertedAt`, taken by the replica just before
 * its `replaceChildren`); for 'open' and 'back' when the navigation starts. "Right" is checked on every mutation;
 * "painted" is the end of the next rendering update after that: a `requestAnimationFrame` callback runs before the
 * frame's style, layout and paint, and a message posted from it is handled after them.
 */
function measure(step: Step): Promise<Measured> {
  return new Promise((resolve) => {
    const base = location.pathname.replace(/\/customers.*$/, '');
    const w = window as unknown as { __rowsInsertedAt?: number };
    delete w.__rowsInsertedAt;
    let t0 = step.kind === 'next' ? NaN : performance.now();
    let tHosts = NaN;
    let done = false;
    let last = 'nothing checked';
    const finish = (error: string | null, tRight = performance.now(), tPainted = tRight) => {
      if (done) return;
      done = true;
      mo.disconnect();
      clearTimeout(timer);
      resolve({ ms: tRight - t0, paintedMs: tPainted - t0, hostsMs: tHosts - t0, error });
    };
    const listRight = (): boolean => {
      if (step.kind === 'next' && Number.isNaN(t0) && w.__rowsInsertedAt !== undefined) t0 = w.__rowsInsertedAt;
      // Cheap counts first: this runs on every mutation batch, inside the time it measures.
      const hosts = document.querySelectorAll('clvlens-badge').length;
      if (hosts !== step.rows) return ((last = `${hosts} badges`), false);
      if (Number.isNaN(tHosts)) tHosts = performance.now();
      const found = document.querySelectorAll('clvlens-badge[data-state="found"]').length;
      if (found !== step.rows) return ((last = `${found} badges found`), false);
      const rows = [...document.querySelectorAll('tr, [role="row"]')].filter((r) => r.querySelector('a[data-primary-link="true"]'));
      if (rows.length !== step.rows) return ((last = `${rows.length} rows`), false);
      for (const r of rows) {
        const badges = r.querySelectorAll('clvlens-badge');
        const id = r.querySelector('a[data-primary-link="true"]')!.getAttribute('href')!.split('/').pop()!;
        if (badges.length !== 1 || badges[0]!.getAttribute('data-state') !== 'found') return ((last = `row ${id} not found yet`), false);
        if (badges[0]!.shadowRoot?.querySelector('.tier')?.textContent !== step.expectedTier[id]) return ((last = `row ${id} wrong numbers`), false);
      }
      return true;
    };
    const detailRight = (): boolean => {
      const m = /\/customers\/(\d+)$/.exec(location.pathname);
      const card = document.querySelector('clvlens-card');
      if (!m || !card || card.getAttribute('data-state') !== 'found') return ((last = 'card not found yet'), false);
      const prev = card.previousElementSibling;
      if (!prev || !(prev.localName === 's-page-header' || prev.getAttribute('data-testid') === 'page-header'))
        return ((last = 'card not below the header'), false);
      if (!(card.shadowRoot?.textContent ?? '').includes(step.expectedOrders[m[1]!]!)) return ((last = 'card numbers'), false);
      if (document.querySelectorAll('clvlens-badge').length !== 0) return ((last = 'a badge on the customer page'), false);
      return true;
    };
    let rightAt = NaN;
    const check = () => {
      if (done || !Number.isNaN(rightAt)) return;
      const right = step.kind === 'open' ? detailRight() : location.pathname === `${base}/customers` && listRight();
      if (!right) return;
      rightAt = performance.now();
      mo.disconnect();
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => finish(null, rightAt, performance.now());
        ch.port2.postMessage(null);
      });
    };
    const mo = new MutationObserver(check);
    mo.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    const timer = setTimeout(() => finish(`not right after 5 s: ${last}`), 5000);
    if (step.kind === 'next') document.getElementById('next')!.click();
    else if (step.kind === 'open') (document.querySelectorAll('a[data-primary-link="true"]')[step.rowIndex] as HTMLElement).click();
    else history.back();
  });
}

async function until(page: DrivenPage, fn: (n: number) => boolean, arg: number, what: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (!(await page.evaluate(fn, arg).catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface RunFigures {
  rowsMs: number[];
  rowsPaintedMs: number[];
  rowsHostsMs: number[];
  navMs: number[];
}

async function run(launch: Launcher): Promise<RunFigures> {
  api = createFakeAppApi({
    shopDomain: fixture.shopDomain,
    storeHandle: fixture.storeHandle,
    summary: fixture.summary,
    customers: fixture.customers,
    pairingCodes: [PAIRING_CODE],
  });
  const browser = await launch(adminServer.port);
  const out: RunFigures = { rowsMs: [], rowsPaintedMs: [], rowsHostsMs: [], navMs: [] };
  try {
    const options = await browser.extensionPage('options.html');
    const paired = await options.evaluate(pairAndSync, { appUrl: apiServer.url, code: PAIRING_CODE, shopDomain: fixture.shopDomain });
    if (paired !== 'ok') throw new Error(`pairing failed: ${paired}`);
    await options.close();
    const admin = await browser.newPage();
    for (const generation of ['2024', '2026'] as AdminGeneration[]) {
      adminServer.setGeneration(generation);
      // A fresh document per generation: the content script starts with nothing in memory.
      await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/customers`);
      await until(admin, (n) => document.querySelectorAll('clvlens-badge[data-state="found"]').length >= n, PAGE_SIZE, 'the first page');
      const step = (kind: Step['kind'], rowIndex = 0): Step => ({ kind, rows: PAGE_SIZE, rowIndex, expectedOrders, expectedTier });
      for (let p = 1; p < PAGES; p++) {
        const r = await admin.evaluate(measure, step('next'));
        if (r.error) throw new Error(`${generation} page ${p + 1}: ${r.error}`);
        out.rowsMs.push(r.ms);
        out.rowsPaintedMs.push(r.paintedMs);
        out.rowsHostsMs.push(r.hostsMs);
        await new Promise((res) => setTimeout(res, 50));
      }
      for (let k = 0; k < ROUND_TRIPS; k++) {
        for (const kind of ['open', 'back'] as const) {
          const r = await admin.evaluate(measure, step(kind, 7 + 13 * k));
          if (r.error) throw new Error(`${generation} ${kind} ${k + 1}: ${r.error}`);
          out.navMs.push(r.ms);
          await new Promise((res) => setTimeout(res, 50));
        }
      }
    }
  } finally {
    await browser.close();
  }
  return out;
}

const browsers: [string, Launcher][] = [['Chromium', launchChromium]];
if (firefoxAvailable()) browsers.push(['Firefox', launchFirefox]);
else console.log('SKIP   Firefox figures: firefox-esr not found (apt-get install firefox-esr, or set CLVLENS_FIREFOX)');
const results = new Map<string, RunFigures[]>();
try {
  for (const [name, launch] of browsers) {
    const runs: RunFigures[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await run(launch);
      runs.push(r);
      console.log(
        `${name} run ${i + 1}: 50 rows median ${ms(median(r.rowsMs))} p95 ${ms(quantile(r.rowsMs, 0.95))} worst ${ms(worst(r.rowsMs))} ` +
          `(hosts in place: median ${ms(median(r.rowsHostsMs))} worst ${ms(worst(r.rowsHostsMs))}; painted: median ${ms(median(r.rowsPaintedMs))} worst ${ms(worst(r.rowsPaintedMs))}); ` +
          `navigation median ${ms(median(r.navMs))} worst ${ms(worst(r.navMs))}; load ${load()}`,
      );
    }
    results.set(name, runs);
  }
} finally {
  await apiServer.close();
  await adminServer.close();
}
console.log(`\nmedians over ${RUNS} runs per browser, both admin generations (worst single sample beside each); load average at end: ${load()}`);
for (const [name, runs] of results) {
  const rows = runs.flatMap((r) => r.rowsMs);
  const painted = runs.flatMap((r) => r.rowsPaintedMs);
  const nav = runs.flatMap((r) => r.navMs);
  figure(`${name}: badges on 50 new rows after they appear, median of ${rows.length}`, median(rows), { op: '<=', limit: 50 }, ms, worst(rows));
  figure(`${name}: badges on 50 new rows, p95`, quantile(rows, 0.95), { op: '<=', limit: 50 }, ms);
  figure(`${name}: badges on 50 new rows, painted, median`, median(painted), { op: '<=', limit: 50 }, ms, worst(painted));
  figure(`${name}: badges on 50 new rows, painted, p95`, quantile(painted, 0.95), { op: '<=', limit: 50 }, ms);
  figure(`${name}: page right after pushState (list <-> customer), median of ${nav.length}`, median(nav), { op: '<=', limit: 300 }, ms, worst(nav));
  figure(`${name}: page right after pushState, p95`, quantile(nav, 0.95), { op: '<=', limit: 300 }, ms);
}

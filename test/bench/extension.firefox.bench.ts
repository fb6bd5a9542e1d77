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
import type { CustomerInsightV1 } from '@clvlens/core';
import { createFakeAppApi } from '@clvlens/extension/testing';
import { loadCdnowFixture } from '../src/extension/cdnow-fixture.ts';
import { FIREFOX_EXTENSION_DIR, firefoxAvailable, launchFirefox, type DrivenPage } from '../src/extension/drivers.ts';
import { ensureExtensionBuilt } from '../src/extension/browser.ts';
import { serveAdminFixture, serveFetchHandler } from '../src/extension/servers.ts';
import { figure, firefoxVersion, load, machine, median, quantile, worst } from './report.ts';

const CUSTOMERS = 200_000;
const LIST_ROWS = 250;
const LOOKUPS = 200;
const POPUP_OPENS = 7;
const LATE_ROWS = 30;
const RUNS = Number(process.env['CLVLENS_BENCH_RUNS'] ?? 5);

const ms = (v: number) => `${v.toFixed(1)} ms`;
const sec = (v: number) => `${(v / 1000).toFixed(2)} s`;

if (!firefoxAvailable()) {
  console.log('SKIP   Firefox figures: firefox-esr not found (apt-get install firefox-esr, or set CLVLENS_FIREFOX)');
  process.exit(0);
}
ensureExtensionBuilt();
console.log(`machine: ${machine()}; browser: ${firefoxVersion() ?? 'Firefox not found'}`);
console.log(`load average at start: ${load()} (${process.env.CI ? 'CI' : 'local'}); ${RUNS} runs, each in a fresh browser`);
const contentJs = readFileSync(join(FIREFOX_EXTENSION_DIR, 'content-scripts/customer-badge.js'));
figure('Firefox content script gzipped (not machine-dependent)', gzipSync(contentJs).length / 1024, { op: '<=', limit: 30 }, (v) => `${v.toFixed(1)} KB`);

const fixture = loadCdnowFixture({ storeHandle: 'bench-shop' });
const customers: CustomerInsightV1[] = [];
for (let i = 0; i < CUSTOMERS; i++) {
  const base = fixture.customers[i % fixture.customers.length]!;
  customers.push({ ...base, customerId: String(i + 1) });
}
const newApi = () =>
  createFakeAppApi({
    shopDomain: fixture.shopDomain,
    storeHandle: fixture.storeHandle,
    summary: { ...fixture.summary, customers: CUSTOMERS },
    customers,
    pairingCodes: ['BENCH'],
    maxPageSize: 5000,
  });
let api = newApi();
const apiServer = await serveFetchHandler((req) => api.fetch(req));
const rows = customers.slice(0, LIST_ROWS).map((c) => ({ id: c.customerId, name: `Customer ${c.customerId}`, orders: c.orderCount }));
const adminServer = await serveAdminFixture({ storeHandle: fixture.storeHandle, customers: rows, lateCustomers: [], orders: [] });

/** Polls `fn` in the page until it returns true (every 20 ms, at most `timeoutMs`). */
async function until(page: DrivenPage, fn: (arg: number) => boolean, arg: number, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(fn, arg).catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface RunFigures {
  syncMs: number;
  lookups: number[];
  renders: number[];
  latencies: number[];
}

async function run(): Promise<RunFigures> {
  api = newApi();
  const browser = await launchFirefox(adminServer.port);
  try {
    const ext = await browser.extensionPage('options.html');
    const sync = await ext.evaluate(async (appUrl: string) => {
      const g = globalThis as unknown as { browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } } };
      const send = (m: unknown) => g.browser.runtime.sendMessage(m) as Promise<{ ok: boolean; value?: unknown; error?: unknown }>;
      const t0 = performance.now();
      const c = await send({ type: 'connect', appUrl, code: 'BENCH' });
      if (!c.ok) throw new Error(JSON.stringify(c.error));
      const s = await send({ type: 'sync.now', shopDomain: 'bench-shop.myshopify.com' });
      const t1 = performance.now();
      const status = (await send({ type: 'status.get' })) as { value: { shops: { cachedCustomers: number }[] } };
      return { ms: t1 - t0, syncOk: s.ok, cached: status.value.shops[0]?.cachedCustomers ?? 0 };
    }, apiServer.url);
    if (sync.cached !== CUSTOMERS) throw new Error(`expected ${CUSTOMERS} cached customers, got ${sync.cached}`);

    const lookups = await ext.evaluate(
      async ({ n, max }: { n: number; max: number }) => {
        const g = globalThis as unknown as { browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } } };
        const times: number[] = [];
        for (let i = 0; i < n; i++) {
          const id = String(1 + ((i * 7919) % max));
          const t0 = performance.now();
          const r = (await g.browser.runtime.sendMessage({ type: 'customers.lookup', storeHandle: 'bench-shop', customerIds: [id] })) as {
            ok: boolean;
            value: { customers: Record<string, unknown> };
          };
          times.push(performance.now() - t0);
          if (!r.ok || !r.value.customers[id]) throw new Error(`lookup of ${id} failed`);
        }
        return times;
      },
      { n: LOOKUPS, max: CUSTOMERS },
    );
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
    await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/customers`);
    await until(admin, (n) => document.querySelectorAll('clvlens-badge[data-state="found"]').length >= n, LIST_ROWS, 'the list badges');
    const latencies = await admin.evaluate(
      async ({ count, firstId }: { count: number; firstId: number }) => {
        const out: number[] = [];
        const tbody = document.getElementById('rows')!;
        for (let k = 0; k < count; k++) {
          const id = String(firstId + k);
          const tr = document.createElement('tr');
          const td = document.createElement('td');
          const a = document.createElement('a');
          a.href = `${location.pathname}/${id}`;
          a.textContent = `Late ${id}`;
          td.append(a);
          tr.append(td);
          const took = await new Promise<number>((resolve) => {
            let t0 = 0;
            const mo = new MutationObserver(() => {
              const host = a.nextElementSibling;
              if (host?.getAttribute('data-state') === 'found') {
                mo.disconnect();
                resolve(performance.now() - t0);
              }
            });
            mo.observe(td, { subtree: true, childList: true, attributes: true });
            t0 = performance.now();
            tbody.append(tr);
          });
          out.push(took);
          await new Promise((r) => setTimeout(r, 20));
        }
        return out;
      },
      { count: LATE_ROWS, firstId: 1000 },
    );
    return { syncMs: sync.ms, lookups, renders, latencies };
  } finally {
    await browser.close();
  }
}

const runs: RunFigures[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const r = await run();
    runs.push(r);
    console.log(
      `run ${i + 1}: sync ${sec(r.syncMs)}; lookup median ${ms(median(r.lookups))} p95 ${ms(quantile(r.lookups, 0.95))}; ` +
        `popup median ${ms(median(r.renders))} worst ${ms(worst(r.renders))}; badge median ${ms(median(r.latencies))} worst ${ms(worst(r.latencies))}; load ${load()}`,
    );
  }
} finally {
  await apiServer.close();
  await adminServer.close();
}
const all = (pick: (r: RunFigures) => number[]) => runs.flatMap(pick);
const syncs = runs.map((r) => r.syncMs);
const lookups = all((r) => r.lookups);
const lookupP95s = runs.map((r) => quantile(r.lookups, 0.95));
const renders = all((r) => r.renders);
const latencies = all((r) => r.latencies);
console.log(
  `\nFirefox, medians over ${RUNS} runs (worst beside each: of the runs' syncs, medians and p95s; of single popup opens and badges); load average at end: ${load()}`,
);
figure(`Firefox: initial sync of ${CUSTOMERS.toLocaleString('en-US')} customers into IndexedDB`, median(syncs), { op: '<=', limit: 10_000 }, sec, worst(syncs));
figure(
  `Firefox: lookup (message + IndexedDB), median of ${lookups.length}`,
  median(lookups),
  { op: '<=', limit: 5 },
  ms,
  worst(runs.map((r) => median(r.lookups))),
);
figure('Firefox: lookup, p95 of each run', median(lookupP95s), { op: '<=', limit: 5 }, ms, worst(lookupP95s));
figure(
  `Firefox: popup first render, ${CUSTOMERS.toLocaleString('en-US')} cached, median of ${renders.length} opens`,
  median(renders),
  { op: '<=', limit: 150 },
  ms,
  worst(renders),
);
figure(
  `Firefox: badge after a row appears (${LIST_ROWS}-row list), median of ${latencies.length}`,
  median(latencies),
  { op: '<=', limit: 50 },
  ms,
  worst(latencies),
);
figure('Firefox: badge after a row appears, p95', quantile(latencies, 0.95), { op: '<=', limit: 50 }, ms);

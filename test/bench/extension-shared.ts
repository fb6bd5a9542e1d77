/// <reference lib="dom" />
/**
 * What the extension benches share (extension.bench.ts in Chromium, extension.firefox.bench.ts in Firefox): the
 * 200,000-customer shop behind a fake app and an admin list page, the timings taken inside the pages, and the figures
 * printed against the floors of issues 6 and 18. The page functions are serialised into the browser by the driver,
 * so each is self-contained.
 */
import type { CustomerInsightV1 } from '@clvlens/core';
import { createFakeAppApi } from '@clvlens/extension/testing';
import { loadCdnowFixture } from '../src/extension/cdnow-fixture.ts';
import { serveAdminFixture, serveFetchHandler } from '../src/extension/servers.ts';
import { figure, load, median, quantile, worst } from './report.ts';

export const CUSTOMERS = 200_000;
export const LIST_ROWS = 250;
export const LOOKUPS = 200;
export const POPUP_OPENS = 7;
export const LATE_ROWS = 30;
export const RUNS = Number(process.env['CLVLENS_BENCH_RUNS'] ?? 5);

export const ms = (v: number) => `${v.toFixed(1)} ms`;
export const sec = (v: number) => `${(v / 1000).toFixed(2)} s`;

/** One run's raw timings, ms. */
export interface RunFigures {
  syncMs: number;
  lookups: number[];
  renders: number[];
  latencies: number[];
}

/**
 * The bench shop: 200,000 customers (the CDNOW-derived records repeated under fresh ids) served by a fake app, and an
 * admin customer list of the first 250. `resetApi` gives a fresh fake app (pairing codes are single-use) for each run.
 */
export async function benchShop() {
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
      // The app serves up to 5,000 per page (FEED_MAX_LIMIT).
      maxPageSize: 5000,
    });
  let api = newApi();
  const apiServer = await serveFetchHandler((req) => api.fetch(req));
  const rows = customers.slice(0, LIST_ROWS).map((c) => ({ id: c.customerId, name: `Customer ${c.customerId}`, orders: c.orderCount }));
  const adminServer = await serveAdminFixture({ storeHandle: fixture.storeHandle, customers: rows, lateCustomers: [], orders: [] });
  return {
    fixture,
    apiServer,
    adminServer,
    resetApi: () => {
      api = newApi();
    },
    async close() {
      await apiServer.close();
      await adminServer.close();
    },
  };
}

/** In an extension page: connect with the fake app's code and sync; the time from connect until every page committed. */
export async function connectAndSync(appUrl: string): Promise<{ ms: number; syncOk: boolean; cached: number }> {
  const g = globalThis as unknown as {
    browser?: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
    chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
  };
  const runtime = (g.browser ?? g.chrome).runtime;
  const send = (m: unknown) => runtime.sendMessage(m) as Promise<{ ok: boolean; value?: unknown; error?: unknown }>;
  const t0 = performance.now();
  const c = await send({ type: 'connect', appUrl, code: 'BENCH' });
  if (!c.ok) throw new Error(JSON.stringify(c.error));
  const s = await send({ type: 'sync.now', shopDomain: 'bench-shop.myshopify.com' });
  const t1 = performance.now();
  const status = (await send({ type: 'status.get' })) as { value: { shops: { cachedCustomers: number }[] } };
  return { ms: t1 - t0, syncOk: s.ok, cached: status.value.shops[0]?.cachedCustomers ?? 0 };
}

/** In an extension page: `n` customers.lookup round trips to the service worker's IndexedDB, each timed. */
export async function timeLookups({ n, max }: { n: number; max: number }): Promise<number[]> {
  const g = globalThis as unknown as {
    browser?: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
    chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
  };
  const runtime = (g.browser ?? g.chrome).runtime;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = String(1 + ((i * 7919) % max));
    const t0 = performance.now();
    const r = (await runtime.sendMessage({ type: 'customers.lookup', storeHandle: 'bench-shop', customerIds: [id] })) as {
      ok: boolean;
      value: { customers: Record<string, unknown> };
    };
    times.push(performance.now() - t0);
    if (!r.ok || !r.value.customers[id]) throw new Error(`lookup of ${id} failed`);
  }
  return times;
}

/** In the admin list page: rows appended one at a time; for each, the time until its badge shows cached data. */
export async function timeLateBadges({ count, firstId }: { count: number; firstId: number }): Promise<number[]> {
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
}

/** One run's line. */
export function logRun(i: number, r: RunFigures): void {
  console.log(
    `run ${i + 1}: sync ${sec(r.syncMs)}; lookup median ${ms(median(r.lookups))} p95 ${ms(quantile(r.lookups, 0.95))}; ` +
      `popup median ${ms(median(r.renders))} worst ${ms(worst(r.renders))}; badge median ${ms(median(r.latencies))} worst ${ms(worst(r.latencies))}; load ${load()}`,
  );
}

/** The figures over all runs beside their floors; `browser` prefixes each label ('' for Chromium, as printed before). */
export function printFigures(runs: readonly RunFigures[], browser: '' | 'Firefox'): void {
  const label = (text: string) => (browser === '' ? text : `${browser}: ${text}`);
  const all = (pick: (r: RunFigures) => number[]) => runs.flatMap(pick);
  const syncs = runs.map((r) => r.syncMs);
  const lookups = all((r) => r.lookups);
  const lookupP95s = runs.map((r) => quantile(r.lookups, 0.95));
  const renders = all((r) => r.renders);
  const latencies = all((r) => r.latencies);
  console.log(
    `\n${browser === '' ? 'medians' : `${browser}, medians`} over ${RUNS} runs (worst beside each: of the runs' syncs, medians and p95s; of single popup opens and badges); load average at end: ${load()}`,
  );
  figure(label(`initial sync of ${CUSTOMERS.toLocaleString('en-US')} customers into IndexedDB`), median(syncs), { op: '<=', limit: 10_000 }, sec, worst(syncs));
  figure(
    label(`lookup (message + IndexedDB), median of ${lookups.length}`),
    median(lookups),
    { op: '<=', limit: 5 },
    ms,
    worst(runs.map((r) => median(r.lookups))),
  );
  figure(label('lookup, p95 of each run'), median(lookupP95s), { op: '<=', limit: 5 }, ms, worst(lookupP95s));
  figure(
    label(`popup first render, ${CUSTOMERS.toLocaleString('en-US')} cached, median of ${renders.length} opens`),
    median(renders),
    { op: '<=', limit: 150 },
    ms,
    worst(renders),
  );
  figure(
    label(`badge after a row appears (${LIST_ROWS}-row list), median of ${latencies.length}`),
    median(latencies),
    { op: '<=', limit: 50 },
    ms,
    worst(latencies),
  );
  figure(label('badge after a row appears, p95'), quantile(latencies, 0.95), { op: '<=', limit: 50 }, ms);
}

/** Runs the bench `RUNS` times, one line per run, closes the shop (also on failure), then prints the figures. */
export async function runAndPrintFigures(run: () => Promise<RunFigures>, shop: { close(): Promise<void> }, browser: '' | 'Firefox'): Promise<void> {
  const runs: RunFigures[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const r = await run();
      runs.push(r);
      logRun(i, r);
    }
  } finally {
    await shop.close();
  }
  printFigures(runs, browser);
}

// Benchmark of the app's backfill on PostgreSQL (issue 17): a 10,000,000-order shop's bulk export (JSONL with line-item
// child lines, Shopify's format) streamed by the app's real runBackfill into PostgreSQL through COPY.
// - A throwaway PostgreSQL cluster (./throwaway-postgres.ts), durable: fsync stays on; the bench exits non-zero,
//   saying what is missing, without the binaries.
// - The export file is written once to a cache under os.tmpdir() (test/src/generator/bulk-orders-jsonl.ts; ~680 bytes
//   an order, 6.8 GB for 10M) and reused; the fake Shopify serves it as the shop's bulk result over real HTTP
//   (`useBulkOrdersFile`: the protocol is the real one, the shop's 10M orders are never held in memory).
// - The app runs in its own process (test/src/app/app-process.ts, real shopify-api client, pg-boss jobs), installed
//   through the embedded-app URL like a merchant; its peak RSS is read from /proc, so it is the app's alone.
// - After the shop goes live, the stored orders are checked against the generator's truth (count, sum of totals,
//   subscription orders, refunds, distinct customers); any difference exits non-zero.
// Run: `pnpm bench pg-backfill` or `node test/bench/run-all.ts pg-backfill`. PG_BACKFILL_ORDERS sets the size
// (default 10,000,000; 1,000,000 takes about a minute on 2 busy cores); PG_BACKFILL_SETTINGS adds server settings;
// PG_BACKFILL_FIRST_RUN=1 also times the first full run after it (install to every customer scored).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDatabase } from '@clvlens/shopify-app';
import { startAppProcess, type AppProcess } from '../src/app/app-process-client.ts';
import { API_KEY, API_SECRET } from '../src/app/harness.ts';
import { createFakeShopify, installFakeShopifyFetch } from '../src/index.ts';
import { COMPLIANCE_TOPICS, WEBHOOK_TOPICS } from '../src/fake-shopify/topics.ts';
import { writeBulkOrdersJsonl, type BulkOrdersTruth } from '../src/generator/bulk-orders-jsonl.ts';
import { figure, info, load, machine } from './report.ts';
import { startThrowawayPostgres, topStatements, type ThrowawayPostgres } from './throwaway-postgres.ts';

const run = promisify(execFile);
const ORDERS = Number(process.env['PG_BACKFILL_ORDERS'] ?? 10_000_000);
const FIRST_RUN = process.env['PG_BACKFILL_FIRST_RUN'] === '1';
const SHOP = 'pg-backfill-bench.myshopify.com';
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const perSecond = (v: number): string => `${Math.round(v).toLocaleString('en-US')}/s`;
const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MB`;

console.log(`pg-backfill: ${ORDERS.toLocaleString('en-US')} orders; machine: ${machine()}; load at start: ${load()}`);

// --- PostgreSQL: durable (fsync on), with a bulk-load-sized WAL so checkpoints do not run every few seconds.
// PG_BACKFILL_SETTINGS adds settings (`name=value`, comma-separated), e.g. `shared_buffers=4GB` as a server of a
// production size would have (the throwaway cluster's default is 256MB).
const PG_SETTINGS = ['max_wal_size=8GB', 'checkpoint_timeout=15min', ...(process.env['PG_BACKFILL_SETTINGS'] ?? '').split(',').filter(Boolean)];
let pg: ThrowawayPostgres;
try {
  pg = await startThrowawayPostgres({ durable: true, settings: PG_SETTINGS });
} catch (error) {
  console.error(`pg-backfill: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`${pg.version}, ${pg.url} (fsync on, ${PG_SETTINGS.join(', ')})`);
const databaseUrl = pg.url;

let app: AppProcess | null = null;
let fake: Awaited<ReturnType<typeof createFakeShopify>> | null = null;
let failed = false;
try {
  // --- the export file, cached
  const cacheDir = join(tmpdir(), 'clvlens-bench-cache');
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `pg-backfill-${ORDERS}-v1.jsonl`);
  const truthFile = `${file}.truth.json`;
  let truth: BulkOrdersTruth;
  if (existsSync(file) && existsSync(truthFile)) {
    truth = JSON.parse(readFileSync(truthFile, 'utf8')) as BulkOrdersTruth;
    console.log(`export file: ${file} (cached, ${truth.lines.toLocaleString('en-US')} lines)`);
  } else {
    const t0 = performance.now();
    truth = await writeBulkOrdersJsonl(file, ORDERS);
    writeFileSync(truthFile, JSON.stringify(truth));
    console.log(`export file: ${file} written in ${s(performance.now() - t0)} (${truth.lines.toLocaleString('en-US')} lines)`);
  }

  // --- the fake Shopify, serving the file as the shop's bulk result
  fake = await createFakeShopify({ appApiKey: API_KEY, appSecret: API_SECRET });
  await installFakeShopifyFetch(fake);
  fake.control.createShop({ domain: SHOP, currencyCode: 'USD', plan: 'Plus' });
  fake.control.useBulkOrdersFile(SHOP, { path: file, objectCount: truth.lines, rootObjectCount: truth.orders });

  // --- the app, in its own process
  app = await startAppProcess({ FAKE_SHOPIFY_URL: fake.url, APP_DATABASE_URL: databaseUrl, APP_BACKFILL_BATCH: '25000' });
  const appPid = app.child.pid!;
  fake.control.setAppWebhooks(
    [{ topics: WEBHOOK_TOPICS.filter((t) => !(COMPLIANCE_TOPICS as readonly string[]).includes(t)), uri: `${app.url}/webhooks` }],
    `${app.url}/webhooks/compliance`,
  );
  const observer = await createDatabase({ databaseUrl, migrate: false, maxConnections: 1 });
  // The statements' times, printed after the run (the module is preloaded by the throwaway cluster).
  await observer.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await observer.pool.query('SELECT pg_stat_statements_reset()');
  const rssOf = (field: 'VmRSS' | 'VmHWM'): number => {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${appPid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  };

  /** CPU seconds (user + system) of a process, and of its reaped children (PostgreSQL's backends end with their connection). */
  const ticks = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  const cpuOf = (pid: number, children: boolean): number => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ')
      .map(Number);
    // Fields 14-17 of /proc/<pid>/stat (utime, stime, cutime, cstime), here 11-14 after the command name is cut off.
    return ((fields[11] ?? 0) + (fields[12] ?? 0) + (children ? (fields[13] ?? 0) + (fields[14] ?? 0) : 0)) / ticks;
  };
  const postmaster = pg.pid;
  const postgresCpu = (): number => {
    let total = cpuOf(postmaster, true);
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        if (
          readFileSync(`/proc/${pid}/stat`, 'utf8')
            .replace(/^.*\) /, '')
            .split(' ')[1] === String(postmaster)
        )
          total += cpuOf(Number(pid), false);
      } catch {
        // Ended meanwhile.
      }
    }
    return total;
  };
  const appCpuAtStart = cpuOf(appPid, false);
  const pgCpuAtStart = postgresCpu();
  const benchCpuAtStart = process.cpuUsage();
  const started = performance.now();
  const token = fake.control.mintSessionToken(SHOP);
  const installed = await fetch(`${app.url}/app?embedded=1&shop=${SHOP}&id_token=${encodeURIComponent(token)}`);
  if (installed.status !== 200) throw new Error(`install answered HTTP ${installed.status}`);
  await installed.arrayBuffer();

  // Poll the shop's sync state: the stream rate is measured between the first and the last committed batch seen.
  type Seen = { atMs: number; orders: number };
  let first = null as Seen | null;
  let last = null as Seen | null;
  let peakRss = 0;
  let liveAtMs = 0;
  for (;;) {
    peakRss = Math.max(peakRss, rssOf('VmRSS'));
    const row = await observer.db.selectFrom('sync_state').select(['state', 'orders_done', 'message']).where('shop_id', '=', SHOP).executeTakeFirst();
    const now = performance.now();
    if (row?.state === 'live') {
      liveAtMs = now;
      break;
    }
    if (row?.state === 'error') throw new Error(`backfill failed: ${row.message ?? 'no message'}`);
    const done = Number(row?.orders_done ?? 0);
    if (done > 0 && first === null) first = { atMs: now, orders: done };
    if (done > 0 && done !== last?.orders) last = { atMs: now, orders: done };
    if (now - started > 3_600_000) throw new Error('backfill did not finish within an hour');
    await new Promise((r) => setTimeout(r, 100));
  }
  const hwm = rssOf('VmHWM');
  const appCpu = cpuOf(appPid, false) - appCpuAtStart;
  const pgCpu = postgresCpu() - pgCpuAtStart;
  const benchCpuUsage = process.cpuUsage(benchCpuAtStart);
  const benchCpu = (benchCpuUsage.user + benchCpuUsage.system) / 1e6;
  // PG_BACKFILL_FIRST_RUN=1: also wait for the first full run the end of the backfill asks for (every customer scored,
  // the shop metrics stored, no split run left, nothing queued): install to that is what the merchant waits for.
  let firstRunMs: number | null = null;
  if (FIRST_RUN) {
    for (;;) {
      const { rows } = await observer.pool.query<{ metrics: number; runs: number; queued: number }>(
        `SELECT (SELECT count(*) FROM shop_metrics WHERE shop_id = $1)::int AS metrics,
           (SELECT count(*) FROM split_full_runs WHERE shop_id = $1)::int AS runs,
           (SELECT count(*) FROM recompute_queue WHERE shop_id = $1)::int AS queued`,
        [SHOP],
      );
      const r = rows[0]!;
      if (r.metrics === 1 && r.runs === 0 && r.queued === 0) break;
      if (performance.now() - started > 3_600_000) throw new Error('the first full run did not finish within an hour of the install');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    firstRunMs = performance.now() - liveAtMs;
  }
  // The recompute that follows a backfill is not part of the backfill's figures: stop the app now.
  await app.kill9();
  app = null;

  const totalMs = liveAtMs - started;
  info(`backfill of ${ORDERS.toLocaleString('en-US')} orders, install to live (incl. export poll, final queueing)`, totalMs, s);
  figure('PostgreSQL backfill overall, orders/s', (ORDERS / totalMs) * 1000, { op: '>=', limit: 100_000 }, perSecond);
  if (first !== null && last !== null && last.atMs > first.atMs) {
    figure(
      'PostgreSQL backfill stream (first to last committed batch seen), orders/s',
      ((last.orders - first.orders) / (last.atMs - first.atMs)) * 1000,
      { op: '>=', limit: 100_000 },
      perSecond,
    );
    // After the last batch: the orders counted, the shop marked live and every customer queued for its first run.
    info('from the last committed batch seen to live', liveAtMs - last.atMs, s);
  } else {
    info('stream rate: fewer than two committed batches were seen (shop too small to measure)', 0, () => '-');
  }
  if (firstRunMs !== null) {
    const { rows } = await observer.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_insights WHERE shop_id = $1 AND NOT deleted', [SHOP]);
    info(`from live to the first full run done (${rows[0]!.n.toLocaleString('en-US')} customers scored)`, firstRunMs, s);
    info('install to every customer scored', totalMs + firstRunMs, s);
  }
  figure('peak RSS of the app process during the backfill (sampled /100 ms)', peakRss, { op: '<=', limit: 1.5 * 2 ** 30 }, mb);
  info('VmHWM of the app process (start to live)', hwm, mb);
  // CPU time depends far less on what else runs than wall time: with both cores free the backfill takes about the larger of the two.
  info('CPU of the app process, install to live', appCpu * 1000, s);
  info('CPU of PostgreSQL (every backend, checkpointer, WAL writer), install to live', pgCpu * 1000, s);
  info('CPU per order, app + PostgreSQL', ((appCpu + pgCpu) / ORDERS) * 1e6, (v) => `${v.toFixed(1)} µs`);
  // Shares the 2 cores with them here; Shopify's storage serves the file from elsewhere.
  info('CPU of this bench process (the fake Shopify serving the export, the polling), install to live', benchCpu * 1000, s);
  console.log(`load after the run: ${load()}`);
  console.log("PostgreSQL's statements by time (pg_stat_statements, install to live):");
  for (const r of await topStatements(observer.pool, { limit: 8, width: 140 }))
    console.log(`  ${(r.ms / 1000).toFixed(1).padStart(7)} s ${String(r.calls).padStart(7)} calls  ${r.query}`);

  // --- correctness: what is stored equals the truth
  const stored = await observer.pool.query<{ n: number; total: string; subs: number; customers: number }>(
    `SELECT count(*)::int AS n, coalesce(sum(total_minor), 0)::text AS total, count(*) FILTER (WHERE subscription)::int AS subs,
       count(DISTINCT customer_id)::int AS customers
     FROM orders WHERE shop_id = $1`,
    [SHOP],
  );
  const refunds = await observer.pool.query<{ n: number; total: string }>(
    'SELECT count(*)::int AS n, coalesce(sum(amount_minor), 0)::text AS total FROM order_refunds WHERE shop_id = $1',
    [SHOP],
  );
  const got = stored.rows[0]!;
  const gotRefunds = refunds.rows[0]!;
  const checks: [string, number, number][] = [
    ['orders stored', got.n, truth.orders],
    ['sum of total_minor', Number(got.total), truth.totalMinor],
    ['subscription orders', got.subs, truth.subscriptionOrders],
    ['distinct customers', got.customers, truth.customers],
    ['refunds stored', gotRefunds.n, truth.refunds],
    ['sum of refund amounts', Number(gotRefunds.total), truth.refundMinor],
  ];
  for (const [what, value, expected] of checks) {
    const ok = value === expected;
    if (!ok) failed = true;
    console.log(`${ok ? 'OK   ' : 'WRONG'}  ${what.padEnd(64)} ${value.toLocaleString('en-US').padStart(14)}   truth ${expected.toLocaleString('en-US')}`);
  }
  await observer.close();
} catch (error) {
  failed = true;
  console.error(`pg-backfill failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  await app?.kill9();
  await fake?.stop();
  pg.stop();
}
if (failed) {
  console.error('pg-backfill: the stored orders do not equal the truth (or the run failed)');
  process.exit(1);
}
process.exit(0);

// Benchmark of the segment CSV export (issue 16, part 4) over real HTTP on the embedded database (PGlite on disk):
// 1. a 200,000-customer risk tier exported without names: time, bytes, rows/s, and (in a second, untimed run with a
//    full GC after each MiB) the heap the export holds while the file streams: it reads 250 customers at a time, so
//    that must stay small and flat, not grow with the 11 MiB file. Needs `--expose-gc` (pnpm bench passes it);
// 2. a 2,000-customer tier with names and emails read live from the fake Shopify (`nodes`, 250 ids per query) on the
//    Standard plan's leaky bucket (100 points/s): customers/s, which Shopify's throttle, not the app, sets.
// Synthetic insights of the stored shape are written straight into customer_insights (as app.bench.ts does).
// Run: `pnpm bench export` or `n24 node test/bench/export.bench.ts`. CLVLENS_BENCH_EXPORT_CUSTOMERS sets the size.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_SCOPES, createDatabase, createShopifyApi, silentLogger, startAppServer } from '@clvlens/shopify-app';
import { createFakeShopify, fakeShopifyFetch, installFakeShopifyFetch } from '../src/index.ts';
import { buildSimpleShop } from '../src/contract/simple-shop.ts';
import { info, load, machine } from './report.ts';

const CUSTOMERS = Number(process.env['CLVLENS_BENCH_EXPORT_CUSTOMERS'] ?? 200_000);
const NAMED = 2_000;
const SHOP = 'export-bench.myshopify.com';
const KEY = 'export-bench-key';
const SECRET = 'export-bench-secret';
const DAY = 86_400_000;

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

console.log(`machine: ${machine()}; load average: ${load()}`);
const dir = mkdtempSync(join(tmpdir(), 'clvlens-export-bench-'));
const fake = await createFakeShopify({ appApiKey: KEY, appSecret: SECRET, scopes: APP_SCOPES });
const restore = await installFakeShopifyFetch(fake);
const data = buildSimpleShop({ domain: SHOP, orders: NAMED, customers: NAMED, plan: 'Basic' });
fake.control.loadShop(data);
const database = await createDatabase({ dataDir: join(dir, 'pglite') });
const appUrl = 'https://clvlens-bench.example.com';
const server = await startAppServer({
  apiKey: KEY,
  apiSecretKey: SECRET,
  appUrl,
  encryptionKey: 'c'.repeat(64),
  database,
  shopify: createShopifyApi({ apiKey: KEY, apiSecretKey: SECRET, appUrl }),
  port: 0,
  log: silentLogger,
  appOptions: { fetch: fakeShopifyFetch(fake), workers: false },
});
try {
  const opened = await fetch(`${server.url}/app?embedded=1&shop=${SHOP}&id_token=${encodeURIComponent(fake.control.mintSessionToken(SHOP))}`);
  if (opened.status !== 200) throw new Error(`install failed: HTTP ${opened.status}`);

  // Seed: CUSTOMERS synthetic customers in tier "high", and the fake shop's own customers in tier "medium".
  const t0 = performance.now();
  const asOf = Date.now();
  const insight = (id: number, tier: string, k: number) =>
    JSON.stringify({
      customerId: String(id),
      currency: 'USD',
      orderCount: 1 + (k % 9),
      isRepeat: k % 9 > 0,
      historicClvMinor: 1000 + ((k * 7) % 90_000),
      predictedClvMinor: k % 5 === 0 ? null : 400 + ((k * 13) % 30_000),
      averageOrderValueMinor: 1000,
      firstOrderAtMs: asOf - 400 * DAY,
      lastOrderAtMs: asOf - (k % 300) * DAY,
      daysSinceLastOrder: k % 300,
      expectedNextOrderAtMs: null,
      overdue: false,
      pAlive: 0.31,
      churnProbability: ((k * 37) % 1000) / 1000,
      churnHorizonDays: 90,
      newCustomer: false,
      churnTier: tier,
      confidence: 'normal',
      rfmSegment: 'AT_RISK',
      orderHistory: [],
      updatedAtMs: asOf,
    });
  const seed = async (ids: number[], tier: string, seqFrom: number) => {
    for (let from = 0; from < ids.length; from += 10_000) {
      const chunk = ids.slice(from, from + 10_000);
      await database.pool.query(
        `INSERT INTO customer_insights (shop_id, customer_id, change_seq, deleted, payload, historic_clv_minor, churn_probability, updated_at)
         SELECT $1, id, s, false, p, 0, 0.5, now() FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS t(id, s, p)`,
        [SHOP, chunk, chunk.map((_, k) => seqFrom + from + k + 1), chunk.map((id, k) => insight(id, tier, from + k))],
      );
    }
  };
  await seed(
    Array.from({ length: CUSTOMERS }, (_, k) => 8_000_000_000 + k),
    'high',
    0,
  );
  await seed(
    data.customers.map((c) => c.id),
    'medium',
    CUSTOMERS,
  );
  await database.pool.query('ANALYZE customer_insights');
  console.log(`seeded ${CUSTOMERS + data.customers.length} insights in ${s(performance.now() - t0)}`);

  /**
   * Exports a tier over HTTP and reads the body as it streams. With `retained`, a full GC runs after every MiB read and
   * the largest heap then left (minus the heap before) is the memory the export holds; that run is not timed.
   */
  const exportTier = async (tier: string, names: boolean, retained = false) => {
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    let heapRetained = -Infinity;
    const started = performance.now();
    const res = await fetch(`${server.url}/app/api/export?by=tier&value=${tier}&names=${names ? 1 : 0}`, {
      headers: { authorization: `Bearer ${fake.control.mintSessionToken(SHOP)}` },
    });
    if (res.status !== 200) throw new Error(`export failed: HTTP ${res.status} ${await res.text()}`);
    let bytes = 0;
    let lines = 0;
    let nextGcAt = 1 << 20;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (const b of value) if (b === 0x0a) lines++;
      if (retained && bytes >= nextGcAt) {
        nextGcAt += 1 << 20;
        global.gc?.();
        heapRetained = Math.max(heapRetained, process.memoryUsage().heapUsed - heap0);
      }
    }
    return { ms: performance.now() - started, bytes, rows: lines - 1, heapRetained };
  };

  const big = await exportTier('high', false);
  if (big.rows !== CUSTOMERS) throw new Error(`exported ${big.rows} rows, expected ${CUSTOMERS}`);
  info(`export of ${CUSTOMERS.toLocaleString('en-US')} customers, no names: time`, big.ms, s);
  info('  rows per second', (big.rows / big.ms) * 1000, (v) => v.toFixed(0));
  info('  file size', big.bytes, mib);
  if (global.gc) {
    const small = await exportTier('high', false, true);
    info('  heap held while streaming (heap after a full GC each MiB, minus before; max)', small.heapRetained, (v) => `${(v / 1048576).toFixed(2)} MiB`);
  }

  const named = await exportTier('medium', true);
  if (named.rows !== data.customers.length) throw new Error(`exported ${named.rows} named rows, expected ${data.customers.length}`);
  info(`export of ${named.rows.toLocaleString('en-US')} customers with names (Standard plan bucket): time`, named.ms, s);
  info('  customers per second', (named.rows / named.ms) * 1000, (v) => v.toFixed(0));
} finally {
  await server.stop();
  await database.close();
  await fake.stop();
  restore();
  rmSync(dir, { recursive: true, force: true });
}

// Benchmark of the CLV Lens app (issue 5) against the fake Shopify, on the embedded database (PGlite on disk):
// 1. backfill: bulk operation -> JSONL streamed into PGlite (orders/s; target >= 20,000/s for 1,000,000 orders),
// 2. recompute of every customer with core (seconds),
// 3. delta feed: every customer summary over HTTP in pages of 5,000 (target: 200,000 in <= 2 s),
// 4. webhook ingestion over loopback HTTP, 16 in flight (target >= 1,000/s sustained, p99 < 50 ms).
// Workers are off while measuring, so each figure is that step alone (with workers on, a recompute of a 1M-order
// shop holds PGlite's single connection for seconds and webhook latency rises meanwhile).
// Run: `pnpm bench app` or `n24 node test/bench/app.bench.ts`. CLVLENS_BENCH_APP_ORDERS sets the size (default 1M).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, createShopifyApi, orderPayload, signedWebhook, silentLogger, startAppServer } from '@clvlens/shopify-app';
import { createFakeShopify, fakeShopifyFetch, installFakeShopifyFetch } from '../src/index.ts';
import { buildSimpleShop } from '../src/contract/simple-shop.ts';

const ORDERS = Number(process.env['CLVLENS_BENCH_APP_ORDERS'] ?? 1_000_000);
const WEBHOOKS = Number(process.env['CLVLENS_BENCH_APP_WEBHOOKS'] ?? 20_000);
const SHOP = 'app-bench.myshopify.com';
const KEY = 'app-bench-key';
const SECRET = 'app-bench-secret';
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
/** fetch that retries once when a kept-alive socket was closed by the server between two requests. */
const get = async (url: string, init?: RequestInit): Promise<Response> => {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
};

const fake = await createFakeShopify({ appApiKey: KEY, appSecret: SECRET });
const restore = await installFakeShopifyFetch(fake);
let t0 = performance.now();
let data: ReturnType<typeof buildSimpleShop> | null = buildSimpleShop({ domain: SHOP, orders: ORDERS, customers: Math.round(ORDERS / 5), plan: 'Enterprise' });
fake.control.loadShop(data);
const customerIds = data.customers.map((c) => c.id);
console.log(`fake shop: ${ORDERS} orders, ${customerIds.length} customers (${s(performance.now() - t0)})`);
data = null;
let fakeStopped = false;

const dataDir = mkdtempSync(join(tmpdir(), 'clvlens-app-bench-'));
const database = await createDatabase({ dataDir });
const server = await startAppServer({
  apiKey: KEY,
  apiSecretKey: SECRET,
  appUrl: 'https://clvlens.example.com',
  encryptionKey: 'c'.repeat(64),
  database,
  shopify: createShopifyApi({ apiKey: KEY, apiSecretKey: SECRET, appUrl: 'https://clvlens.example.com' }),
  port: 0,
  log: silentLogger,
  appOptions: { workers: false, fetch: fakeShopifyFetch(fake), backfill: { pollMs: 50, batchSize: 10_000 } },
});
try {
  const installed = await fetch(`${server.url}/app?embedded=1&shop=${SHOP}&id_token=${encodeURIComponent(fake.control.mintSessionToken(SHOP))}`);
  if (installed.status !== 200) throw new Error(`install failed: ${installed.status}`);

  // 1. Backfill. The stream rate is measured from the first committed batch (the bulk export itself runs in the fake).
  let firstBatchAt = 0;
  let firstBatchLines = 0;
  let lastBatchAt = 0;
  let lines = 0;
  t0 = performance.now();
  const app = server.app;
  const backfillWith = (shop: string) => app.backfill(shop);
  const progress = (_shop: string, done: number): void => {
    const now = performance.now();
    if (firstBatchAt === 0) {
      firstBatchAt = now;
      firstBatchLines = done;
    }
    lastBatchAt = now;
    lines = done;
  };
  // The app was built with a fixed backfill config; wrap its progress through the sync_state rows instead.
  const poll = setInterval(() => {
    void database.db.selectFrom('sync_state').select('bulk_lines_done').where('shop_id', '=', SHOP).executeTakeFirst().then((r) => {
      if (r && r.bulk_lines_done > lines) progress(SHOP, r.bulk_lines_done);
    });
  }, 20);
  await backfillWith(SHOP);
  clearInterval(poll);
  const totalMs = performance.now() - t0;
  const stored = await database.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const streamRate = lines > firstBatchLines ? ((lines - firstBatchLines) / (lastBatchAt - firstBatchAt)) * 1000 : NaN;
  console.log(`backfill: ${stored.n} orders stored in ${s(totalMs)} including the fake's export and VACUUM -> ${Math.round((stored.n / totalMs) * 1000)} orders/s overall`);
  console.log(`backfill stream (JSONL -> PGlite, between first and last committed batch as polled): ${Math.round(streamRate)} orders/s`);

  // The fake (1M orders in this heap) is not needed any more: stop it so the app's figures are not the fake's GC.
  await fake.stop();
  restore();
  fakeStopped = true;
  (globalThis as { gc?: () => void }).gc?.();

  // 2. Recompute everything.
  t0 = performance.now();
  const computed = await app.compute.recomputeShop(SHOP);
  console.log(`recompute: ${computed.changed} customer insights written in ${s(performance.now() - t0)}`);

  // 3. Delta feed over HTTP.
  const { code } = await app.createPairingCode(SHOP);
  const { token } = (await (await fetch(`${server.url}/api/v1/pair`, { method: 'POST', body: JSON.stringify({ code }) })).json()) as { token: string };
  for (let run = 1; run <= 2; run++) {
    t0 = performance.now();
    let since = '';
    let customers = 0;
    for (;;) {
      const res = await get(`${server.url}/api/v1/customers?limit=5000${since ? `&since=${since}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
      const page = (await res.json()) as { customers: unknown[]; nextCursor: string; hasMore: boolean };
      customers += page.customers.length;
      since = page.nextCursor;
      if (!page.hasMore) break;
    }
    console.log(`delta feed run ${run}: ${customers} customer summaries in ${s(performance.now() - t0)} (pages of 5,000 over HTTP, parsed by the client)`);
  }

  // 4. Webhooks over loopback, 16 in flight.
  const requests: Request[] = [];
  for (let i = 0; i < WEBHOOKS; i++) {
    const createdAt = new Date(Date.now() - (i % 1000) * 60_000).toISOString();
    requests.push(
      signedWebhook(SECRET, SHOP, 'orders/create', orderPayload({ id: 9_000_000_000 + i, customerId: customerIds[i % customerIds.length]!, total: `${(i % 200) + 1}.99`, createdAt })),
    );
  }
  const latencies: number[] = [];
  let next = 0;
  t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= requests.length) return;
      const r = requests[i]!;
      const started = performance.now();
      const res = await fetch(`${server.url}/webhooks`, { method: 'POST', headers: r.headers, body: await r.text() });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`webhook ${i}: HTTP ${res.status}`);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const webhookMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
  console.log(`webhooks: ${WEBHOOKS} orders/create in ${s(webhookMs)} -> ${Math.round((WEBHOOKS / webhookMs) * 1000)}/s; latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms`);
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
} finally {
  await server.stop();
  await database.close();
  if (!fakeStopped) {
    await fake.stop();
    restore();
  }
  rmSync(dataDir, { recursive: true, force: true });
}

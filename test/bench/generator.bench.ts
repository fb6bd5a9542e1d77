// Shop generator figures: time and memory to generate 1,000,000 orders (streamed and held in memory), and to write
// them as a Shopify orders export and a transaction log (to a byte-counting sink, so disk speed is not measured).
// Target (the README's performance table): 1,000,000 orders in <= 20 s, judged on the in-memory and the streamed
// generation, each the median of CLVLENS_BENCH_RUNS runs (default 5) with the worst beside it.
// Run: `pnpm bench generator` (root) or `n24 node --expose-gc test/bench/generator.bench.ts [orders]`.
import { Writable } from 'node:stream';
import { generateShop, generateShopStream, writeShopifyOrdersExport, writeTransactionLog } from '../src/index.ts';
import { info, load, machine, runsFigure } from './report.ts';

const ORDERS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Math.max(1, Number(process.env.CLVLENS_BENCH_RUNS ?? 5));
const END_MS = Date.UTC(2026, 10, 1);
const gc = (globalThis as { gc?: () => void }).gc;

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** CPU time (user + system) since `from`, ms: on a shared machine it says more than wall time. */
function cpuMs(from: NodeJS.CpuUsage): string {
  const d = process.cpuUsage(from);
  return `${((d.user + d.system) / 1000).toFixed(0)} ms CPU`;
}

function settle(): void {
  if (gc !== undefined) {
    gc();
    gc();
  }
}

function sink(): { stream: Writable; bytes: () => number } {
  let bytes = 0;
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      done();
    },
  });
  return { stream, bytes: () => bytes };
}

/** Generates the whole shop in memory (as tests and the fake Shopify use it); returns wall ms. */
function inMemory(): number {
  settle();
  const before = process.memoryUsage().heapUsed;
  const t = performance.now();
  const cpu = process.cpuUsage();
  const data = generateShop({ seed: 1, orders: ORDERS, endMs: END_MS });
  const ms = performance.now() - t;
  const cpuText = cpuMs(cpu);
  settle();
  const held = process.memoryUsage().heapUsed - before;
  console.log(
    `  generateShop (in memory): ${ms.toFixed(0)} ms (${cpuText}), ${data.orders.length} orders and ` +
      `${data.customers.length} customers held, heap ${mb(held)} (${(held / data.orders.length).toFixed(0)} B/order)`,
  );
  return ms;
}

/** Streams every order once (plan + customers up front, orders materialized one by one and dropped); returns wall ms. */
function streamed(base: number): number {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const stream = generateShopStream({ seed: 1, orders: ORDERS, endMs: END_MS });
  const planMs = performance.now() - t;
  let lines = 0;
  for (const order of stream.orders) lines += order.lineItems.length;
  const ms = performance.now() - t;
  console.log(
    `  stream: plan+customers ${planMs.toFixed(0)} ms, all orders ${ms.toFixed(0)} ms (${cpuMs(cpu)}) ` +
      `(${stream.orderCount} orders, ${stream.customers.length} customers, ${lines} line items), heap after ${mb(process.memoryUsage().heapUsed - base)}`,
  );
  return ms;
}

async function main(): Promise<void> {
  console.log(`machine: ${machine()}; load average at start: ${load()}`);
  console.log(`generator: ${ORDERS.toLocaleString('en-US')} orders, seed 1, 730 days, USD, America/New_York; ${RUNS} runs of each`);
  // 1. Everything in memory, on a clean heap each time; dropped before the streaming runs.
  const fullRuns: number[] = [];
  for (let r = 0; r < RUNS; r++) fullRuns.push(inMemory());
  settle();
  const base = process.memoryUsage().heapUsed;

  // 2. Streaming.
  const streamRuns: number[] = [];
  for (let r = 0; r < RUNS; r++) streamRuns.push(streamed(base));

  // 3. Export and transaction log from the stream (orders regenerated while writing), once each.
  const stream = generateShopStream({ seed: 1, orders: ORDERS, endMs: END_MS });
  const csv = sink();
  let t = performance.now();
  let cpu = process.cpuUsage();
  const exportSummary = await writeShopifyOrdersExport(stream, csv.stream);
  const exportMs = performance.now() - t;
  console.log(`  orders export (streamed, orders regenerated): ${exportMs.toFixed(0)} ms (${cpuMs(cpu)}), ${exportSummary.rows} rows, ${mb(csv.bytes())}`);
  const log = sink();
  t = performance.now();
  cpu = process.cpuUsage();
  const logSummary = await writeTransactionLog(stream, log.stream);
  const logMs = performance.now() - t;
  console.log(`  transaction log (streamed, orders regenerated): ${logMs.toFixed(0)} ms (${cpuMs(cpu)}), ${logSummary.rows} rows, ${mb(log.bytes())}`);
  console.log(`  load average at end: ${load()}`);
  const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const size = ORDERS >= 1_000_000 ? '1,000,000 orders' : `${ORDERS.toLocaleString('en-US')} orders (target is for 1,000,000)`;
  runsFigure(`generate ${size} in memory`, fullRuns, { op: '<=', limit: 20_000 }, sec);
  runsFigure(`generate ${size} streamed`, streamRuns, { op: '<=', limit: 20_000 }, sec);
  info('write them as a Shopify orders export (one run)', exportMs, sec);
  info('write them as a transaction log (one run)', logMs, sec);
  info('peak RSS (not a timing; the in-memory shop sets it)', process.resourceUsage().maxRSS * 1024, mb);
}

await main();

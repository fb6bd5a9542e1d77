// Shop generator figures: time and memory to generate 1,000,000 orders (streamed and held in memory), and to write
// them as a Shopify orders export and a transaction log (to a byte-counting sink, so disk speed is not measured).
// Run: `pnpm bench generator` (root) or `n24 node --expose-gc test/bench/generator.bench.ts [orders]`.
import { Writable } from 'node:stream';
import { generateShop, generateShopStream, writeShopifyOrdersExport, writeTransactionLog } from '../src/index.ts';

const ORDERS = Number(process.argv[2] ?? 1_000_000);
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
  console.log(`  generateShop (in memory): ${ms.toFixed(0)} ms (${cpuText}), ${data.orders.length} orders and ` +
    `${data.customers.length} customers held, heap ${mb(held)} (${(held / data.orders.length).toFixed(0)} B/order)`);
  return ms;
}

async function main(): Promise<void> {
  console.log(`generator: ${ORDERS.toLocaleString('en-US')} orders, seed 1, 730 days, USD, America/New_York`);
  // 1. Everything in memory, first, on a clean heap; dropped before the streaming runs.
  const fullMs = inMemory();
  settle();
  const base = process.memoryUsage().heapUsed;

  // 2. Streaming: plan + customers up front, orders materialized one by one and dropped.
  let t = performance.now();
  let cpu = process.cpuUsage();
  const stream = generateShopStream({ seed: 1, orders: ORDERS, endMs: END_MS });
  const planMs = performance.now() - t;
  let lines = 0;
  for (const order of stream.orders) lines += order.lineItems.length;
  const streamMs = performance.now() - t;
  console.log(`  stream: plan+customers ${planMs.toFixed(0)} ms, all orders ${streamMs.toFixed(0)} ms (${cpuMs(cpu)}) ` +
    `(${stream.orderCount} orders, ${stream.customers.length} customers, ${lines} line items), heap after ${mb(process.memoryUsage().heapUsed - base)}`);

  // 3. Export and transaction log from the stream (orders regenerated while writing).
  const csv = sink();
  t = performance.now();
  cpu = process.cpuUsage();
  const exportSummary = await writeShopifyOrdersExport(stream, csv.stream);
  const exportMs = performance.now() - t;
  console.log(`  orders export (streamed, orders regenerated): ${exportMs.toFixed(0)} ms (${cpuMs(cpu)}), ${exportSummary.rows} rows, ${mb(csv.bytes())}`);
  const log = sink();
  t = performance.now();
  cpu = process.cpuUsage();
  const logSummary = await writeTransactionLog(stream, log.stream);
  console.log(`  transaction log (streamed, orders regenerated): ${(performance.now() - t).toFixed(0)} ms (${cpuMs(cpu)}), ${logSummary.rows} rows, ${mb(log.bytes())}`);
  console.log(`  peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
  console.log(`  target: 1,000,000 orders in <= 20 s -> ${ORDERS >= 1_000_000 ? (fullMs <= 20_000 && streamMs <= 20_000 ? 'met' : 'NOT met (wall time; see CPU time on a shared machine)') : 'run with 1000000'}`);
}

await main();

// Benchmark: every descriptive metric of issue 2 on 1,000,000 orders / 200,000 customers held in memory.
// Run: `n24 node --expose-gc test/bench/core-metrics.bench.ts` (or `pnpm bench core-metrics`). Floors (issue 2):
// <= 1 s and <= 1 GB. CLVLENS_BENCH_RUNS sets the timed runs after a first, untimed one (default 5).
import { computeShopReport, summarizeCustomers, type OrderRecord } from '@clvlens/core';
import { Random } from '../src/generator/random.ts';
import { figure, load, machine, runsFigure, runsInfo } from './report.ts';

const ORDERS = Number(process.env.CLVLENS_BENCH_ORDERS ?? 1_000_000);
const CUSTOMERS = Math.round(ORDERS / 5);
const DAY_MS = 86_400_000;
const AS_OF_MS = Date.UTC(2025, 11, 31, 22, 59, 59, 999); // end of 2025-12-31 in Europe/Paris

function buildOrders(): OrderRecord[] {
  // The test package's one seeded generator, so every run builds the same shop.
  const seeded = new Random(20_241_123);
  const random = (): number => seeded.next();
  const historyDays = 3 * 365;
  // First the shop as flat specs (customer, time, amounts), then a shuffle so input order says nothing about
  // customers or time, then the objects, allocated in array order as a CSV parser or a database cursor would.
  const customerOf = new Float64Array(ORDERS);
  const guestOf = new Uint8Array(ORDERS);
  const atOf = new Float64Array(ORDERS);
  let n = 0;
  let customer = 0;
  while (n < ORDERS) {
    // Order counts skewed like real shops: most buy once or twice, a few many times (mean about 5).
    const count = Math.min(ORDERS - n, 1 + Math.floor(-Math.log(1 - random()) * 4));
    const id = customer < CUSTOMERS ? customer : Math.floor(random() * CUSTOMERS);
    const guest = random() < 0.05 ? 1 : 0;
    let at = AS_OF_MS - Math.floor(random() * historyDays * DAY_MS);
    const gapDays = 10 + random() * 80;
    for (let k = 0; k < count; k++) {
      customerOf[n] = guest === 1 ? customer : id;
      guestOf[n] = guest;
      atOf[n] = at;
      n++;
      at += Math.floor(gapDays * DAY_MS * (0.5 + random()));
      // Keep every order within the history so all 1M are in scope at asOf.
      if (at > AS_OF_MS) at -= historyDays * DAY_MS;
    }
    customer++;
  }
  const position = new Int32Array(ORDERS).map((_, i) => i);
  for (let i = ORDERS - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = position[i]!;
    position[i] = position[j]!;
    position[j] = t;
  }
  const orders: OrderRecord[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const p = position[i]!;
    const guest = guestOf[p] === 1;
    const total = 1_000 + Math.floor(random() * 15_000);
    orders.push({
      orderId: String(5_000_000_000 + i),
      customerId: guest ? null : String(6_000_000_000 + customerOf[p]!),
      email: guest ? `Guest${customerOf[p]}@Example.com` : null,
      placedAtMs: atOf[p]!,
      currency: 'EUR',
      totalMinor: total,
      refundedMinor: random() < 0.05 ? Math.floor(total * random()) : 0,
      cancelled: random() < 0.01,
      test: random() < 0.002,
      subscription: random() < 0.1,
    });
  }
  return orders;
}

const gc = (globalThis as { gc?: () => void }).gc;
// The kernel's high-water mark (maxRSS, KiB) catches peaks inside synchronous runs, which a timer cannot sample.
const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;

const startLoad = load();
const buildStart = performance.now();
const orders = buildOrders();
const buildMs = performance.now() - buildStart;
gc?.();
const rssAfterBuild = process.memoryUsage().rss;
const peakAfterBuild = peakRssBytes();

const options = {
  asOfMs: AS_OF_MS,
  timeZone: 'Europe/Paris',
  marginFraction: 0.4,
  surveys: { nps: [10, 9, 7, 3], csat: [5, 4, 2] },
  spendByMonth: [{ month: '2025-06', amountMinor: 5_000_000, currency: 'EUR' }],
};
// Wall time suffers when other processes share the cores; CPU time of this process is reported beside it.
const RUNS = Number(process.env.CLVLENS_BENCH_RUNS ?? 5);
const runs: number[] = [];
const cpuRuns: number[] = [];
const mainThreadRuns: number[] = [];
let report = computeShopReport(orders, options);
for (let r = 0; r < RUNS; r++) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const threadStart = process.threadCpuUsage();
  report = computeShopReport(orders, options);
  const thread = process.threadCpuUsage(threadStart);
  const cpu = process.cpuUsage(cpuStart);
  mainThreadRuns.push((thread.user + thread.system) / 1000);
  runs.push(performance.now() - start);
  cpuRuns.push((cpu.user + cpu.system) / 1000);
}
const summaryStart = performance.now();
const summaries = summarizeCustomers(orders, options);
const summaryMs = performance.now() - summaryStart;

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
console.log(`machine: ${machine()}; load average at start: ${startLoad}`);
console.log(
  `orders: ${orders.length.toLocaleString('en')} (counted ${report.orders.counted.toLocaleString('en')}), customers: ${report.customers.toLocaleString('en')}`,
);
console.log(`build synthetic orders: ${fmt(buildMs)}; RSS holding them: ${mib(rssAfterBuild)}`);
console.log(`computeShopReport (all metrics): first run excluded, next ${RUNS} runs ${runs.map(fmt).join(', ')} wall`);
console.log(`  CPU time on the main thread (the "one core" figure): ${mainThreadRuns.map(fmt).join(', ')}`);
console.log(`  CPU time of the process (all threads incl. GC helpers): ${cpuRuns.map(fmt).join(', ')}`);
console.log(`summarizeCustomers (${summaries.length.toLocaleString('en')} customers): ${fmt(summaryMs)}`);
console.log(
  `check: repeat rate ${report.repeatPurchaseRate.value.toFixed(4)}, churn d90 ${report.churn.d90.toFixed(4)}, chosen CLV window ${report.windowedClv.chosenLookbackDays} d`,
);
console.log(`load average at end: ${load()}`);
const millionOrders = orders.length >= 1_000_000 ? '1,000,000 orders' : `${orders.length.toLocaleString('en')} orders (floor is for 1,000,000)`;
runsFigure(`computeShopReport, ${millionOrders}, wall`, runs, { op: '<=', limit: 1000 }, fmt);
runsInfo('computeShopReport, CPU time of the main thread', mainThreadRuns, fmt);
// The kernel's high-water mark holds the input and every metric; it depends on Node's heap sizing, not the CPU.
figure(`peak RSS, input + all metrics (after the input alone: ${mib(peakAfterBuild)})`, peakRssBytes(), { op: '<=', limit: 2 ** 30 }, mib);

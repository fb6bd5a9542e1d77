// Issue 17, item 2: N app processes on one PostgreSQL behind a loopback load balancer; one is killed (SIGKILL) and
// another stopped (SIGTERM) while signed order webhooks arrive at load; nothing acknowledged is lost.
// 1. A throwaway PostgreSQL (throwaway-postgres.ts), the fake Shopify with CLVLENS_BENCH_PROCS_SHOPS small shops, and
//    CLVLENS_BENCH_PROCS_APPS app processes (test/src/app/app-process.ts: startAppServer, what server.ts runs, with
//    the fake Shopify's fetch), each on a fixed port so a restarted one comes back where the balancer expects it.
// 2. A load balancer on loopback: Debian's nginx when installed (upstreams, keepalive, `proxy_next_upstream error
//    timeout non_idempotent`), else lb-proxy.ts (the same rules in Node). CLVLENS_BENCH_LB=node forces it (load-balancer.ts).
// 3. The shops are installed through the balancer (token exchange) and backfilled; then webhook-sender.ts (its own
//    process) replays CLVLENS_BENCH_PROCS_DELIVERIES orders/create + orders/updated deliveries with
//    CLVLENS_BENCH_PROCS_IN_FLIGHT in flight, retrying every non-2xx as Shopify does. At 25% of the deliveries app 2 is
//    killed with SIGKILL and restarted at 45% (as a supervisor would); at 60% app 3 gets SIGTERM and is restarted at 80%.
// 4. Checks (exit 1 when violated): every order stored with its latest version (count and checksum against the
//    plan's truth), no delivery given up, the recompute queue drained and every customer's insight equal to core's
//    summary of the truth.
// Prints deliveries/s and first-attempt / end-to-end latency beside the issue's floors (>= 3,000/s, p99 < 100 ms,
// 0 lost), the retries the kill caused, the attempts an app answered 500 (0 expected: the balancer passes what the kill
// cuts to the next process), the deadlocks and long lock waits in PostgreSQL's log, and the CPU seconds of every
// process (the 2 cores are shared by PostgreSQL, the apps, the balancer and the sender).
// Run: `pnpm bench pg-processes` or `node test/bench/run-all.ts pg-processes`.
import { createHash } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDatabase, type Database } from '@clvlens/shopify-app';
import { createFakeShopify, installFakeShopifyFetch, COMPLIANCE_TOPICS, WEBHOOK_TOPICS } from '../src/index.ts';
import { buildSimpleShop } from '../src/contract/simple-shop.ts';
import { API_SECRET, servedBesideTruth, truthRecords } from '../src/app/harness.ts';
import { startAppProcess, type AppProcess } from '../src/app/app-process-client.ts';
import { startLoadBalancer, type LoadBalancer } from './load-balancer.ts';
import { cpuSecondsOfTree, freePort, printLockFigures, startThrowawayPostgres, topStatements, type ThrowawayPostgres } from './throwaway-postgres.ts';
import { planDeliveries, type DeliveryPlanInput, type SendResult } from './webhook-sender.ts';
import { figure, info, load, machine, quantile } from './report.ts';

const env = process.env;
const APPS = Number(env['CLVLENS_BENCH_PROCS_APPS'] ?? 3);
const SHOPS = Number(env['CLVLENS_BENCH_PROCS_SHOPS'] ?? 10);
const DELIVERIES = Number(env['CLVLENS_BENCH_PROCS_DELIVERIES'] ?? 40_000);
const IN_FLIGHT = Number(env['CLVLENS_BENCH_PROCS_IN_FLIGHT'] ?? 64);
const CUSTOMERS = Number(env['CLVLENS_BENCH_PROCS_CUSTOMERS'] ?? 500);
const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const ms = (v: number): string => `${v.toFixed(1)} ms`;

console.log(`machine: ${machine()}; load average at start: ${load()}`);
if (APPS < 3) throw new Error('CLVLENS_BENCH_PROCS_APPS must be at least 3 (one killed, one stopped, one always up)');

let pg: ThrowawayPostgres;
try {
  pg = await startThrowawayPostgres({ maxConnections: 100 + APPS * 20 });
} catch (error) {
  console.error(`pg-processes: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`PostgreSQL: ${pg.version}, ${pg.url}`);
const fake = await createFakeShopify({ appApiKey: 'clvlens-test-key', appSecret: API_SECRET });
const restoreFetch = await installFakeShopifyFetch(fake);
const apps: (AppProcess | null)[] = [];
const children: ChildProcess[] = [];
let observer: Database | null = null;
let lb: LoadBalancer | null = null;
let failed = false;
// The kill or restart in progress, if any: the finally below waits for it, so that a process it starts after a
// failure is stopped too instead of being left running.
let stepInProgress: Promise<unknown> = Promise.resolve();
// Interrupted (Ctrl-C, a timeout's SIGTERM): the finally below would not run, so stop what this bench started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const app of apps) app?.child.kill('SIGKILL');
    for (const child of children) child.kill('SIGKILL');
    lb?.stop();
    pg.stop();
    process.exit(1);
  });
}
const fail = (message: string): void => {
  failed = true;
  console.error(`FAILED: ${message}`);
};

/** CPU seconds per role, sampled while processes live (a killed process's last sample stays). */
const cpu = new Map<string, Map<number, number>>();
const sampleCpu = (role: string, pid: number | undefined): void => {
  if (!pid) return;
  const seconds = cpuSecondsOfTree(pid);
  if (seconds <= 0) return;
  let byPid = cpu.get(role);
  if (!byPid) cpu.set(role, (byPid = new Map()));
  byPid.set(pid, seconds);
};
const cpuOf = (role: string): number => [...(cpu.get(role)?.values() ?? [])].reduce((a, b) => a + b, 0);

try {
  const shops = Array.from({ length: SHOPS }, (_, i) => {
    const data = buildSimpleShop({ domain: `procs-${i}.myshopify.com`, orders: 100, customers: CUSTOMERS, seed: 500 + i, endMs: Date.now() - 3 * 86_400_000 });
    fake.control.loadShop(data);
    return data;
  });
  const ports = await Promise.all(Array.from({ length: APPS }, () => freePort()));
  const startApp = (i: number): Promise<AppProcess> =>
    startAppProcess({ FAKE_SHOPIFY_URL: fake.url, APP_DATABASE_URL: pg.url, APP_PORT: String(ports[i]), APP_BACKFILL_BATCH: '1000' });
  // One after the other: the first migrates the database, the others find it migrated.
  for (let i = 0; i < APPS; i++) apps.push(await startApp(i));

  // The load balancer.
  lb = await startLoadBalancer(ports);
  const lbUrl = lb.url;
  const lbPid = lb.pid;
  console.log(`${APPS} app processes on ports ${ports.join(', ')} behind ${lb.name} at ${lbUrl}`);
  fake.control.setAppWebhooks(
    [{ topics: WEBHOOK_TOPICS.filter((t) => !(COMPLIANCE_TOPICS as readonly string[]).includes(t)), uri: `${lbUrl}/webhooks` }],
    `${lbUrl}/webhooks/compliance`,
  );

  // Install every shop through the balancer and wait until all are backfilled and computed.
  observer = await createDatabase({ databaseUrl: pg.url, migrate: false });
  const db = observer.db;
  let t0 = performance.now();
  for (const data of shops) {
    const token = fake.control.mintSessionToken(data.shop.domain);
    const res = await fetch(`${lbUrl}/app?embedded=1&shop=${data.shop.domain}&id_token=${encodeURIComponent(token)}`);
    if (res.status !== 200) throw new Error(`install of ${data.shop.domain}: HTTP ${res.status}`);
    await res.arrayBuffer();
  }
  const waitUntil = async (what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> => {
    const start = Date.now();
    while (!(await probe())) {
      if (Date.now() - start > timeoutMs) {
        fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        return false;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return true;
  };
  const computedShops = async (): Promise<number> => {
    const rows = await db
      .selectFrom('shop_metrics')
      .innerJoin('sync_state', 'sync_state.shop_id', 'shop_metrics.shop_id')
      .select(['shop_metrics.computed_at', 'sync_state.last_sync_at', 'sync_state.state'])
      .execute();
    return rows.filter((m) => m.state === 'live' && m.last_sync_at !== null && m.computed_at >= m.last_sync_at).length;
  };
  if (!(await waitUntil('every shop backfilled and computed', async () => (await computedShops()) === SHOPS, 180_000))) throw new Error('setup failed');
  console.log(`${SHOPS} shops installed through the balancer, backfilled and computed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // The webhook run.
  const plan: DeliveryPlanInput = {
    shops: shops.map((s) => ({ domain: s.shop.domain, customerIds: s.customers.map((c) => String(c.id)) })),
    deliveries: DELIVERIES,
    firstOrderId: 8_000_000_000,
    newestMs: Date.now() - 86_400_000,
  };
  // CLVLENS_BENCH_PROCS_PGSTAT=1: the statements PostgreSQL spent the run on, printed at the end.
  const pgStat = env['CLVLENS_BENCH_PROCS_PGSTAT'] === '1';
  if (pgStat) await observer.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()');
  const sender = fork(here('./webhook-sender.ts'), ['send'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  children.push(sender);
  await new Promise((resolve) => sender.once('message', resolve));
  // The sender plans and signs every delivery first; the CPU figures start once it has.
  sender.send({ plan, url: lbUrl, secret: API_SECRET, inFlight: IN_FLIGHT });
  await new Promise((resolve) => sender.once('message', resolve));
  const cpuAtStart = new Map<string, number>();
  const sampleAll = (): void => {
    sampleCpu('PostgreSQL', pg.pid);
    apps.forEach((a, i) => sampleCpu(`app ${i + 1}`, a?.child.pid));
    sampleCpu('load balancer', lbPid);
    sampleCpu('webhook sender', sender.pid);
  };
  sampleAll();
  for (const role of cpu.keys()) cpuAtStart.set(role, cpuOf(role));
  const events: string[] = [];
  let killedAt = -1;
  let retriesAtKill = 0;
  let retriesAfterKill = 0;
  let busy = false;
  const at = (fraction: number) => Math.floor(DELIVERIES * fraction);
  const steps: { when: number; what: string; run(): Promise<void> }[] = [
    { when: at(0.25), what: 'SIGKILL app 2', run: async () => apps[1]!.kill9() },
    { when: at(0.45), what: 'restart app 2', run: async () => void (apps[1] = await startApp(1)) },
    {
      when: at(0.6),
      what: 'SIGTERM app 3',
      run: () =>
        new Promise<void>((resolve) => {
          const child = apps[2]!.child;
          child.once('exit', (code, signal) => {
            events.push(`app 3 exited after SIGTERM with ${code ?? signal}`);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    },
    { when: at(0.8), what: 'restart app 3', run: async () => void (apps[2] = await startApp(2)) },
  ];
  const started = performance.now();
  let lastSample = started;
  const result = await new Promise<SendResult>((resolve, reject) => {
    sender.on('message', (raw) => {
      const msg = raw as { progress?: { done: number; retries: number; sent: number }; result?: SendResult };
      if (msg.result) return resolve(msg.result);
      const p = msg.progress;
      if (!p) return;
      if (performance.now() - lastSample > 1000) {
        lastSample = performance.now();
        sampleAll();
      }
      if (killedAt >= 0 && retriesAfterKill === 0 && p.done > at(0.45)) retriesAfterKill = p.retries - retriesAtKill;
      if (busy || steps.length === 0 || p.sent < steps[0]!.when) return;
      const step = steps.shift()!;
      busy = true;
      if (step.what.startsWith('SIGKILL')) {
        killedAt = p.sent;
        retriesAtKill = p.retries;
      }
      const t = performance.now();
      events.push(`${step.what} at delivery ${p.sent} (${((t - started) / 1000).toFixed(1)} s)`);
      stepInProgress = step.run().then(
        () => {
          busy = false;
        },
        (error: unknown) => reject(error as Error),
      );
    });
    sender.once('exit', (code) => reject(new Error(`the webhook sender exited with ${code}`)));
    sender.send({ go: true });
  });
  // The CPU figures cover the sending only (the recompute queue drains afterwards, below).
  sampleAll();
  const cpuAtEnd = new Map([...cpu.keys()].map((role) => [role, cpuOf(role)]));
  if (pgStat) {
    for (const r of await topStatements(observer.pool, { limit: 20, width: 160 }))
      console.log(`  pg: ${String(r.ms).padStart(7)} ms (plan ${String(r.planMs).padStart(5)}) ${String(r.calls).padStart(7)} calls  ${r.query}`);
    for (const r of await topStatements(observer.pool, { limit: 12, width: 100, by: 'calls' }))
      console.log(`  pg by calls: ${String(r.calls).padStart(7)} calls ${String(r.ms).padStart(7)} ms  ${r.query}`);
  }
  // A restart the run ended before still happens (the recompute queue needs its processes); a kill it ended before
  // means the run did not test what it says.
  while (busy) await new Promise((r) => setTimeout(r, 50));
  for (const step of steps.splice(0)) {
    if (!step.what.startsWith('restart')) fail(`the run ended before: ${step.what}`);
    else {
      events.push(`${step.what} after the last delivery`);
      await step.run();
    }
  }
  for (const e of events.splice(0)) console.log(`  ${e}`);

  // Truth: the latest planned version of every order, in the app's units.
  const planned = planDeliveries(plan);
  const latest = new Map<string, (typeof planned)[number]>();
  for (const d of planned) {
    const seen = latest.get(d.orderId);
    if (!seen || d.version > seen.version) latest.set(d.orderId, d);
  }
  const truthLines = [...latest.values()].map((d) => `${d.shop}|${d.orderId}|${d.customerId}|${d.totalMinor}|${d.cancelled}|${d.updatedAtMs}`).sort();
  const stored = await observer.pool.query<{ line: string }>(
    `SELECT shop_id || '|' || order_id || '|' || customer_id || '|' || total_minor || '|' || cancelled || '|' ||
            (extract(epoch FROM updated_at) * 1000)::bigint AS line
       FROM orders WHERE order_id >= $1`,
    [plan.firstOrderId],
  );
  const storedLines = stored.rows.map((r) => r.line).sort();
  const digest = (lines: string[]) => createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
  console.log(
    `orders from the webhooks: ${storedLines.length} stored (checksum ${digest(storedLines)}), truth ${truthLines.length} (checksum ${digest(truthLines)})`,
  );
  const storedSet = new Set(storedLines);
  const missing = truthLines.filter((l) => !storedSet.has(l));
  if (missing.length > 0 || storedLines.length !== truthLines.length) {
    fail(`${missing.length} orders missing or not at their latest version, e.g. ${missing.slice(0, 3).join('; ')}`);
  }
  if (result.gaveUp > 0) fail(`${result.gaveUp} deliveries never got a 2xx`);

  // The recompute queue drains and every customer's insight equals core's summary of the truth.
  const recomputeStart = performance.now();
  await waitUntil(
    'the recompute queue to drain',
    async () => Number((await observer!.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM recompute_queue')).rows[0]!.n) === 0,
    300_000,
  );
  const drainMs = performance.now() - recomputeStart;
  const insightMismatches = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const data of shops) {
      const shop = data.shop.domain;
      const records = [...truthRecords(fake.control.truth(shop))];
      for (const d of latest.values()) {
        if (d.shop !== shop) continue;
        records.push({
          orderId: d.orderId,
          customerId: d.customerId,
          email: null,
          placedAtMs: d.updatedAtMs - d.version * 60_000,
          currency: 'USD',
          totalMinor: d.totalMinor,
          refundedMinor: 0,
          cancelled: d.cancelled,
          test: false,
          subscription: false,
        });
      }
      const { truth, served, extra } = await servedBesideTruth(db, data.shop, records);
      if (extra > 0) out.push(`${shop}: ${extra} live insights of customers without a counted order in the truth`);
      truth.forEach((x, k) => {
        const got = served[k];
        if (got?.orderCount === x.orderCount && got.historicClvMinor === x.historicClvMinor) return;
        out.push(
          `${shop} customer ${x.customerId}: served ${got ? `${got.orderCount} orders, ${got.historicClvMinor}` : 'nothing'}, truth ${x.orderCount} orders, ${x.historicClvMinor}`,
        );
      });
    }
    return out;
  };
  let mismatches: string[] = [];
  await waitUntil('every insight to equal the truth', async () => (mismatches = await insightMismatches()).length === 0, 120_000);
  if (mismatches.length > 0) fail(`${mismatches.length} customer insights differ from the truth, e.g. ${mismatches.slice(0, 3).join('; ')}`);
  else
    console.log(
      `insights: every customer of the ${SHOPS} shops equals core's summary of the truth (queue drained ${(drainMs / 1000).toFixed(1)} s after the last delivery)`,
    );
  const loadAfter = load();

  // Figures.
  const rate = (DELIVERIES / result.wallMs) * 1000;
  const q = (xs: number[], p: number) => quantile(xs, p);
  const firsts = result.firstMs;
  const ends = result.endToEndMs;
  console.log(
    `${DELIVERIES} deliveries (${IN_FLIGHT} in flight) through ${APPS} app processes in ${(result.wallMs / 1000).toFixed(1)} s; first attempts p50 ${ms(q(firsts, 0.5))}, p99 ${ms(q(firsts, 0.99))}, max ${ms(Math.max(...firsts))}; end to end p50 ${ms(q(ends, 0.5))}, p99 ${ms(q(ends, 0.99))}, max ${ms(Math.max(...ends))}; load ${loadAfter}`,
  );
  console.log(
    `failed attempts by cause: ${JSON.stringify(result.failures)}; retries ${result.retries} (${retriesAfterKill} between the SIGKILL and the restart)`,
  );
  console.log(`load balancer: ${await lb.retried()}`);
  const wallS = result.wallMs / 1000;
  const used = (role: string): number => (cpuAtEnd.get(role) ?? 0) - (cpuAtStart.get(role) ?? 0);
  const cpuLine = [...cpu.keys()].map((role) => `${role} ${used(role).toFixed(1)} s`).join(', ');
  console.log(`CPU seconds during the ${wallS.toFixed(1)} s run (2 cores = ${(2 * wallS).toFixed(0)} s available): ${cpuLine}`);
  const stackCpu = [...cpu.keys()].reduce((sum, role) => sum + used(role), 0);
  const cpuPerDelivery = (stackCpu / DELIVERIES) * 1000;
  figure(`webhooks through ${APPS} app processes on PostgreSQL, deliveries/s (kill included)`, rate, { op: '>=', limit: 3000 }, (v) => `${Math.round(v)}/s`);
  figure('webhooks, p99 latency of first attempts', q(firsts, 0.99), { op: '<=', limit: 100 }, ms);
  info('webhooks, p99 latency end to end (retries included)', q(ends, 0.99), ms, Math.max(...ends));
  figure('deliveries lost (acknowledged or given up, not stored)', missing.length + result.gaveUp, { op: '<=', limit: 0 }, (v) => String(v));
  info('retries caused by the SIGKILL and the SIGTERM', result.retries, (v) => String(v));
  // The balancer hands a request cut by the kill or the stop to the next process, so an app's 500 is its own error
  // (it was a deadlock between a webhook batch and a recompute until 2026-12-05), never the kill's.
  figure('attempts an app answered 500 (its own error)', result.failures['HTTP 500'] ?? 0, { op: '<=', limit: 0 }, (v) => String(v));
  printLockFigures(pg);
  // On a shared machine the wall-clock rate is what this bench got of the 2 cores; the CPU a delivery costs the whole
  // stack (PostgreSQL, apps with their recompute jobs, balancer, sender) says what 2 idle cores would allow.
  info('CPU per delivery, whole stack (PostgreSQL + apps + balancer + sender)', cpuPerDelivery, (v) => `${v.toFixed(2)} ms`);
  info('deliveries/s the 2 cores would allow at that CPU cost', 2000 / cpuPerDelivery, (v) => `${Math.round(v)}/s`);
} catch (error) {
  fail((error as Error).stack ?? String(error));
} finally {
  await stepInProgress.catch(() => {});
  // Gracefully (SIGTERM, as a rolling restart would), SIGKILL after 15 s.
  await Promise.all(
    apps.map(async (app) => {
      if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
      const exited = new Promise((resolve) => app.child.once('exit', resolve));
      app.child.kill('SIGTERM');
      const timer = setTimeout(() => void app.kill9(), 15_000);
      await exited;
      clearTimeout(timer);
    }),
  );
  for (const child of children) child.kill('SIGTERM');
  await observer?.close();
  await fake.stop();
  restoreFetch();
  pg.stop();
  lb?.stop();
}
if (failed) process.exit(1);

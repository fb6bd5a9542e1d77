// Benchmark of the daily full run of a large shop on PostgreSQL, split across worker processes (issue 17:
// "Daily full run of that shop (10,000,000 orders) with 2 worker processes: <= 5 minutes").
// 1. Starts a throwaway PostgreSQL cluster (./throwaway-postgres.ts, fsync off) and exits non-zero saying what is
//    missing when the server binaries are absent.
// 2. Seeds one shop's orders straight into `orders` from the repo's shop generator (generateShopStream: a Pareto/NBD
//    purchase process over two years, guests, partial and full refunds with their refund rows, cancellations, test
//    orders; seeded, so the same shop every run), streamed in batches. Seeding is not measured (the backfill has its
//    own bench); the daily full run is.
// 3. Starts PG_FULL_RUN_WORKERS app processes (default 2; this file with --worker: the real createApp with its real
//    job handlers on the shared PostgreSQL) and asks for a full run from this process (workers off here), as the
//    hourly refit check does. The shop is above the split threshold, so one process takes the fit step and every
//    process takes bucket jobs (PG_FULL_RUN_BUCKETS, default 8).
// 4. Times request -> every insight written and the shop metrics stored with the models (the run's row gone), with
//    the fit step and the bucket phase apart, peak RSS of each process, and one small shop's webhook -> recompute
//    -> insight while the large shop's buckets run (fair scheduling: a small shop is not kept waiting). After the run,
//    one webhook for a customer of the large shop: its insight, then the shop metrics the throttled `shop-metrics`
//    job refreshes from every order (its memory shows in the peak RSS; the workers print the refresh's duration).
// 5. The next day's full run: every process's clock moves a day on (the app's `clock` option) and the full run is
//    asked for again. This is the run a shop has every day after its first: the insights are stored, and most of them
//    change (days since the last order, the churn probability), so it rewrites them as updates where the first run
//    inserted them. It has the same floor.
// Checks that fail loudly (exit 1): the live insights equal the customers with a counted order (counted in SQL
// here, independently of the app), no run left behind, the stored models are of today's fit.
// Run: `pnpm bench pg-full-run` or `node test/bench/run-all.ts pg-full-run`. PG_FULL_RUN_ORDERS sets the size
// (default 10,000,000; 1,000,000 while developing on a shared machine). PG_FULL_RUN_KILL=1 also kills (-9) one worker
// process a second into the bucket phase: its bucket is retried by pg-boss once the heartbeat lapses (about 30-40 s),
// and the same checks must still pass (the run's time then includes that wait).
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createApp, createDatabase, createShopifyApi, orderPayload, signedWebhook, type Database, type Logger } from '@clvlens/shopify-app';
import type { OrderRecord } from '@clvlens/core';
import { generateShopStream, toOrderRecord } from '../src/index.ts';
import { figure, info, load, machine } from './report.ts';
import { cpuSecondsOfTree, startThrowawayPostgres, topStatements } from './throwaway-postgres.ts';

const ORDERS = Number(process.env['PG_FULL_RUN_ORDERS'] ?? 10_000_000);
const WORKERS = Number(process.env['PG_FULL_RUN_WORKERS'] ?? 2);
const BUCKETS = Number(process.env['PG_FULL_RUN_BUCKETS'] ?? 8);
/** PG_FULL_RUN_KILL=1: kill -9 the last worker process a second into the bucket phase (crash safety; off by default). */
const KILL = process.env['PG_FULL_RUN_KILL'] === '1';
const SHOP = 'pg-full-run.myshopify.com';
const SMALL = 'small-neighbour.myshopify.com';
const KEY = 'pg-full-run-key';
const SECRET = 'pg-full-run-secret';
const ENCRYPTION_KEY = 'd'.repeat(64);
/** PG_FULL_RUN_STATEMENTS=1: where PostgreSQL spent each run's fit step and bucket phase (pg_stat_statements). */
const STATEMENTS = process.env['PG_FULL_RUN_STATEMENTS'] === '1';
/** PG_FULL_RUN_NEXT_DAY=0 skips the next day's run (step 5). */
const NEXT_DAY = process.env['PG_FULL_RUN_NEXT_DAY'] !== '0';
const DAY_MS = 86_400_000;
/** Orders per seeding statement. */
const SEED_BATCH = 20_000;
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (kb: number): string => `${Math.round(kb / 1024)} MB`;

/** A check of the bench failed: reported as FAILED, exit 1, once the processes it started are stopped. */
class BenchFailure extends Error {}

if (process.argv[2] === '--worker') await worker();
else {
  await main().catch((error: unknown) => {
    // After main's `finally` stopped the worker processes and the throwaway cluster (a failed check used to exit
    // before it and leave both running).
    console.error(error instanceof BenchFailure ? `FAILED: ${error.message}` : error);
    process.exit(1);
  });
}

/** A worker process: the app with its job workers on the shared PostgreSQL; reports its peak RSS when asked to stop. */
async function worker(): Promise<void> {
  const database = await createDatabase({ databaseUrl: process.env['DATABASE_URL']! });
  // Moved a day on for the next day's run (step 5).
  let clockOffsetMs = 0;
  const counts: Record<string, number> = {};
  const log: Logger = {
    info: (message, context) => {
      const key = context?.['split'] === true ? `${message} (split)` : message;
      counts[key] = (counts[key] ?? 0) + 1;
      if (message === 'split full run started' || (message === 'shop metrics refreshed' && context?.['shop'] === SHOP)) {
        console.log(`worker ${process.pid}: ${message} ${JSON.stringify(context)}`);
      }
    },
    warn: () => undefined,
    error: (message, context) => {
      // Metafield syncs and Flow triggers fail here (the shops were seeded, never installed: no session, no Shopify to
      // talk to); anything else is a problem to show.
      if (context?.['queue'] !== 'metafield-sync' && context?.['queue'] !== 'flow-triggers')
        console.error(`worker ${process.pid}: ${message} ${JSON.stringify(context)}`);
    },
  };
  const app = await createApp({
    database,
    shopify: createShopifyApi({ apiKey: KEY, apiSecretKey: SECRET, appUrl: 'https://clvlens.example.com' }),
    encryptionKey: ENCRYPTION_KEY,
    log,
    clock: { now: () => Date.now() + clockOffsetMs },
    pollingIntervalSeconds: 0.5,
    splitFullRun: { minOrders: 100_000, buckets: BUCKETS },
  });
  process.on('message', (message) => {
    if (typeof message === 'object' && message !== null && 'clockOffsetMs' in message) {
      clockOffsetMs = (message as { clockOffsetMs: number }).clockOffsetMs;
      process.send?.({ clockOffsetMs });
      return;
    }
    if (message !== 'stop') return;
    void app.stop().then(async () => {
      await database.close();
      process.send?.({ maxRssKb: process.resourceUsage().maxRSS, counts }, () => process.exit(0));
    });
  });
  process.send?.({ ready: true });
}

async function main(): Promise<void> {
  console.log(`machine: ${machine()}; load average at start: ${load()}`);
  // A bigger buffer cache and WAL than the default: the seed writes millions of rows before the measured run.
  const pg = await startThrowawayPostgres({ settings: ['shared_buffers=512MB', 'max_wal_size=4GB'] }).catch((error: Error) => fail(error.message));
  console.log(`${pg.version}, ${pg.url} (throwaway cluster, fsync off)`);
  const workers: ChildProcess[] = [];
  try {
    const database = await createDatabase({ databaseUrl: pg.url });
    const { db } = database;
    const query = async <R>(text: string, values: unknown[] = []): Promise<R[]> => (await database.pool.query(text, values)).rows as R[];
    const seedStarted = performance.now();
    await seed(database);
    const seeded = await query<{ orders: number; customers: number }>(
      'SELECT count(*)::int AS orders, count(DISTINCT customer_id)::int AS customers FROM orders WHERE shop_id = $1',
      [SHOP],
    );
    info(
      `seeded ${seeded[0]!.orders.toLocaleString('en')} orders, ${seeded[0]!.customers.toLocaleString('en')} customers (not measured)`,
      performance.now() - seedStarted,
      s,
    );

    // Workers start before the request, as app processes that are already running when the refit is due.
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(pg.url));
    let clockOffsetMs = 0;
    const requester = await createApp({
      database,
      shopify: createShopifyApi({ apiKey: KEY, apiSecretKey: SECRET, appUrl: 'https://clvlens.example.com' }),
      encryptionKey: ENCRYPTION_KEY,
      log: { info: () => undefined, warn: () => undefined, error: (m, c) => console.error(`requester: ${m} ${JSON.stringify(c)}`) },
      clock: { now: () => Date.now() + clockOffsetMs },
      workers: false,
      splitFullRun: { minOrders: 100_000, buckets: BUCKETS },
    });

    /** CPU seconds so far of PostgreSQL (all its processes) and of each worker process (0 once it is gone). */
    const cpuNow = () => [cpuSecondsOfTree(pg.pid), ...workers.map((w) => (w.pid === undefined ? 0 : cpuSecondsOfTree(w.pid)))];
    const statements = async (phase: string) => {
      if (!STATEMENTS) return;
      console.log(`PostgreSQL's statements in ${phase}:`);
      for (const r of await topStatements(database.pool, { limit: 30, width: 160 }))
        console.log(`  pg: ${String(r.ms).padStart(7)} ms ${String(r.calls).padStart(7)} calls  ${r.query}`);
      await database.pool.query('SELECT pg_stat_statements_reset()');
    };
    if (STATEMENTS) await database.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');

    /** Asks for the large shop's full run and waits for it: every bucket written and the shop metrics stored. */
    const measuredRun = async (kill: boolean) => {
      console.log(`load average before the run: ${load()}`);
      const cpuAtStart = cpuNow();
      if (STATEMENTS) await database.pool.query('SELECT pg_stat_statements_reset()');
      const startedAppMs = Date.now() + clockOffsetMs;
      const started = performance.now();
      const requested = await requester.compute.recomputeShop(SHOP, { full: true });
      if (requested.mode !== 'split') fail(`expected a split full run, got ${requested.mode}`);
      let fitDoneAt: number | null = null;
      let smallLatencyMs: number | null = null;
      let killedAt: number | null = null;
      let cpuAtFit: number[] | null = null;
      for (;;) {
        const run = await db.selectFrom('split_full_runs').select(['done']).where('shop_id', '=', SHOP).executeTakeFirst();
        if (run && fitDoneAt === null) {
          fitDoneAt = performance.now();
          cpuAtFit = cpuNow();
          await statements('the fit step');
          // The large shop's buckets are running: a small shop's webhook must still be recomputed promptly.
          smallLatencyMs = await orderWebhook(requester, db, SMALL, 7);
        }
        if (kill && killedAt === null && fitDoneAt !== null && run && performance.now() - fitDoneAt > 1_000) {
          workers[workers.length - 1]!.kill('SIGKILL');
          killedAt = performance.now();
          console.log(`killed worker ${workers.length} (kill -9) with ${run.done.length} of ${BUCKETS} buckets done`);
        }
        const metrics = await db.selectFrom('shop_metrics').select(['fitted_at']).where('shop_id', '=', SHOP).executeTakeFirst();
        if (!run && metrics?.fitted_at && metrics.fitted_at.getTime() >= startedAppMs) break;
        if (performance.now() - started > 60 * 60_000) fail('the full run did not finish within an hour');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const finishedAt = performance.now();
      const cpuAtEnd = cpuNow();
      console.log(`load average after the run: ${load()}`);
      await statements('the bucket phase');
      return { started, fitDoneAt, finishedAt, smallLatencyMs, killedAt, cpu: { atStart: cpuAtStart, atFit: cpuAtFit, atEnd: cpuAtEnd } };
    };
    /** The run's figures: the whole against the floor, its two steps, the small shop's webhook meanwhile. */
    const report = (label: string, run: Awaited<ReturnType<typeof measuredRun>>) => {
      figure(label, run.finishedAt - run.started, { op: '<=', limit: 300_000 }, s);
      if (run.fitDoneAt !== null) {
        info('  of which the fit step (orders read, models fitted, shop metrics; one process)', run.fitDoneAt - run.started, s);
        info('  of which the bucket phase (scoring and writing; every process)', run.finishedAt - run.fitDoneAt, s);
      }
      // CPU seconds of PostgreSQL and of each worker process in each step: on a machine with few cores, the run is
      // as fast as their sum allows.
      const spent = (from: number[], to: number[]) =>
        ['PostgreSQL', ...workers.map((_, i) => `worker ${i + 1}`)]
          // A worker killed in the step (PG_FULL_RUN_KILL) took its CPU figures with it.
          .map((who, i) => `${who} ${to[i]! < from[i]! ? 'killed' : `${(to[i]! - from[i]!).toFixed(1)} s`}`)
          .join(', ');
      if (run.cpu.atFit !== null) {
        console.log(`  CPU in the fit step: ${spent(run.cpu.atStart, run.cpu.atFit)}`);
        console.log(`  CPU in the bucket phase: ${spent(run.cpu.atFit, run.cpu.atEnd)}`);
      }
      if (run.smallLatencyMs !== null)
        figure("small shop's webhook -> its insight written, during the large shop's buckets", run.smallLatencyMs, { op: '<=', limit: 5_000 }, s);
    };
    // Checks, independent of the app: every customer with a counted order has a live insight, and no one else; the
    // stored models are those of the run; no split run is left behind.
    const check = async (asOfAfterMs: number) => {
      const truth = await query<{ n: number }>(
        `SELECT count(DISTINCT customer_id)::int AS n FROM orders WHERE shop_id = $1 AND customer_id IS NOT NULL
          AND NOT test AND NOT cancelled AND NOT (refunded_minor > 0 AND total_minor - refunded_minor <= 0)`,
        [SHOP],
      );
      const live = await query<{ n: number }>('SELECT count(*)::int AS n FROM customer_insights WHERE shop_id = $1 AND NOT deleted', [SHOP]);
      const stored = await db.selectFrom('shop_metrics').select(['models', 'as_of']).where('shop_id', '=', SHOP).executeTakeFirstOrThrow();
      const models = JSON.parse(stored.models!) as { asOfMs: number; churn: { method: string; customerCount: number } };
      info(`churn method ${models.churn.method}; live insights`, live[0]!.n, (v) => v.toLocaleString('en'));
      if (live[0]!.n !== truth[0]!.n) fail(`${live[0]!.n} live insights, but ${truth[0]!.n} customers have a counted order`);
      if (models.asOfMs !== stored.as_of.getTime() || models.churn.customerCount <= 0) fail('the stored models are not those of the run');
      if (models.asOfMs <= asOfAfterMs) fail(`the stored models are as of ${new Date(models.asOfMs).toISOString()}, not of the run's day`);
      if ((await db.selectFrom('split_full_runs').selectAll().execute()).length > 0) fail('a split run was left behind');
      console.log('checks passed: one live insight per customer with a counted order, the run finished with every bucket');
      return models.asOfMs;
    };
    const insightSeq = async () => Number((await query<{ seq: string }>('SELECT insight_seq::text AS seq FROM shops WHERE shop_id = $1', [SHOP]))[0]!.seq);

    // The small shop's first fit, before the measured run.
    await requester.compute.recomputeShop(SMALL);
    const first = await measuredRun(KILL);

    // A change to the large shop after its run: the customer's insight (an incremental run), then the shop metrics
    // refreshed from every order (the shop-metrics job, read a part of customers at a time; its memory is in the peak
    // RSS figures below).
    const { rows: someone } = await database.pool.query<{ id: string }>(
      'SELECT customer_id::text AS id FROM orders WHERE shop_id = $1 AND customer_id IS NOT NULL ORDER BY customer_id LIMIT 1',
      [SHOP],
    );
    const metricsBefore = (
      await db.selectFrom('shop_metrics').select('computed_at').where('shop_id', '=', SHOP).executeTakeFirstOrThrow()
    ).computed_at.getTime();
    const largeSent = performance.now();
    const largeLatencyMs = await orderWebhook(requester, db, SHOP, Number(someone[0]!.id));
    for (;;) {
      const m = await db.selectFrom('shop_metrics').select('computed_at').where('shop_id', '=', SHOP).executeTakeFirstOrThrow();
      if (m.computed_at.getTime() > metricsBefore) break;
      if (performance.now() - largeSent > 10 * 60_000) fail("the large shop's metrics were not refreshed within 10 minutes of its webhook");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const largeMetricsMs = performance.now() - largeSent;
    const { rows: retried } = await database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'full-run-bucket' AND retry_count > 0 AND data->>'shop' = $1`,
      [SHOP],
    );

    report(
      `daily full run, first (every insight inserted), ${seeded[0]!.orders.toLocaleString('en')} orders, ${WORKERS} worker processes, ${BUCKETS} buckets`,
      first,
    );
    info("large shop's webhook after the run -> its insight written", largeLatencyMs, s);
    info("  -> the large shop's metrics refreshed from every order (throttled job, after the insight)", largeMetricsMs, s);
    if (first.killedAt !== null) {
      info(`  finished after the kill -9 of a worker (bucket jobs retried: ${retried[0]!.n})`, first.finishedAt - first.killedAt, s);
      if (retried[0]!.n === 0) console.log('  (the killed worker held no bucket at that moment: nothing to retry)');
    }
    const firstAsOfMs = await check(0);

    if (NEXT_DAY) {
      // The next day: every process's clock a day on, and the full run again over the stored insights.
      if (first.killedAt !== null) workers[workers.length - 1] = await startWorker(pg.url);
      clockOffsetMs = DAY_MS;
      await Promise.all(workers.map((w) => setClock(w, DAY_MS)));
      const seqBefore = await insightSeq();
      const next = await measuredRun(false);
      report(`daily full run, the next day (stored insights rewritten), ${seeded[0]!.orders.toLocaleString('en')} orders, ${WORKERS} worker processes`, next);
      info('  insights that changed (written again)', (await insightSeq()) - seqBefore, (v) => v.toLocaleString('en'));
      await check(firstAsOfMs);
    }

    const reports = await Promise.all(workers.filter((w) => w.exitCode === null && w.signalCode === null).map(stopWorker));
    reports.forEach((r, i) =>
      info(
        `peak RSS of worker ${i + 1} (${
          Object.entries(r.counts)
            .filter(([k]) => /split|recomputed|refreshed/.test(k))
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ') || 'no split work'
        })`,
        r.maxRssKb,
        mb,
      ),
    );
    await requester.stop();
    await database.close();
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    pg.stop();
  }
}

/**
 * The shop's orders and refunds from the repo's shop generator (`generateShopStream`: Pareto/NBD purchases, guests,
 * refunds, cancellations, test orders; seeded, so the same shop every run), streamed into PostgreSQL in batches of
 * {@link SEED_BATCH} orders with `INSERT ... SELECT FROM unnest(...)`, never all in memory.
 */
async function seed(database: Database): Promise<void> {
  const { db, pool } = database;
  const endMs = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const stream = generateShopStream({ seed: 'pg-full-run', orders: ORDERS, endMs, currency: 'USD', timeZone: 'America/New_York' });
  await db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'America/New_York' }).execute();
  let batch: OrderRecord[] = [];
  const flush = async () => {
    const col = <T>(f: (r: OrderRecord) => T) => batch.map(f);
    await pool.query(
      `INSERT INTO orders (shop_id, order_id, customer_id, guest_key, placed_at, updated_at, currency, total_minor, refunded_minor, cancelled, test, subscription)
       SELECT $1, o, c, g, to_timestamp(t / 1000.0), to_timestamp(t / 1000.0), cur, tot, ref, can, tst, sub
       FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::float8[], $6::text[], $7::bigint[], $8::bigint[], $9::bool[], $10::bool[], $11::bool[])
         AS u(o, c, g, t, cur, tot, ref, can, tst, sub)`,
      [
        SHOP,
        col((r) => r.orderId),
        col((r) => r.customerId),
        // The app keeps a keyed hash of a guest's email (`g1:`), never the address; any stable key in that form will do
        // here (a key without the prefix is an older version's, which the app converts one by one at start).
        col((r) => (r.customerId === null && r.email !== null ? `g1:${createHash('sha256').update(r.email.toLowerCase()).digest('hex')}` : null)),
        col((r) => r.placedAtMs),
        col((r) => r.currency),
        col((r) => r.totalMinor),
        col((r) => r.refundedMinor),
        col((r) => r.cancelled),
        col((r) => r.test),
        col((r) => r.subscription),
      ],
    );
    const refunds = batch.flatMap((r) =>
      (r.refunds ?? []).map((f, i) => ({ orderId: r.orderId, id: `${r.orderId}${i}`, at: f.refundedAtMs, amount: f.amountMinor })),
    );
    if (refunds.length > 0) {
      await pool.query(
        `INSERT INTO order_refunds (shop_id, refund_id, order_id, refunded_at, amount_minor)
         SELECT $1, i, o, to_timestamp(t / 1000.0), a FROM unnest($2::bigint[], $3::bigint[], $4::float8[], $5::bigint[]) AS u(i, o, t, a)`,
        [SHOP, refunds.map((f) => f.id), refunds.map((f) => f.orderId), refunds.map((f) => f.at), refunds.map((f) => f.amount)],
      );
    }
    batch = [];
  };
  for (const order of stream.orders) {
    batch.push(toOrderRecord(order));
    if (batch.length === SEED_BATCH) await flush();
  }
  await flush();
  // A small neighbour shop: 200 customers, 2 orders each, fitted once before the measured run.
  await db.insertInto('shops').values({ shop_id: SMALL, currency: 'USD', iana_timezone: 'UTC' }).execute();
  await pool.query(
    `INSERT INTO orders (shop_id, order_id, customer_id, placed_at, updated_at, currency, total_minor)
     SELECT $1, g, 1 + g % 200, now() - (g % 400 + 2) * interval '1 day', now() - (g % 400 + 2) * interval '1 day', 'USD', 1000 + g
     FROM generate_series(1, 400) g`,
    [SMALL],
  );
  // Both histories are stored, as a finished backfill leaves a shop (the app scores no shop before that).
  await pool.query(`INSERT INTO sync_state (shop_id, state) VALUES ($1, 'live'), ($2, 'live')`, [SHOP, SMALL]);
  await pool.query('ANALYZE');
}

/**
 * One order webhook for a customer of `shop`, through the requester's webhook route (ingest, then the recompute job in
 * a worker process); the time until that customer's insight counts the new order.
 */
async function orderWebhook(requester: Awaited<ReturnType<typeof createApp>>, db: Database['db'], shop: string, customerId: number): Promise<number> {
  const before = await db
    .selectFrom('customer_insights')
    .select('payload')
    .where('shop_id', '=', shop)
    .where('customer_id', '=', String(customerId))
    .executeTakeFirst();
  const countBefore = before?.payload ? (JSON.parse(before.payload) as { orderCount: number }).orderCount : 0;
  const at = new Date().toISOString();
  const sent = performance.now();
  const response = await requester.request(
    signedWebhook(SECRET, shop, 'orders/create', orderPayload({ id: 900_001 + Math.floor(Math.random() * 1e6), customerId, total: '12.00', createdAt: at })),
  );
  if (response.status !== 200) fail(`${shop}'s webhook was answered ${response.status}`);
  for (;;) {
    const row = await db
      .selectFrom('customer_insights')
      .select('payload')
      .where('shop_id', '=', shop)
      .where('customer_id', '=', String(customerId))
      .executeTakeFirst();
    if (row?.payload && (JSON.parse(row.payload) as { orderCount: number }).orderCount > countBefore) return performance.now() - sent;
    if (performance.now() - sent > 120_000) fail(`${shop}'s webhook was not recomputed within 2 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startWorker(url: string): Promise<ChildProcess> {
  const child = fork(fileURLToPath(import.meta.url), ['--worker'], { env: { ...process.env, DATABASE_URL: url } });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`a worker process exited with ${code} before it was ready`)));
  });
}

/** Moves a worker process's clock `offsetMs` on from the real one and waits until it has. */
function setClock(child: ChildProcess, offsetMs: number): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'clockOffsetMs' in m) {
        child.off('message', onMessage);
        resolve();
      }
    };
    child.on('message', onMessage);
    child.send({ clockOffsetMs: offsetMs });
  });
}

/** Stops a worker process and waits for it to exit (so nothing of it is killed by the cleanup); its report. */
function stopWorker(child: ChildProcess): Promise<{ maxRssKb: number; counts: Record<string, number> }> {
  return new Promise((resolve) => {
    let report: { maxRssKb: number; counts: Record<string, number> } | null = null;
    child.on('message', (m) => {
      if (typeof m === 'object' && m !== null && 'maxRssKb' in m) report = m as { maxRssKb: number; counts: Record<string, number> };
    });
    child.once('exit', () => resolve(report ?? { maxRssKb: 0, counts: {} }));
    child.send('stop');
  });
}

function fail(message: string): never {
  throw new BenchFailure(message);
}

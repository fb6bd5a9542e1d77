// `clvlens report` on a 1,000,000-order Shopify orders export (about 1.9 rows per order, written by the shop
// generator from a fixed seed) against two peers on the same file, each as a whole process:
// - DuckDB (`duckdb-orders.ts`, 2 threads) reading it and counting orders, counted orders and customers by the same
//   rules; the counts must equal clvlens' (checked). Target (issue 17): clvlens within 2x of DuckDB's time.
// - Python pandas merely reading it (`/usr/bin/python3 -c "import pandas; pandas.read_csv(F)"`, Debian's
//   python3-pandas). Target (issue 2): clvlens no slower.
// clvlens reads a file this large on two threads (readers/shopify-orders.ts), as DuckDB does.
// Prints the wall times, the ratios and clvlens' peak memory; figures, not a timed test. Ratios are judged on each
// set of runs (they alternate, so all see the same load): the median over the runs (default CLVLENS_BENCH_RUNS,
// else 5) with the worst beside it.
// Run: `pnpm bench cli-report` (root) or `n24 node test/bench/cli-report.bench.ts [orders] [runs]`; a smaller file
// while developing: CLVLENS_CLI_BENCH_ORDERS=200000 (exports under 8 MiB are read on one thread).
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateShopStream, writeShopifyOrdersExport } from '../src/index.ts';
import { info, load, machine, median, runsFigure, runsInfo } from './report.ts';

const ORDERS = Number(process.argv[2] ?? process.env.CLVLENS_CLI_BENCH_ORDERS ?? 1_000_000);
const RUNS = Math.max(1, Number(process.argv[3] ?? process.env.CLVLENS_BENCH_RUNS ?? 5));
const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
const MAIN = fileURLToPath(new URL('../../core/cli/src/main.ts', import.meta.url));
const DUCKDB = fileURLToPath(new URL('./duckdb-orders.ts', import.meta.url));

interface Run {
  seconds: number;
  /** User + system CPU seconds (GNU time), less sensitive than wall time to other load on the machine. */
  cpuSeconds: number | null;
  peakRssMb: number | null;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Checks that clvlens and DuckDB count the same orders, counted orders and customers, so the race is fair. */
function sameAnswers(clvlensJson: string, duckdbJson: string): void {
  const report = JSON.parse(clvlensJson) as { orders: { total: number; counted: number }; customers: number };
  const duck = JSON.parse(duckdbJson) as { orders: number; counted: number; customers: number };
  const ours = { orders: report.orders.total, counted: report.orders.counted, customers: report.customers };
  if (ours.orders !== duck.orders || ours.counted !== duck.counted || ours.customers !== duck.customers) {
    throw new Error(`clvlens and DuckDB disagree: ${JSON.stringify(ours)} vs ${JSON.stringify(duck)}`);
  }
  console.log(`  same answers: ${ours.orders} orders, ${ours.counted} counted, ${ours.customers} customers`);
}

/** Runs a command, with GNU time for the peak RSS when it is installed. Wall time measured here. */
function timed(command: string, args: string[]): Run {
  const useTime = existsSync(GNU_TIME);
  const start = performance.now();
  const result = useTime
    ? spawnSync(GNU_TIME, ['-f', 'CLVLENS_MAXRSS_KB=%M CPU=%U+%S', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - start) / 1000;
  const match = /CLVLENS_MAXRSS_KB=(\d+) CPU=([\d.]+)\+([\d.]+)/.exec(result.stderr ?? '');
  return {
    seconds,
    cpuSeconds: match === null ? null : Number(match[2]) + Number(match[3]),
    peakRssMb: match === null ? null : Number(match[1]) / 1024,
    status: result.status,
    stdout: result.stdout ?? '',
    stderr: (result.stderr ?? '').replace(/CLVLENS_MAXRSS_KB=.*\n?/, ''),
  };
}

async function main(): Promise<void> {
  console.log(`machine: ${machine()}; load average at start: ${load()}`);
  const dir = mkdtempSync(join(tmpdir(), 'clvlens-cli-bench-'));
  try {
    const file = join(dir, 'orders_export.csv');
    let t = performance.now();
    const shop = generateShopStream({ seed: 'cli-report-bench', orders: ORDERS, endMs: Date.UTC(2026, 10, 1) });
    const out = createWriteStream(file);
    const summary = await writeShopifyOrdersExport(shop, out);
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const sizeMb = statSync(file).size / 1024 / 1024;
    console.log(
      `cli-report: Shopify orders export of ${summary.orders.toLocaleString('en-US')} orders, ${summary.rows.toLocaleString('en-US')} rows ` +
        `(${(summary.rows / summary.orders).toFixed(2)} rows/order), ${sizeMb.toFixed(0)} MB, generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const hasPandas = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0;
    const pandasVersion = hasPandas ? spawnSync(PYTHON, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' }).stdout.trim() : '';
    // Runs alternate so both tools see the same background load on a shared machine.
    const clvlens: Run[] = [];
    const pandas: Run[] = [];
    const duckdb: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = timed(process.execPath, [MAIN, 'report', file, '--json', '--timezone', shop.shop.ianaTimezone]);
      if (run.status !== 0) throw new Error(`clvlens report failed (${run.status}):\n${run.stderr}`);
      clvlens.push(run);
      const duck = timed(process.execPath, [DUCKDB, file]);
      if (duck.status !== 0) throw new Error(`DuckDB failed (${duck.status}):\n${duck.stderr}`);
      duckdb.push(duck);
      if (i === 0) sameAnswers(run.stdout, duck.stdout);
      if (!hasPandas) continue;
      const read = timed(PYTHON, ['-c', `import pandas; pandas.read_csv(${JSON.stringify(file)})`]);
      if (read.status !== 0) throw new Error(`pandas.read_csv failed (${read.status}):\n${read.stderr}`);
      pandas.push(read);
    }
    const sec = (v: number) => `${v.toFixed(1)} s`;
    const describe = (label: string, runs: Run[]) =>
      console.log(
        `  ${label}: ${runs.map((r) => r.seconds.toFixed(2)).join(', ')} s wall` +
          `${runs.some((r) => r.cpuSeconds === null) ? '' : `; ${runs.map((r) => r.cpuSeconds!.toFixed(2)).join(', ')} s CPU`}` +
          `${runs.some((r) => r.peakRssMb === null) ? '' : `; peak RSS ${runs.map((r) => r.peakRssMb!.toFixed(0)).join(', ')} MB`}`,
      );
    describe('clvlens report --json', clvlens);
    describe('DuckDB (2 threads, whole process)', duckdb);
    console.log(`  load average at end: ${load()}`);
    runsInfo(
      'clvlens report --json, wall',
      clvlens.map((r) => r.seconds * 1000),
      (v) => sec(v / 1000),
    );
    runsFigure(
      'clvlens report / DuckDB, wall-time ratio (issue 17)',
      clvlens.map((c, i) => c.seconds / duckdb[i]!.seconds),
      { op: '<=', limit: 2 },
      (v) => v.toFixed(2),
    );
    if (clvlens.every((r) => r.cpuSeconds !== null) && duckdb.every((r) => r.cpuSeconds !== null)) {
      // Both use two threads; CPU time moves less than wall time with other load on the machine.
      info(`clvlens / DuckDB CPU-time ratio, median of ${RUNS}`, median(clvlens.map((c, i) => c.cpuSeconds! / duckdb[i]!.cpuSeconds!)), (v) => v.toFixed(2));
    }
    if (!hasPandas) {
      console.log(`  pandas: not measured: ${PYTHON} cannot import pandas (install Debian's python3-pandas: apt-get install -y python3-pandas)`);
      return;
    }
    describe(`pandas ${pandasVersion} read_csv`, pandas);
    runsInfo(
      `pandas ${pandasVersion} read_csv, wall`,
      pandas.map((r) => r.seconds * 1000),
      (v) => sec(v / 1000),
    );
    runsFigure(
      'clvlens report / pandas.read_csv, wall-time ratio',
      clvlens.map((c, i) => c.seconds / pandas[i]!.seconds),
      { op: '<=', limit: 1 },
      (v) => v.toFixed(2),
    );
    if (clvlens.every((r) => r.cpuSeconds !== null) && pandas.every((r) => r.cpuSeconds !== null)) {
      info(`clvlens / pandas CPU-time ratio, median of ${RUNS}`, median(clvlens.map((c, i) => c.cpuSeconds! / pandas[i]!.cpuSeconds!)), (v) => v.toFixed(2));
    }
    if (clvlens.every((r) => r.peakRssMb !== null) && pandas.every((r) => r.peakRssMb !== null)) {
      info('peak RSS, clvlens (largest run; pandas beside it in the lines above)', Math.max(...clvlens.map((r) => r.peakRssMb!)), (v) => `${v.toFixed(0)} MB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

// `clvlens report` on a 1,000,000-order Shopify orders export (about 1.5 rows per order, written by the shop
// generator from a fixed seed) against Python pandas merely reading the same CSV
// (`/usr/bin/python3 -c "import pandas; pandas.read_csv(F)"`, Debian's python3-pandas). Prints both wall times, the
// ratio and clvlens' peak memory; figures, not a timed test. Target (issue 2): clvlens no slower than pandas.
// Run: `pnpm bench cli-report` (root) or `n24 node test/bench/cli-report.bench.ts [orders] [runs]`.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateShopStream, writeShopifyOrdersExport } from '../src/index.ts';

const ORDERS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 2);
const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
const MAIN = fileURLToPath(new URL('../../core/cli/src/main.ts', import.meta.url));

interface Run {
  seconds: number;
  /** User + system CPU seconds (GNU time), less sensitive than wall time to other load on the machine. */
  cpuSeconds: number | null;
  peakRssMb: number | null;
  status: number | null;
  stderr: string;
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
    stderr: (result.stderr ?? '').replace(/CLVLENS_MAXRSS_KB=.*\n?/, ''),
  };
}

function best(runs: Run[]): Run {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

async function main(): Promise<void> {
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
    for (let i = 0; i < RUNS; i++) {
      const run = timed(process.execPath, [MAIN, 'report', file, '--json', '--timezone', shop.shop.ianaTimezone]);
      if (run.status !== 0) throw new Error(`clvlens report failed (${run.status}):\n${run.stderr}`);
      clvlens.push(run);
      if (!hasPandas) continue;
      const read = timed(PYTHON, ['-c', `import pandas; pandas.read_csv(${JSON.stringify(file)})`]);
      if (read.status !== 0) throw new Error(`pandas.read_csv failed (${read.status}):\n${read.stderr}`);
      pandas.push(read);
    }
    const describe = (label: string, runs: Run[]) => {
      const b = best(runs);
      console.log(
        `  ${label}: ${b.seconds.toFixed(2)} s wall (best of ${runs.length}: ${runs.map((r) => r.seconds.toFixed(2)).join(', ')} s)` +
          `${b.cpuSeconds === null ? '' : `, ${b.cpuSeconds.toFixed(2)} s CPU`}${b.peakRssMb === null ? '' : `, peak RSS ${b.peakRssMb.toFixed(0)} MB`}`,
      );
      return b;
    };
    const c = describe('clvlens report --json', clvlens);
    if (!hasPandas) {
      console.log(`  pandas: not measured: ${PYTHON} cannot import pandas (install Debian's python3-pandas: apt-get install -y python3-pandas)`);
      return;
    }
    const p = describe(`pandas ${pandasVersion} read_csv`, pandas);
    const cpuRatio = c.cpuSeconds !== null && p.cpuSeconds !== null ? `, CPU time ${(c.cpuSeconds / p.cpuSeconds).toFixed(2)}` : '';
    console.log(`  ratio clvlens / pandas: wall ${(c.seconds / p.seconds).toFixed(2)}${cpuRatio} (target <= 1.00: ${c.seconds <= p.seconds ? 'met' : 'NOT met'})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

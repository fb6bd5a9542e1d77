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
  peakRssMb: number | null;
  status: number | null;
  stderr: string;
}

/** Runs a command, with GNU time for the peak RSS when it is installed. Wall time measured here. */
function timed(command: string, args: string[]): Run {
  const useTime = existsSync(GNU_TIME);
  const start = performance.now();
  const result = useTime
    ? spawnSync(GNU_TIME, ['-f', 'CLVLENS_MAXRSS_KB=%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - start) / 1000;
  const match = /CLVLENS_MAXRSS_KB=(\d+)/.exec(result.stderr ?? '');
  return {
    seconds,
    peakRssMb: match === null ? null : Number(match[1]) / 1024,
    status: result.status,
    stderr: (result.stderr ?? '').replace(/CLVLENS_MAXRSS_KB=\d+\n?/, ''),
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

    const clvlens: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = timed(process.execPath, [MAIN, 'report', file, '--json', '--timezone', shop.shop.ianaTimezone]);
      if (run.status !== 0) throw new Error(`clvlens report failed (${run.status}):\n${run.stderr}`);
      clvlens.push(run);
    }
    const c = best(clvlens);
    console.log(
      `  clvlens report --json: ${c.seconds.toFixed(2)} s (best of ${RUNS}: ${clvlens.map((r) => r.seconds.toFixed(2)).join(', ')} s)` +
        `${c.peakRssMb === null ? '' : `, peak RSS ${c.peakRssMb.toFixed(0)} MB`}`,
    );

    const hasPandas = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0;
    if (!hasPandas) {
      console.log(`  pandas: not measured: ${PYTHON} cannot import pandas (install Debian's python3-pandas: apt-get install -y python3-pandas)`);
      return;
    }
    const pandasVersion = spawnSync(PYTHON, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' }).stdout.trim();
    const pandas: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = timed(PYTHON, ['-c', `import pandas; pandas.read_csv(${JSON.stringify(file)})`]);
      if (run.status !== 0) throw new Error(`pandas.read_csv failed (${run.status}):\n${run.stderr}`);
      pandas.push(run);
    }
    const p = best(pandas);
    console.log(
      `  pandas ${pandasVersion} read_csv: ${p.seconds.toFixed(2)} s (best of ${RUNS}: ${pandas.map((r) => r.seconds.toFixed(2)).join(', ')} s)` +
        `${p.peakRssMb === null ? '' : `, peak RSS ${p.peakRssMb.toFixed(0)} MB`}`,
    );
    console.log(`  ratio clvlens / pandas: ${(c.seconds / p.seconds).toFixed(2)} (target <= 1.00: ${c.seconds <= p.seconds ? 'met' : 'NOT met'})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

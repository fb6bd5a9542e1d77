// `pnpm bench`: runs every test/bench/*.bench.ts in its own Node process, one after the other, so each gets a clean
// heap and its own peak-memory figure. Benchmarks print figures; they do not pass or fail on time.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumVersion, load, machine } from './report.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((word) => name.includes(word)))
  .sort();
// Every figure below depends on this machine and its load (see report.ts); say which once, at the top.
console.log(`machine: ${machine()}; Chromium: ${chromiumVersion() ?? 'not found'}; load average at start: ${load()}`);
let failed = 0;
for (const name of files) {
  console.log(`\n=== ${name}`);
  // --no-maglev: as the app and the CLI run (shopify-app/src/ops/v8-flags.ts), so in-process figures are the product's.
  const run = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--no-maglev', join(benchDir, name)], {
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    failed++;
    console.log(`!!! ${name} exited with ${run.status ?? run.signal}`);
  }
}
if (failed > 0) process.exit(1);

// Every process we ship runs without V8's Maglev tier: with it on (V8 13.6 and 14.6), a fitted model was sometimes
// stored with another fit's log-likelihood (shopify-app/src/ops/v8-flags.ts). Each check runs the process with
// --trace-opt, which names the tier of every function V8 compiles, next to a control run that shows the same work does
// get our model code compiled by Maglev when nothing turns it off, so the check can fail.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../../..');

/**
 * Names of the functions declared in core's model code (core/src/models), tests excluded: the fits. Not the app's
 * compute folder, whose generic names (`write`) are also names of Node's own functions, which run hot before the app.
 */
const modelFunctions = (() => {
  const names = new Set<string>();
  const dir = join(repoRoot, 'core/src/models');
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/\bfunction\*?\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]!);
  }
  return names;
})();

/** Runs `node --trace-opt ...`: its output, and the model functions that V8 compiled with Maglev, sorted. */
function traced(args: string[], cwd = repoRoot): { status: number | null; stdout: string; stderr: string; maglev: string[] } {
  const run = spawnSync(process.execPath, ['--trace-opt', ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  const compiled = [...run.stdout.matchAll(/\[compiling method \S+ <JSFunction (\S+) [^\n]*\(target MAGLEV\)/g)].map((m) => m[1]!);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, maglev: [...new Set(compiled.filter((n) => modelFunctions.has(n)))].sort() };
}

describe('no process we ship compiles the model code with V8 Maglev', () => {
  const cdnowSample = join(repoRoot, '../shared/data/cdnow/CDNOW_sample.txt');
  const fitArgs = ['fit', cdnowSample, '--model', 'mbgnbd', '--time-unit', 'week', '--calibration-end', '1997-09-30', '--json'];

  it('clvlens (core/cli/src/main.ts) fits CDNOW with no model function on Maglev; runCli alone would use it', () => {
    const cli = pathToFileURL(join(repoRoot, 'core/cli/src/cli.ts')).href;
    const script = `import { runCli } from ${JSON.stringify(cli)};
      process.exitCode = await runCli(${JSON.stringify(fitArgs)}, { stdout: process.stdout, stderr: process.stderr, stderrIsTTY: false, cwd: process.cwd(), env: {} });`;
    const control = traced(['--input-type=module', '-e', script]);
    expect(control.stderr).toBe('');
    expect(control.status).toBe(0);
    // Which model functions reach Maglev first depends on timing (a loaded CI machine once left betaGeoLogLikelihood
    // out of ten); any of them shows that the check below can fail.
    expect(control.maglev.length).toBeGreaterThan(0);

    const run = traced([join(repoRoot, 'core/cli/src/main.ts'), ...fitArgs]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/"model": ?"mbgnbd"/);
    expect(run.maglev).toEqual([]);
  });

  it('an app process (startAppServer) fits churn models, in place and on a worker thread, with no model function on Maglev', () => {
    const child = join(repoRoot, 'shopify-app/src/testing/fit-after-start.ts');
    const appDir = join(repoRoot, 'shopify-app');
    const control = traced([child], appDir);
    expect(control.stderr).toBe('');
    expect(control.stdout).toContain('RESULT {"method":"backtested","same":true}');
    expect(control.maglev.length).toBeGreaterThan(0);

    const run = traced([child, 'start'], appDir);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('RESULT {"method":"backtested","same":true}');
    expect(run.maglev).toEqual([]);
  });
});

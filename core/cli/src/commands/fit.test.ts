import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createSeededRng, simulateMbgNbd } from '@clvlens/core/simulate';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { captureIo, tempDir } from '../testing/temp-files.ts';
import { runFit } from './fit.ts';

const repoRoot = join(import.meta.dirname, '../../../..');
const cdnow = join(repoRoot, '../shared/data/cdnow');
const files = tempDir();

async function run(args: string[]) {
  const io = captureIo(files.dir);
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** A transaction log of 400 customers drawn from MBG/NBD in days (seed 21), acquired over 90 days, observed for a year. */
function transactionLog(): string {
  const rng = createSeededRng(21);
  const firstDays = Array.from({ length: 400 }, () => Math.floor(90 * rng()));
  const sim = simulateMbgNbd(
    { r: 0.8, alpha: 40, a: 0.8, b: 2 },
    firstDays.map((d) => 364 - d),
    rng,
  );
  const lines = ['customer_id,date,amount'];
  for (let c = 0; c < 400; c++) {
    const basket = 20 + 60 * rng();
    const x = sim.frequency[c]!;
    for (let k = 0; k <= x; k++) {
      const offset = k === 0 ? 0 : Math.max(k, Math.round((sim.recency[c]! * k) / x));
      const day = new Date(Date.UTC(2024, 0, 1 + firstDays[c]! + offset)).toISOString().slice(0, 10);
      lines.push(`cust-${c},${day},${(basket * (0.7 + 0.6 * rng())).toFixed(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('clvlens fit', () => {
  it('prints exactly the issue JSON shape with the published CDNOW-sample BG/NBD and Gamma-Gamma parameters', async () => {
    const { code, out, err } = await run([
      'fit',
      join(cdnow, 'CDNOW_sample.txt'),
      '--model',
      'bgnbd',
      '--time-unit',
      'week',
      '--calibration-end',
      '1997-09-30',
      '--json',
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(Object.keys(doc)).toEqual(['model', 'params', 'logLikelihood', 'customers', 'gammaGamma']);
    expect(Object.keys(doc.params)).toEqual(['r', 'alpha', 'a', 'b']);
    expect(Object.keys(doc.gammaGamma)).toEqual(['p', 'q', 'v', 'customers']);
    expect(doc.model).toBe('bgnbd');
    expect(doc.customers).toBe(2357);
    const close = (actual: number, published: number) => expect(Math.abs(actual / published - 1)).toBeLessThan(0.005);
    close(doc.params.r, 0.243);
    close(doc.params.alpha, 4.414);
    close(doc.params.a, 0.793);
    close(doc.params.b, 2.426);
    close(doc.logLikelihood, -9582.4);
    close(doc.gammaGamma.p, 6.25);
    close(doc.gammaGamma.q, 3.74);
    close(doc.gammaGamma.v, 15.44);
    expect(doc.gammaGamma.customers).toBe(946);
  });

  it('fits Pareto/NBD with --model pnbd and prints params {r, alpha, s, beta} (FHL 2005: 0.553, 10.578, 0.606, 11.669; LL -9,595.0)', async () => {
    const { code, out, err } = await run([
      'fit',
      join(cdnow, 'CDNOW_sample.txt'),
      '--model',
      'pnbd',
      '--time-unit',
      'week',
      '--calibration-end',
      '1997-09-30',
      '--json',
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(Object.keys(doc)).toEqual(['model', 'params', 'logLikelihood', 'customers', 'gammaGamma']);
    expect(Object.keys(doc.params)).toEqual(['r', 'alpha', 's', 'beta']);
    expect(doc.model).toBe('pnbd');
    const close = (actual: number, published: number) => expect(Math.abs(actual / published - 1)).toBeLessThan(0.005);
    close(doc.params.r, 0.553);
    close(doc.params.alpha, 10.578);
    close(doc.params.s, 0.606);
    close(doc.params.beta, 11.669);
    expect(Math.abs(doc.logLikelihood - -9595.0)).toBeLessThan(0.1);
  });

  it('fits MBG/CNBD-k with --model mbgcnbd and prints {k, r, alpha, a, b}: k = 1 on CDNOW (BTYDplus: "no regularity detected for CDNow"), i.e. MBG/NBD', async () => {
    const { code, out, err } = await run([
      'fit',
      join(cdnow, 'CDNOW_sample.txt'),
      '--model',
      'mbgcnbd',
      '--time-unit',
      'week',
      '--calibration-end',
      '1997-09-30',
      '--json',
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.model).toBe('mbgcnbd');
    expect(Object.keys(doc.params)).toEqual(['k', 'r', 'alpha', 'a', 'b']);
    expect(doc.params.k).toBe(1);
    // BTYDplus's MBG/NBD on the same data: r 0.525, alpha 6.183, a 0.891, b 1.614.
    const close = (actual: number, published: number) => expect(Math.abs(actual / published - 1)).toBeLessThan(0.005);
    close(doc.params.r, 0.525);
    close(doc.params.alpha, 6.183);
    close(doc.params.a, 0.891);
    close(doc.params.b, 1.614);
  });

  it('fits MBG/NBD on CDNOW_master, keyed by its first column (23,570 customers)', async () => {
    const io = captureIo(files.dir);
    const code = await runFit([join(cdnow, 'CDNOW_master.txt'), '--model', 'mbgnbd', '--calibration-end', '1997-09-30', '--json'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(io.out());
    expect(doc.model).toBe('mbgnbd');
    expect(doc.customers).toBe(23_570);
    expect(doc.params.r).toBeGreaterThan(0);
  });

  it('runs end to end as a process: node core/cli/src/main.ts fit ... --json', () => {
    const result = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'core/cli/src/main.ts'),
        'fit',
        join(cdnow, 'CDNOW_sample.txt'),
        '--model',
        'mbgnbd',
        '--time-unit',
        'week',
        '--calibration-end',
        '1997-09-30',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const doc = JSON.parse(result.stdout);
    // BTYDplus MBG/NBD on the CDNOW sample: 0.525, 6.183, 0.891, 1.614.
    expect(doc.params.r).toBeCloseTo(0.525, 3);
    expect(doc.params.alpha).toBeCloseTo(6.183, 2);
    expect(doc.params.a).toBeCloseTo(0.891, 3);
    expect(doc.params.b).toBeCloseTo(1.614, 3);
  });

  it('reads a transaction log CSV (customer_id,date,amount) through the CLI reader, in days', async () => {
    const path = files.write('log.csv', transactionLog());
    const { code, out, err } = await run(['fit', path, '--time-unit', 'day', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.customers).toBe(400);
    expect(doc.gammaGamma.customers).toBeGreaterThan(50);
  });

  it('reads a Shopify orders export through the CLI reader (customer id or email as the key)', async () => {
    const { code, out, err } = await run(['fit', join(repoRoot, 'core/cli/fixtures/sample-orders-export.csv'), '--time-unit', 'day', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.customers).toBeGreaterThan(100);
    expect(doc.params.alpha).toBeGreaterThan(0);
  });

  it('prints a readable summary without --json', async () => {
    const { code, out } = await run(['fit', join(cdnow, 'CDNOW_sample.txt'), '--calibration-end', '1997-09-30']);
    expect(code).toBe(0);
    expect(out).toContain('bgnbd fitted on 2,357 customers (cdnow-sample, time unit week, calibration to 1997-09-30 UTC)');
    expect(out).toContain('r = 0.2426  alpha = 4.4136  a = 0.7929  b = 2.4259');
  });

  it('exits 3 and says why when the model cannot be fitted (nobody bought twice)', async () => {
    const path = files.write('once.csv', 'customer_id,date,amount\na,2024-01-01,10.00\nb,2024-01-05,12.00\n');
    const { code, out, err } = await run(['fit', path, '--json']);
    expect(code).toBe(3);
    expect(out).toBe('');
    expect(err).toContain('could not be fitted to this data (nobody bought twice)');
  });

  it('exits 2 on an unknown model or a malformed date', async () => {
    expect((await run(['fit', join(cdnow, 'CDNOW_sample.txt'), '--model', 'pareto'])).code).toBe(2);
    const bad = await run(['fit', join(cdnow, 'CDNOW_sample.txt'), '--calibration-end', '1997-13-01']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--calibration-end "1997-13-01" is not a date');
  });
});

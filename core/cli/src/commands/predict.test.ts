import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIo, tempDir } from '../testing/temp-files.ts';
import { runPredict } from './predict.ts';

const cdnow = join(import.meta.dirname, '../../../../../shared/data/cdnow');
const files = tempDir();

describe('clvlens predict', () => {
  it('writes one CSV row per CDNOW-sample customer with the published spot values of customer 0001', async () => {
    const io = captureIo(files.dir);
    const code = await runPredict(
      [join(cdnow, 'CDNOW_sample.txt'), '--model', 'bgnbd', '--time-unit', 'week', '--calibration-end', '1997-09-30', '--horizon', '39', '--out', 'predictions.csv'],
      io,
    );
    expect(code).toBe(0);
    expect(io.err()).toBe('clvlens: wrote 2357 customers to predictions.csv\n');
    const lines = readFileSync(join(files.dir, 'predictions.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('customer_id,frequency,recency,T,p_alive,expected_purchases,expected_avg_value,clv');
    expect(lines).toHaveLength(2358);
    const [id, x, recency, T, pAlive, expected, avgValue, clv] = lines[1]!.split(',');
    expect(id).toBe('0001');
    expect(Number(x)).toBe(2);
    expect(Number(recency)).toBeCloseTo(30.43, 2);
    expect(Number(T)).toBeCloseTo(38.86, 2);
    // FHL 2005 / Hardie's sheet: P(alive) 0.7266, E[Y(39)] 1.226; Gamma-Gamma E(M) 24.65 (note 025).
    expect(Number(pAlive)).toBeCloseTo(0.7266, 3);
    expect(Number(expected)).toBeCloseTo(1.226, 2);
    expect(Number(avgValue)).toBeCloseTo(24.65, 2);
    expect(Number(clv)).toBeGreaterThan(0);
    // A one-time buyer under BG/NBD: P(alive) = 1 exactly.
    const oneTime = lines.slice(1).find((l) => l.split(',')[1] === '0')!;
    expect(oneTime.split(',')[4]).toBe('1');
  });

  it('predicts with --model pnbd: P(alive) in [0, 1] for all 2,357 customers and below 1 for one-time buyers', async () => {
    const io = captureIo(files.dir);
    const code = await runPredict([join(cdnow, 'CDNOW_sample.txt'), '--model', 'pnbd', '--calibration-end', '1997-09-30', '--horizon', '39'], io);
    expect(code).toBe(0);
    const rows = io.out().trimEnd().split('\n').slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(2357);
    for (const row of rows) {
      expect(Number(row[4])).toBeGreaterThanOrEqual(0);
      expect(Number(row[4])).toBeLessThanOrEqual(1);
    }
    // Pareto/NBD, unlike BG/NBD, lets one-time buyers age out.
    expect(rows.filter((r) => r[1] === '0').every((r) => Number(r[4]) < 1)).toBe(true);
  });

  it('prints the CSV on standard output without --out, and CDNOW_master gives 23,570 rows', async () => {
    const io = captureIo(files.dir);
    const code = await runPredict([join(cdnow, 'CDNOW_master.txt'), '--calibration-end', '1997-09-30', '--horizon', '52', '--margin', '0.3'], io);
    expect(code).toBe(0);
    expect(io.out().trimEnd().split('\n')).toHaveLength(23_571);
  });

  it('exits 2 without --horizon', async () => {
    const io = captureIo(files.dir);
    await expect(runPredict([join(cdnow, 'CDNOW_sample.txt')], io)).rejects.toMatchObject({ code: 'usage' });
  });
});

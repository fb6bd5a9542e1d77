import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { captureIo, tempDir } from '../testing/temp-files.ts';

const cdnow = join(import.meta.dirname, '../../../../../shared/data/cdnow');
const files = tempDir();

describe('clvlens validate', () => {
  it('reports every model on the CDNOW holdout, with the published BG/NBD figures (FHL 2005)', async () => {
    const io = captureIo(files.dir);
    const code = await runCli(
      ['validate', join(cdnow, 'CDNOW_sample.txt'), '--time-unit', 'week', '--calibration-end', '1997-09-30', '--holdout-end', '1998-06-30', '--json'],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(io.out());
    expect(doc.holdoutDuration).toBe(39);
    expect(doc.customers).toBe(2357);
    expect(doc.models.map((m: { model: string }) => m.model)).toEqual(['bgnbd', 'mbgnbd', 'pnbd']);
    const bg = doc.models[0];
    expect(bg.holdout.actual).toBe(1882);
    expect(bg.cumulative.actual).toBe(4339);
    // FHL 2005: cumulative error at week 78 about -4%, per-customer correlation 0.626, x = 0 mean prediction 0.23.
    expect(bg.cumulative.errorPercent).toBeGreaterThan(-5);
    expect(bg.cumulative.errorPercent).toBeLessThan(-3);
    expect(bg.correlation).toBeCloseTo(0.626, 2);
    expect(bg.byFrequency[0]).toMatchObject({ frequency: '0', customers: 1411 });
    expect(bg.byFrequency[0].actualMean).toBeCloseTo(0.237, 3);
    expect(bg.byFrequency[0].predictedMean).toBeCloseTo(0.23, 1);
    expect(bg.byFrequency.at(-1).frequency).toBe('7+');
    // FHL 2005: Pareto/NBD's cumulative error at week 78 about -2%, correlation 0.630, x = 0 mean prediction 0.14.
    const pnbd = doc.models[2];
    expect(pnbd.params.s).toBeCloseTo(0.606, 2);
    expect(pnbd.cumulative.errorPercent).toBeGreaterThan(-3);
    expect(pnbd.cumulative.errorPercent).toBeLessThan(0);
    expect(pnbd.correlation).toBeCloseTo(0.63, 2);
    expect(pnbd.byFrequency[0].predictedMean).toBeCloseTo(0.14, 2);
    for (const m of doc.models) {
      expect(m.holdout.predicted).toBeGreaterThan(1400);
      expect(m.correlation).toBeGreaterThan(0.6);
    }
  });

  it('prints the table by calibration frequency as text', async () => {
    const io = captureIo(files.dir);
    const code = await runCli(['validate', join(cdnow, 'CDNOW_sample.txt'), '--calibration-end', '1997-09-30'], io);
    expect(code).toBe(0);
    expect(io.out()).toContain('cumulative repeat purchases: actual 4339, predicted 4160.');
    expect(io.out()).toMatch(/\n {16}0 {7}1411 {8}0\.237 {11}0\.225\n/);
  });

  it('exits 2 without --calibration-end', async () => {
    const io = captureIo(files.dir);
    expect(await runCli(['validate', join(cdnow, 'CDNOW_sample.txt')], io)).toBe(2);
  });
});

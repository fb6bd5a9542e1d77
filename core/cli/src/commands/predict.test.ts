import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endOfLocalDateMs, fitChurnModels, scoreChurnRisk } from '@clvlens/core';
import { describe, expect, it } from 'vitest';
import { captureIo, tempDir } from '../testing/temp-files.ts';
import { loadCountedOrders } from './model-common.ts';
import { num, runPredict } from './predict.ts';
import fc from 'fast-check';

const cdnow = join(import.meta.dirname, '../../../../../shared/data/cdnow');
const files = tempDir();
const sample = join(cdnow, 'CDNOW_sample.txt');

/** predict's CSV on standard output as one record per customer, by column name. */
async function predictRows(args: string[]): Promise<Record<string, string>[]> {
  const io = captureIo(files.dir);
  expect(await runPredict([sample, '--calibration-end', '1997-09-30', ...args], io)).toBe(0);
  const [header, ...lines] = io.out().trimEnd().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, j) => [names[j]!, value])));
}

describe('clvlens predict', () => {
  it('models the same customers and purchases from a CDNOW file and the same data as a transaction log, $0 purchases included', async () => {
    // CDNOW_sample has 8 purchases of $0.00; a free order is a purchase in every input format.
    const rows = readFileSync(sample, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    expect(rows.filter((r) => Number(r[4]) === 0).length).toBe(8);
    const log = join(files.dir, 'cdnow-as-log.csv');
    const lines = rows.map(([, id, date, , amount]) => `${id},${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6, 8)},${amount}`);
    writeFileSync(log, `customer_id,date,amount\n${lines.join('\n')}\n`);
    const run = async (path: string) => {
      const io = captureIo(files.dir);
      expect(await runPredict([path, '--model', 'bgnbd', '--time-unit', 'week', '--calibration-end', '1997-09-30'], io)).toBe(0);
      return io.out();
    };
    const fromCdnow = await run(sample);
    const fromLog = await run(log);
    expect(fromLog.trimEnd().split('\n')).toHaveLength(2358);
    expect(fromLog).toBe(fromCdnow);
  });

  it('writes one CSV row per CDNOW-sample customer with the published spot values of customer 0001', async () => {
    const io = captureIo(files.dir);
    const code = await runPredict(
      [
        join(cdnow, 'CDNOW_sample.txt'),
        '--model',
        'bgnbd',
        '--time-unit',
        'week',
        '--calibration-end',
        '1997-09-30',
        '--horizon',
        '39',
        '--out',
        'predictions.csv',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(io.err()).toBe('clvlens: wrote 2,357 customers to predictions.csv\n');
    const lines = readFileSync(join(files.dir, 'predictions.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('customer_id,frequency,recency,T,p_alive,expected_purchases,expected_avg_value,clv,model,churn_probability,churn_tier,new_customer');
    expect(lines).toHaveLength(2358);
    const [id, x, recency, T, pAlive, expected, avgValue, clv, model, churn, tier, newCustomer] = lines[1]!.split(',');
    expect(id).toBe('0001');
    expect(Number(x)).toBe(2);
    expect(Number(recency)).toBeCloseTo(30.43, 2);
    expect(Number(T)).toBeCloseTo(38.86, 2);
    // FHL 2005 / Hardie's sheet: P(alive) 0.7266, E[Y(39)] 1.226; Gamma-Gamma E(M) 24.65 (note 025).
    expect(Number(pAlive)).toBeCloseTo(0.7266, 3);
    expect(Number(expected)).toBeCloseTo(1.226, 2);
    expect(Number(avgValue)).toBeCloseTo(24.65, 2);
    expect(Number(clv)).toBeGreaterThan(0);
    // --model: that model's own P(no purchase in the 39 weeks), which is at least P(not alive); no tier.
    expect(model).toBe('bgnbd');
    expect(Number(churn)).toBeGreaterThanOrEqual(1 - Number(pAlive));
    expect(Number(churn)).toBeLessThan(1);
    expect([tier, newCustomer]).toEqual(['', '']);
    // A one-time buyer under BG/NBD: P(alive) = 1 exactly.
    const oneTime = lines.slice(1).find((l) => l.split(',')[1] === '0')!;
    expect(oneTime.split(',')[4]).toBe('1');
  });

  it('predicts with --model pnbd: P(alive) in [0, 1] for all 2,357 customers and below 1 for one-time buyers', async () => {
    const io = captureIo(files.dir);
    const code = await runPredict([join(cdnow, 'CDNOW_sample.txt'), '--model', 'pnbd', '--calibration-end', '1997-09-30', '--horizon', '39'], io);
    expect(code).toBe(0);
    const rows = io
      .out()
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(rows).toHaveLength(2357);
    for (const row of rows) {
      expect(Number(row[4])).toBeGreaterThanOrEqual(0);
      expect(Number(row[4])).toBeLessThanOrEqual(1);
    }
    // Pareto/NBD, unlike BG/NBD, lets one-time buyers age out.
    expect(rows.filter((r) => r[1] === '0').every((r) => Number(r[4]) < 1)).toBe(true);
  });

  it('prints the CSV on standard output without --out, and CDNOW_master gives 23,570 rows', async () => {
    const args = [join(cdnow, 'CDNOW_master.txt'), '--calibration-end', '1997-09-30', '--horizon', '52', '--margin', '0.3', '--model', 'bgnbd'];
    const io = captureIo(files.dir);
    const code = await runPredict(args, io);
    expect(code).toBe(0);
    const lines = io.out().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(23_571);
    // The CSV is written in pieces of 4,096 customers: every customer once, in the JSON's order, with its values, and
    // the same bytes with --out.
    const json = captureIo(files.dir);
    expect(await runPredict([...args, '--json'], json)).toBe(0);
    const customers = JSON.parse(json.out()).customers as { customerId: string; pAlive: number; clv: number }[];
    expect(lines.slice(1).map((line) => line.split(',').length)).toEqual(customers.map(() => 12));
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(customers.map((c) => c.customerId));
    expect(lines.slice(1).map((line) => [line.split(',')[4], line.split(',')[7]])).toEqual(customers.map((c) => [num(c.pAlive, 6), num(c.clv, 4)]));
    expect(await runPredict([...args, '--out', 'master.csv'], captureIo(files.dir))).toBe(0);
    expect(readFileSync(join(files.dir, 'master.csv'), 'utf8')).toBe(io.out());
  });

  it("without --model writes the app's choice: the same model and probabilities as fitChurnModels + scoreChurnRisk", async () => {
    // Default horizon: 13 weeks = 91 days.
    const rows = await predictRows([]);
    expect(rows).toHaveLength(2357);
    const orders = (await loadCountedOrders(sample, captureIo(files.dir), { timeZone: 'UTC', currency: null, skipInvalid: false })).orders;
    const asOfMs = endOfLocalDateMs('1997-09-30', 'UTC');
    const models = fitChurnModels(orders, { asOfMs, timeZone: 'UTC', horizonDays: 91 });
    const app = new Map(scoreChurnRisk(orders, models, { asOfMs, timeZone: 'UTC', margin: 1 }).map((c) => [c.customerKey, c]));
    expect(models.prediction).not.toBeNull();
    for (const row of rows) {
      expect(row['model']).toBe(models.prediction!.chosen);
      const p = Number(row['churn_probability']);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      expect(['low', 'medium', 'high']).toContain(row['churn_tier']);
      expect(['true', 'false']).toContain(row['new_customer']);
      const c = app.get(row['customer_id']!)!;
      expect(p).toBeCloseTo(c.churnProbability, 6);
      expect(row['churn_tier']).toBe(c.churnTier);
      expect(row['new_customer']).toBe(String(c.newCustomer));
    }
    expect(new Set(rows.map((r) => r['churn_tier'])).size).toBe(3);
  });

  it('--horizon: a longer horizon gives a lower chance of no order', async () => {
    const byHorizon = await Promise.all(['4', '13', '39'].map((h) => predictRows(['--horizon', h])));
    const mean = (rows: Record<string, string>[]): number => rows.reduce((sum, r) => sum + Number(r['churn_probability']), 0) / rows.length;
    // Measured: 0.930 (4 weeks), 0.827 (13 weeks), 0.687 (39 weeks); the classifier chosen at each.
    expect(mean(byHorizon[0]!)).toBeGreaterThan(mean(byHorizon[1]!));
    expect(mean(byHorizon[1]!)).toBeGreaterThan(mean(byHorizon[2]!));
    // Per customer, almost always: each horizon has its own backtest, classifier and calibration, so a customer the
    // two fits read differently can move the other way (measured: 2 of 2,357 between 4 and 13 weeks).
    const movedUp = byHorizon[0]!.filter((row, i) => Number(byHorizon[1]![i]!['churn_probability']) > Number(row['churn_probability']));
    expect(movedUp.length).toBeLessThanOrEqual(0.002 * byHorizon[0]!.length);
    // One model's P(no purchase in t) falls with t for every customer.
    const pnbd = await Promise.all(['4', '13', '39'].map((h) => predictRows(['--model', 'pnbd', '--horizon', h])));
    for (let k = 1; k < pnbd.length; k++) {
      pnbd[k]!.forEach((row, i) => expect(Number(row['churn_probability'])).toBeLessThanOrEqual(Number(pnbd[k - 1]![i]!['churn_probability'])));
    }
  });

  it('--model classifier: the app path with its classifier, calibrated and tiered, whatever the backtest preferred', async () => {
    const rows = await predictRows(['--model', 'classifier', '--horizon', '13']);
    expect(rows).toHaveLength(2357);
    expect(new Set(rows.map((r) => r['model']))).toEqual(new Set(['classifier']));
    expect(new Set(rows.map((r) => r['churn_tier']))).toEqual(new Set(['low', 'medium', 'high']));
    for (const r of rows.slice(0, 50)) expect(Number(r['churn_probability'])).toBeGreaterThan(0);
  });

  it('--json writes the same fields per customer', async () => {
    const io = captureIo(files.dir);
    expect(await runPredict([sample, '--calibration-end', '1997-09-30', '--time-unit', 'day', '--horizon', '90', '--json'], io)).toBe(0);
    const doc = JSON.parse(io.out());
    expect(doc).toMatchObject({ timeUnit: 'day', horizon: 90, horizonDays: 90 });
    expect(doc.customers).toHaveLength(2357);
    expect(Object.keys(doc.customers[0])).toEqual([
      'customerId',
      'frequency',
      'recency',
      'T',
      'pAlive',
      'expectedPurchases',
      'expectedAvgValue',
      'clv',
      'model',
      'churnProbability',
      'churnTier',
      'newCustomer',
    ]);
    expect(doc.customers[0].customerId).toBe('0001');
  });

  it("says so on stderr when the data is too small for the app's backtest, and writes core's fallback", async () => {
    const log = files.write('tiny.csv', 'customer_id,date,amount\na,2025-01-01,10\na,2025-02-01,12\nb,2025-01-15,30\n');
    const io = captureIo(files.dir);
    expect(await runPredict([log, '--time-unit', 'day', '--horizon', '30'], io)).toBe(0);
    expect(io.err()).toBe('clvlens: predict: no backtested choice for this data (too few repeat customers); using cadence-rule, low confidence.\n');
    const rows = io
      .out()
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    // As of the last order day (2025-02-01): b's only order is 17 days old, within the typical gap of 31 days: new.
    expect(rows.map((r) => [r[0], r[8], r[10], r[11]])).toEqual([
      ['a', 'cadence-rule', 'low', 'false'],
      ['b', 'cadence-rule', 'low', 'true'],
    ]);
  });

  it('exits 2 for a horizon that is not a positive number of time units', async () => {
    for (const horizon of ['0', '-1', 'x']) {
      await expect(runPredict([sample, '--horizon', horizon], captureIo(files.dir))).rejects.toMatchObject({ code: 'usage' });
    }
  });
});

describe('num', () => {
  it('writes what String(Number(value.toFixed(digits))) writes', () => {
    const reference = (value: number, digits: number) => (Number.isFinite(value) ? String(Number(value.toFixed(digits))) : '');
    const edges = [0, -0, -1e-7, 1e-7, 0.5, -1, 123.456789, 99_999_999.9999995, 1e8, -1e8, 1e21, 5e-324, Number.NaN, Infinity];
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ noNaN: false }), fc.constantFrom(...edges), fc.double({ min: -1e9, max: 1e9 })),
        fc.constantFrom(4, 6),
        (value, digits) => {
          expect(num(value, digits)).toBe(reference(value, digits));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});

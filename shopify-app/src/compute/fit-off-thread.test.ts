import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fitChurnModels, prepareShopReport, scoreChurnRisk, toCountedOrders, type OrderRecord } from '@clvlens/core';
import { fitChurnModelsOffThread, fitSampleOf, ordersOfColumns, preparedCountedColumns } from './fit-off-thread.ts';

const DAY = 86_400_000;
const AS_OF = Date.parse('2026-11-20T23:59:59.999Z');

/** `customers` customers (every 7th a guest), 1-6 orders each over two years, some cancelled, test or after "as of". */
function records(customers = 400): OrderRecord[] {
  let seed = 777;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: OrderRecord[] = [];
  for (let c = 1; c <= customers; c++) {
    let at = AS_OF - 700 * DAY + Math.floor(next() * 300) * DAY;
    for (let k = 0, n = 1 + Math.floor(next() * 6); k < n; k++) {
      const guest = c % 7 === 0;
      out.push({
        orderId: String(out.length + 1),
        customerId: guest ? null : String(c),
        email: guest ? `guest${c}@example.com` : null,
        placedAtMs: at,
        currency: 'USD',
        totalMinor: 500 + Math.floor(next() * 9000),
        refundedMinor: k === 1 ? 100 : 0,
        cancelled: out.length % 31 === 0,
        test: out.length % 53 === 0,
        subscription: false,
      });
      at += Math.floor(15 + next() * 150) * DAY;
    }
  }
  return out;
}

/** The fit's input as a full run builds it: the shop's prepared counted orders, customer by customer. */
const columnsOf = (all: readonly OrderRecord[]) => preparedCountedColumns(prepareShopReport(all, { asOfMs: AS_OF, currency: 'USD' }));

describe('fitChurnModelsOffThread', () => {
  it('hands the worker exactly core\'s counted orders up to "as of", customer by customer in the prepared order', async () => {
    const all = records();
    expect(all.some((r) => r.placedAtMs > AS_OF)).toBe(true);
    const counted = toCountedOrders(all.filter((r) => r.placedAtMs <= AS_OF)).orders;
    const keys = prepareShopReport(all, { asOfMs: AS_OF }).customerKeys;
    // Numeric ids ascending, then the guests by key as text ("guest98" after "guest392").
    expect([keys[0], keys[1], keys.at(-1)]).toEqual(['2', '3', 'guest98@example.com']);
    const indexOf = new Map(keys.map((k, i) => [k, i]));
    const expected = counted
      .map((o) => ({ customerKey: String(indexOf.get(o.customerKey)), placedAtMs: o.placedAtMs, amountMinor: o.amountMinor, c: indexOf.get(o.customerKey)! }))
      .sort((a, b) => a.c - b.c || a.placedAtMs - b.placedAtMs || a.amountMinor - b.amountMinor)
      .map(({ c: _, ...o }) => o);
    const columns = columnsOf(all);
    expect(columns.keys).toBeNull();
    expect(ordersOfColumns(columns)).toEqual(expected);
  });

  it("hands a large shop's fit an even sample of its customers, each with all their counted orders", () => {
    const data = prepareShopReport(records(), { asOfMs: AS_OF, currency: 'USD' });
    const all = ordersOfColumns(preparedCountedColumns(data));
    const sample = ordersOfColumns(preparedCountedColumns(data, 50));
    const stride = Math.ceil(data.customerKeys.length / 50);
    expect(stride).toBe(8);
    const picked = all.filter((o) => Number(o.customerKey) % stride === 0).map((o) => ({ ...o, customerKey: String(Number(o.customerKey) / stride) }));
    expect(sample).toEqual(picked);
    expect(new Set(sample.map((o) => o.customerKey)).size).toBe(Math.ceil(data.customerKeys.length / stride));
    // What the summary says of it: that many of the shop's customers, or nothing when the fit saw every one.
    expect(fitSampleOf(data.customerKeys.length, 50)).toEqual({
      customers: new Set(sample.map((o) => o.customerKey)).size,
      ofCustomers: data.customerKeys.length,
    });
    expect(fitSampleOf(data.customerKeys.length)).toBeNull();
    expect(fitSampleOf(250_000)).toBeNull();
    expect(fitSampleOf(250_001)).toEqual({ customers: 125_001, ofCustomers: 250_001 });
  });

  it("scores customers from a sample-fitted model much as from the whole shop's", { timeout: 60_000 }, () => {
    const all = records(6_000);
    const data = prepareShopReport(all, { asOfMs: AS_OF, currency: 'USD' });
    const options = { asOfMs: AS_OF, timeZone: 'UTC' };
    const whole = fitChurnModels(ordersOfColumns(preparedCountedColumns(data)), options);
    const sampled = fitChurnModels(ordersOfColumns(preparedCountedColumns(data, 1_500)), options);
    expect(sampled).toMatchObject({ method: 'backtested' });
    expect(sampled.customerCount).toBeLessThanOrEqual(1_500);
    const counted = toCountedOrders(all).orders;
    const a = scoreChurnRisk(counted, whole, { ...options, margin: 1 });
    const b = scoreChurnRisk(counted, sampled, { ...options, margin: 1 });
    let gap = 0;
    for (let i = 0; i < a.length; i++) gap += Math.abs(a[i]!.churnProbability - b[i]!.churnProbability);
    expect(gap / a.length).toBeLessThan(0.03);
  });

  it('fits on a worker thread exactly what core fits in place', async () => {
    const all = records();
    const options = { asOfMs: AS_OF, timeZone: 'America/New_York' };
    const inPlace = fitChurnModels(ordersOfColumns(columnsOf(all)), options);
    expect(inPlace).toMatchObject({ method: 'backtested', horizonDays: 90 });
    expect(await fitChurnModelsOffThread(columnsOf(all), { ...options, minOrdersOffThread: 0 })).toEqual(inPlace);
  });

  it('passes the fit options through, and fits small shops on the shared fit thread', async () => {
    const all = records();
    const orders = ordersOfColumns(columnsOf(all));
    const options = { asOfMs: AS_OF, timeZone: 'UTC', minRepeatCustomers: 100_000 };
    const offThread = await fitChurnModelsOffThread(columnsOf(all), { ...options, minOrdersOffThread: 0 });
    expect(offThread).toMatchObject({ method: 'cadence-rule', fallbackReason: 'too-few-repeat-customers' });
    expect(offThread).toEqual(fitChurnModels(orders, options));
    expect(await fitChurnModelsOffThread(columnsOf(all), { asOfMs: AS_OF, timeZone: 'UTC' })).toEqual(
      fitChurnModels(orders, { asOfMs: AS_OF, timeZone: 'UTC' }),
    );
  });

  it('answers fits on the shared thread in order, and a fit that throws there fails alone', async () => {
    const all = records();
    const options = { asOfMs: AS_OF, timeZone: 'UTC' };
    const expected = fitChurnModels(ordersOfColumns(columnsOf(all)), options);
    const columns = [0, 1, 2].map(() => columnsOf(all));
    // Its expectation is attached at once: the rejection comes before the other fits' answers.
    const bad = expect(fitChurnModelsOffThread(columnsOf(all), { ...options, fitMaxCustomers: 0 })).rejects.toThrow(/fitMaxCustomers must be at least 1/);
    const fits = await Promise.all(columns.map((c) => fitChurnModelsOffThread(c, options)));
    await bad;
    for (const models of fits) expect(models).toEqual(expected);
    expect(await fitChurnModelsOffThread(columnsOf(all), options)).toEqual(expected);
  });

  it('lets the process exit once its fits are answered: the idle shared thread keeps nothing alive', () => {
    const child = spawnSync(process.execPath, [fileURLToPath(new URL('../testing/fit-and-exit.ts', import.meta.url))], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stdout.trim()).toBe('fitted cadence-rule');
    // Killed by the timeout (null status) while the idle thread held the process.
    expect(child.status).toBe(0);
  });
});

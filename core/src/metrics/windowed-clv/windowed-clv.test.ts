import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { pearson } from '../../stats/stats.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { computeWindowedClv, computeWindowedClvSeries } from './windowed-clv.ts';

const AS_OF = '2024-12-31';
const CUTOFF = addDays(AS_OF, -90);

describe('computeWindowedClv', () => {
  it('gives revenue per active customer for each lookback', () => {
    const orders = [order('1', addDays(AS_OF, -10), 3000), order('1', addDays(AS_OF, -100), 1000), order('2', addDays(AS_OF, -50), 2000)];
    const result = computeWindowedClv(prepareOrders(orders, { asOfMs: endOfUtcDay(AS_OF) }));
    expect(result.windows.map((w) => [w.lookbackDays, w.revenueMinor, w.activeCustomers, w.valueMinor])).toEqual([
      [30, 3000, 1, 3000],
      [90, 5000, 2, 2500],
      [180, 6000, 2, 3000],
    ]);
  });
  it('chooses the window whose revenue best predicts the next 90 days (here: the recent 30 days)', () => {
    const orders: OrderRecord[] = [];
    for (let i = 0; i < 40; i++) {
      const id = String(i);
      const recent = (i % 4) * 1000 + 500; // spend in the 30 days before the cutoff ...
      orders.push(order(id, addDays(CUTOFF, -10), recent));
      orders.push(order(id, addDays(CUTOFF, 20), recent)); // ... is what they spend next
      orders.push(order(id, addDays(CUTOFF, -150), ((i * 7) % 5) * 1000 + 500)); // old spend is noise
      orders.push(order(id, addDays(CUTOFF, -60), ((i * 3) % 7) * 800 + 500));
    }
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay(AS_OF) });
    const result = computeWindowedClv(data);
    expect(result.choice).toBe('backtest');
    expect(result.backtestCustomers).toBe(40);
    expect(result.chosenLookbackDays).toBe(30);
    expect(result.windows[0]!.backtestCorrelation).toBeCloseTo(1, 12);
    // The 180-day correlation is the textbook Pearson of the same columns.
    const x = [...Array(40).keys()].map((i) => (i % 4) * 1000 + 500 + ((i * 7) % 5) * 1000 + 500 + ((i * 3) % 7) * 800 + 500);
    const y = [...Array(40).keys()].map((i) => (i % 4) * 1000 + 500);
    const sortedIds = [...Array(40).keys()].sort((a, b) => a - b);
    expect(result.windows[2]!.backtestCorrelation).toBeCloseTo(
      pearson(
        sortedIds.map((i) => x[i]!),
        sortedIds.map((i) => y[i]!),
      )!,
      12,
    );
  });
  it('falls back to 90 days when the backtest has too little data', () => {
    const result = computeWindowedClv(prepareOrders([order('1', AS_OF, 100)], { asOfMs: endOfUtcDay(AS_OF) }));
    expect(result).toMatchObject({ chosenLookbackDays: 90, choice: 'default-too-little-data' });
  });
});

describe('computeWindowedClvSeries', () => {
  it('ends with the headline value of the same lookback', () => {
    const orders = [order('1', addDays(AS_OF, -10), 3000), order('2', addDays(AS_OF, -50), 2000), order('2', addDays(AS_OF, -200), 900)];
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay(AS_OF) });
    const series = computeWindowedClvSeries(data, { lookbackDays: 90, weeks: 40 });
    expect(series.valueMinor[series.valueMinor.length - 1]).toBe(2500);
    expect(series.valueMinor[0]).toBeNull();
  });
});

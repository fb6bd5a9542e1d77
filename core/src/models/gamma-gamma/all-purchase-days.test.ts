import gammaRandom from '@stdlib/random-base-gamma';
import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { summarizeOrders } from '../btyd-summary/btyd-summary.ts';
import { DAY_MS } from '../../time/zone-offsets.ts';
import type { UniformRng } from '../bg-nbd/simulate.ts';
import { allPurchaseDaySpendRows, expectedOrderValueAllDays, fitGammaGammaAllDays } from './all-purchase-days.ts';
import { fitGammaGamma } from './fit.ts';
import { gammaGammaExpectedAverageValue, gammaGammaPopulationMean } from './predict.ts';

/** Customers with 1–6 purchase days, each day's value drawn from Gamma-Gamma (note 025 §2), as summary columns. */
function simulatedSpend(params: { p: number; q: number; gamma: number }, customers: number, rng: UniformRng) {
  const draw = gammaRandom.factory({ prng: rng });
  const frequency = new Int32Array(customers);
  const monetaryValueMinor = new Float64Array(customers);
  const firstDayValueMinor = new Float64Array(customers);
  for (let i = 0; i < customers; i++) {
    const days = 1 + Math.floor(6 * rng());
    const nu = draw(params.q, params.gamma);
    firstDayValueMinor[i] = draw(params.p, nu);
    let repeat = 0;
    for (let k = 1; k < days; k++) repeat += draw(params.p, nu);
    frequency[i] = days - 1;
    monetaryValueMinor[i] = days > 1 ? repeat / (days - 1) : 0;
  }
  return { frequency, monetaryValueMinor, firstDayValueMinor };
}

describe('allPurchaseDaySpendRows', () => {
  it('counts the first day and averages over all days', () => {
    const rows = allPurchaseDaySpendRows({ frequency: [0, 2, 1], monetaryValueMinor: [0, 1500, 0], firstDayValueMinor: [3200, 600, 0] });
    expect(Array.from(rows.frequency)).toEqual([1, 3, 2]);
    expect(Array.from(rows.monetaryValue)).toEqual([3200, 1200, 0]);
  });
});

describe('fitGammaGammaAllDays', () => {
  it('recovers p, q, γ when every purchase day, the first included, is a Gamma-Gamma draw (seed 41, 20,000 customers)', () => {
    const truth = { p: 6, q: 4, gamma: 1500 };
    const fit = fitGammaGammaAllDays(simulatedSpend(truth, 20_000, createSeededRng(41)));
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(Math.abs(fit.value.params.p / truth.p - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.value.params.q / truth.q - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.value.params.gamma / truth.gamma - 1)).toBeLessThan(0.15);
    expect(fit.value.customers).toBe(20_000);
  });

  it('is the existing Gamma-Gamma fit on rows (x + 1, mean over all days)', () => {
    const spend = simulatedSpend({ p: 3, q: 5, gamma: 8000 }, 3000, createSeededRng(42));
    spend.firstDayValueMinor[0] = 0;
    spend.frequency[0] = 0;
    const mine = fitGammaGammaAllDays(spend);
    const frequency = Array.from(spend.frequency, (x) => x + 1);
    const monetaryValue = frequency.map((n, i) => (spend.firstDayValueMinor[i]! + (n - 1) * spend.monetaryValueMinor[i]!) / n);
    const reference = fitGammaGamma({ frequency, monetaryValue });
    expect(mine).toEqual(reference);
    expect(mine.ok && mine.value.excluded).toBe(1);
  });

  it('returns no-customers when nobody spent anything', () => {
    expect(fitGammaGammaAllDays({ frequency: [0, 1], monetaryValueMinor: [0, 0], firstDayValueMinor: [0, 0] })).toEqual({
      ok: false,
      reason: 'no-customers',
    });
  });
});

describe('expectedOrderValueAllDays', () => {
  it('gives one-time buyers who spent $32 and $234 different, ordered values shrunk toward the shop mean', () => {
    const fit = fitGammaGammaAllDays(simulatedSpend({ p: 4, q: 3, gamma: 8000 }, 10_000, createSeededRng(43)));
    if (!fit.ok) throw new Error(fit.reason);
    const params = fit.value.params;
    const shopMean = gammaGammaPopulationMean(params);
    expect(shopMean).toBeGreaterThan(3200);
    expect(shopMean).toBeLessThan(23_400);
    const [low, high, repeatHigh] = expectedOrderValueAllDays(params, {
      frequency: [0, 0, 4],
      monetaryValueMinor: [0, 0, 23_400],
      firstDayValueMinor: [3200, 23_400, 23_400],
    });
    expect(low).toBeGreaterThan(3200);
    expect(low).toBeLessThan(shopMean);
    expect(high).toBeGreaterThan(shopMean);
    expect(high).toBeLessThan(23_400);
    expect(high).toBeGreaterThan(low!);
    // Five days at $234 are shrunk less than one.
    expect(repeatHigh).toBeGreaterThan(high!);
    expect(repeatHigh).toBeLessThan(23_400);
    expect(low).toBeCloseTo(gammaGammaExpectedAverageValue(params, 1, 3200), 9);
    expect(repeatHigh).toBeCloseTo(gammaGammaExpectedAverageValue(params, 5, 23_400), 9);
  });

  it('reads the summaries of summarizeOrders, summing same-day orders into one purchase day', () => {
    const start = Date.UTC(2024, 0, 1);
    const summaries = summarizeOrders(
      [
        { customerKey: 'small', placedAtMs: start, amountMinor: 3200 },
        { customerKey: 'large', placedAtMs: start, amountMinor: 20_000 },
        { customerKey: 'large', placedAtMs: start + 3_600_000, amountMinor: 3400 },
        { customerKey: 'repeat', placedAtMs: start, amountMinor: 1000 },
        { customerKey: 'repeat', placedAtMs: start + 10 * DAY_MS, amountMinor: 3000 },
      ],
      { calibrationEndMs: start + 30 * DAY_MS, timeZone: 'UTC', timeUnit: 'day' },
    );
    const params = { p: 4, q: 3, gamma: 8000 };
    const values = expectedOrderValueAllDays(params, summaries);
    const byKey = new Map(summaries.customerKeys.map((key, i) => [key, values[i]!]));
    expect(byKey.get('small')).toBeCloseTo(gammaGammaExpectedAverageValue(params, 1, 3200), 9);
    expect(byKey.get('large')).toBeCloseTo(gammaGammaExpectedAverageValue(params, 1, 23_400), 9);
    expect(byKey.get('repeat')).toBeCloseTo(gammaGammaExpectedAverageValue(params, 2, 2000), 9);
  });

  it('throws CoreError for parameters without a mean (q <= 1)', () => {
    expect(() => expectedOrderValueAllDays({ p: 1, q: 1, gamma: 1 }, { frequency: [0], monetaryValueMinor: [0], firstDayValueMinor: [1] })).toThrow(/q > 1/);
  });
});

import { describe, expect, it } from 'vitest';
import { fitBetaGeo } from '../bg-nbd/fit.ts';
import { createSeededRng, simulateBetaGeo } from '../bg-nbd/simulate.ts';
import type { BetaGeoVariant } from '../bg-nbd/likelihood.ts';
import { compressSummaries, summarizeOrders } from '../btyd-summary/btyd-summary.ts';
import type { CountedOrder } from '../btyd-summary/btyd-summary.ts';
import { DAY_MS } from '../../time/zone-offsets.ts';
import { holdoutReport } from './holdout.ts';

const START_MS = Date.UTC(2023, 0, 1);
const CALIBRATION_DAYS = 364;
const HOLDOUT_DAYS = 182;

/** Orders of customers acquired over 12 weeks and simulated over calibration + holdout, one order per purchase. */
function simulatedOrders(variant: BetaGeoVariant, seed: number): CountedOrder[] {
  const rng = createSeededRng(seed);
  const firstDays = Array.from({ length: 6000 }, () => Math.floor(84 * rng()));
  const params = { r: 0.6, alpha: 5, a: 0.8, b: 2.5 };
  // Ages in weeks up to the holdout end; purchase times in weeks after the first purchase.
  const sim = simulateBetaGeo(
    variant,
    params,
    firstDays.map((d) => (CALIBRATION_DAYS + HOLDOUT_DAYS - d) / 7),
    rng,
    { keepPurchaseTimes: true },
  );
  const orders: CountedOrder[] = [];
  firstDays.forEach((day, i) => {
    const first = START_MS + day * DAY_MS;
    orders.push({ customerKey: `c${i}`, placedAtMs: first, amountMinor: 1000 });
    for (const t of sim.purchaseTimes![i]!) orders.push({ customerKey: `c${i}`, placedAtMs: first + t * 7 * DAY_MS, amountMinor: 1000 });
  });
  return orders;
}

describe('holdoutReport', () => {
  for (const variant of ['bg-nbd', 'mbg-nbd'] as const) {
    it(`predicts the holdout of data simulated from ${variant} within 6% and correlates per customer`, () => {
      const summaries = summarizeOrders(simulatedOrders(variant, variant === 'bg-nbd' ? 41 : 42), {
        calibrationEndMs: START_MS + CALIBRATION_DAYS * DAY_MS - 1,
        holdoutEndMs: START_MS + (CALIBRATION_DAYS + HOLDOUT_DAYS) * DAY_MS - 1,
        timeZone: 'UTC',
        timeUnit: 'week',
      });
      const compressed = compressSummaries(summaries);
      const fit = fitBetaGeo(variant, compressed);
      expect(fit.ok).toBe(true);
      if (!fit.ok) return;
      const report = holdoutReport(fit.value, summaries, compressed);
      expect(report.holdoutDuration).toBe(26);
      expect(report.customers).toBe(6000);
      expect(Math.abs(report.holdout.errorPercent)).toBeLessThan(6);
      expect(Math.abs(report.cumulative.errorPercent)).toBeLessThan(6);
      expect(report.correlation).toBeGreaterThan(0.5);
      expect(report.byFrequency.map((row) => row.frequency)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
      expect(report.byFrequency.reduce((s, row) => s + row.customers, 0)).toBe(6000);
    });
  }

  it('throws when the summaries carry no holdout counts', () => {
    const summaries = summarizeOrders([{ customerKey: 'a', placedAtMs: START_MS, amountMinor: 1 }], {
      calibrationEndMs: START_MS + DAY_MS,
      timeZone: 'UTC',
      timeUnit: 'day',
    });
    expect(() =>
      holdoutReport(
        { model: 'bg-nbd', params: { r: 1, alpha: 1, a: 1, b: 1 }, logLikelihood: 0, customers: 1, iterations: 0 },
        summaries,
        compressSummaries(summaries),
      ),
    ).toThrow(/holdoutEndMs/);
  });
});

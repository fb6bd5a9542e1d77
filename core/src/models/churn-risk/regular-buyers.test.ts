import gammaRandom from '@stdlib/random-base-gamma';
import betaRandom from '@stdlib/random-base-beta';
import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import type { CountedOrder } from '../btyd-summary/btyd-summary.ts';
import { summarizeOrders } from '../btyd-summary/btyd-summary.ts';
import { meanAbsoluteError } from '../evaluation/evaluation.ts';
import { endOfLocalDayMs } from '../../time/calendar.ts';
import { compressSummaries } from '../btyd-summary/btyd-summary.ts';
import { fitChurnModels } from './churn-risk.ts';
import { ChurnScoreModel, transactionExpectedOrders } from './churn-prediction.ts';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const AS_OF = endOfLocalDayMs(START + 729 * DAY, 'UTC');
const HOLDOUT_DAYS = 90;

/**
 * A replenishment shop (MBG/CNBD-k in days, Platzer & Reutterer's regular buyers): λ ~ Gamma(r, α), p ~ Beta(a, b),
 * Erlang-k gaps between orders, dropout after each order. First orders spread over the first 600 days; orders drawn
 * to the end of a 90-day holdout after the as-of.
 */
function replenishmentShop(k: number, customers: number, seed: number): CountedOrder[] {
  const rng = createSeededRng(seed);
  const drawGamma = gammaRandom.factory({ prng: rng });
  const drawBeta = betaRandom.factory({ prng: rng });
  const orders: CountedOrder[] = [];
  const end = 729 + HOLDOUT_DAYS;
  for (let c = 0; c < customers; c++) {
    // Mean gap k·E[1/λ] = k·α/(r − 1) = 120 days whatever k.
    const lambda = drawGamma(1.2, 24 / k);
    const p = drawBeta(0.8, 6);
    let day = Math.floor(rng() * 600);
    const key = `c${c}`;
    for (;;) {
      orders.push({ customerKey: key, placedAtMs: START + day * DAY + 12 * 3_600_000, amountMinor: 2_500 + Math.floor(rng() * 2_000) });
      if (rng() < p) break;
      let gap = 0;
      for (let phase = 0; phase < k; phase++) gap -= Math.log(1 - rng()) / lambda;
      day += Math.max(1, Math.round(gap));
      if (day > end) break;
    }
  }
  return orders;
}

describe('the shop choice on regular buyers (MBG/CNBD-k, issue 11)', () => {
  const orders = replenishmentShop(3, 3000, 5);
  const calibration = orders.filter((o) => o.placedAtMs <= AS_OF);
  const models = fitChurnModels(calibration, { asOfMs: AS_OF, timeZone: 'UTC', horizonDays: HOLDOUT_DAYS });
  const prediction = models.prediction!;

  it('finds the regularity and predicts orders with MBG/CNBD-k, which the backtest measured best', () => {
    expect(models.method).toBe('backtested');
    const k = prediction.transactionModels['mbg-cnbd-k']!.k;
    expect(k).toBeGreaterThanOrEqual(2);
    expect(k).toBeLessThanOrEqual(4);
    expect(prediction.purchaseModel).toBe(ChurnScoreModel.mbgCnbdK);
    const mae = (m: string) => prediction.backtest.candidates.find((c) => c.model === m)!.purchasesMae!;
    expect(mae('mbg-cnbd-k')).toBeLessThan(0.95 * mae('pareto-nbd'));
    expect(mae('mbg-cnbd-k')).toBeLessThan(0.95 * mae('mbg-nbd'));
    // Its P(no purchase) ranks well here (backtest AUC 0.948) but is not monotone in recency, so it never becomes
    // the churn probability; its AUC is reported beside the others.
    expect(prediction.backtest.candidates.find((c) => c.model === 'mbg-cnbd-k')!.auc).toBeGreaterThan(0.9);
    expect(prediction.chosen).not.toBe(ChurnScoreModel.mbgCnbdK);
    expect(prediction.stackedModel).not.toBe(ChurnScoreModel.mbgCnbdK);
  });

  it('beats Pareto/NBD and MBG/NBD on the real holdout too: per-customer MAE of orders in the next 90 days', () => {
    const holdout = summarizeOrders(orders, { calibrationEndMs: AS_OF, timeZone: 'UTC', timeUnit: 'day', holdoutEndMs: AS_OF + HOLDOUT_DAYS * DAY });
    const compressed = compressSummaries(holdout);
    const maeOf = (model: 'mbg-cnbd-k' | 'pareto-nbd' | 'mbg-nbd'): number => {
      const row = Float64Array.from({ length: compressed.weight.length }, (_, j) =>
        transactionExpectedOrders(model, prediction.transactionModels, HOLDOUT_DAYS, compressed.frequency[j]!, compressed.recency[j]!, compressed.age[j]!),
      );
      const r = meanAbsoluteError(
        Float64Array.from(compressed.rowOfCustomer, (j) => row[j]!),
        holdout.holdout!.frequency,
      );
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    };
    const cnbd = maeOf('mbg-cnbd-k');
    // Measured (seed 5): 0.503 against Pareto/NBD 0.542 and MBG/NBD 0.550, 7-9% lower (the paper: 6-10% on a grocery panel).
    expect(cnbd).toBeLessThan(0.95 * maeOf('pareto-nbd'));
    expect(cnbd).toBeLessThan(0.95 * maeOf('mbg-nbd'));
  });

  it('leaves the candidate out where buyers show no regularity (k = 1 is MBG/NBD)', () => {
    const poisson = replenishmentShop(1, 2000, 6).filter((o) => o.placedAtMs <= AS_OF);
    const fitted = fitChurnModels(poisson, { asOfMs: AS_OF, timeZone: 'UTC', horizonDays: HOLDOUT_DAYS });
    expect(fitted.prediction!.transactionModels['mbg-cnbd-k']).toBeNull();
    expect(fitted.prediction!.purchaseModel).not.toBe(ChurnScoreModel.mbgCnbdK);
  });
});

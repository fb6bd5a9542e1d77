import { endOfLocalDayMs, scoreChurnRisk } from '@clvlens/core';
import { areaUnderRoc, calibrationTable } from '@clvlens/core/models';
import type { CountedOrder } from '@clvlens/core';
import { describe, expect, it } from 'vitest';
import { churnOnSplit, loadCdnow } from './cdnow-fixture.ts';

// Issue 11 on real data: fit on CDNOW up to 1997-09-30 exactly as the app does (its own backtest inside the
// calibration period), then check the churn probability against what happened in the published 39-week holdout.
const DAY_MS = 86_400_000;
const asOfMs = endOfLocalDayMs(Date.UTC(1997, 8, 30, 12), 'UTC');
const { models, options, scored, noOrder, daysSinceLast } = churnOnSplit(loadCdnow('CDNOW_sample.txt'), asOfMs, 273);

function auc(scores: ArrayLike<number>): number {
  const r = areaUnderRoc(scores, noOrder);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('churn probability on CDNOW_sample, fitted to 1997-09-30, checked on the 39-week holdout', () => {
  it('was chosen and calibrated by a backtest inside the calibration period', () => {
    expect(models.method).toBe('backtested');
    expect(models.horizonDays).toBe(273);
    // Only 272 days of history: the backtest checks half of it.
    expect(models.prediction!.backtest.horizonDays).toBe(136);
    expect(scored).toHaveLength(2357);
  });

  it('ranks who will not order again better than days since the last order, by at least 0.01 AUC', () => {
    const baseline = auc(daysSinceLast);
    expect(baseline).toBeCloseTo(0.7714, 3);
    expect(auc(scored.map((c) => c.churnProbability))).toBeGreaterThanOrEqual(baseline + 0.01);
  });

  it('is calibrated: in each fifth by predicted probability, the mean prediction is within 0.05 of what happened', () => {
    const table = calibrationTable(
      scored.map((c) => c.churnProbability),
      noOrder,
      5,
    );
    if (!table.ok) throw new Error(table.reason);
    expect(table.value.bins).toHaveLength(5);
    expect(table.value.maxAbsoluteGap).toBeLessThanOrEqual(0.05);
  });

  it('has tiers whose share who ordered again falls from low to medium to high in the holdout, none empty', () => {
    const byTier = { low: [0, 0], medium: [0, 0], high: [0, 0] };
    scored.forEach((c, i) => {
      byTier[c.churnTier][0]!++;
      byTier[c.churnTier][1]! += 1 - noOrder[i]!;
    });
    const share = (t: keyof typeof byTier): number => byTier[t][1]! / byTier[t][0]!;
    for (const t of ['low', 'medium', 'high'] as const) expect(byTier[t][0]).toBeGreaterThan(50);
    expect(share('low')).toBeGreaterThan(share('medium'));
    expect(share('medium')).toBeGreaterThan(share('high'));
  });

  it('gives one-time buyers who spent more a higher predicted CLV, all else equal', () => {
    const one = (amountMinor: number): CountedOrder[] => [{ customerKey: 'n', placedAtMs: asOfMs - 30 * DAY_MS, amountMinor }];
    const [small] = scoreChurnRisk(one(3200), models, options);
    const [large] = scoreChurnRisk(one(23400), models, options);
    expect(large!.predictedClvMinor!).toBeGreaterThan(small!.predictedClvMinor!);
  });
});

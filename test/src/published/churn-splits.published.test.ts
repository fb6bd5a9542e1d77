import { endOfLocalDateMs } from '@clvlens/core';
import { areaUnderRoc, calibrationTable } from '@clvlens/core/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { churnOnSplit, loadCdnow } from './cdnow-fixture.ts';

// Issue 11's churn floors on more than the published split: both CDNOW files, fitted as the app fits (its own backtest
// inside the calibration period) at the end of June, September and December 1997, for H = 30, 60, 90, 180 and 273 days
// where the data covers the holdout: 28 splits. A guard for changes to the models and their fitting, which move these
// numbers in ways the one published split does not show: a trial that fitted Pareto/NBD with exact gradients left the
// published split as it was and moved one of these from 0.047 to 0.122 (README, issue 17). The bounds are what the
// code measured when this test was written (AUC ahead by 0.0075-0.030; calibration within 0.05 on 17, worst 0.105).
const DAY_MS = 86_400_000;
const DATA_END_MS = endOfLocalDateMs('1998-06-30', 'UTC');

interface Split {
  name: string;
  auc: number;
  baseline: number;
  worstGap: number;
}

const splits: Split[] = [];

beforeAll(() => {
  for (const file of ['CDNOW_sample.txt', 'CDNOW_master.txt'] as const) {
    const orders = loadCdnow(file);
    for (const asOf of ['1997-06-30', '1997-09-30', '1997-12-31']) {
      const asOfMs = endOfLocalDateMs(asOf, 'UTC');
      for (const horizonDays of [30, 60, 90, 180, 273]) {
        if (asOfMs + horizonDays * DAY_MS > DATA_END_MS) continue;
        const { scored, noOrder, daysSinceLast } = churnOnSplit(orders, asOfMs, horizonDays);
        const auc = areaUnderRoc(
          scored.map((c) => c.churnProbability),
          noOrder,
        );
        const baseline = areaUnderRoc(daysSinceLast, noOrder);
        const table = calibrationTable(
          scored.map((c) => c.churnProbability),
          noOrder,
          5,
        );
        if (!auc.ok || !baseline.ok || !table.ok) throw new Error(`${file} ${asOf} H=${horizonDays}: no AUC or calibration`);
        splits.push({ name: `${file} ${asOf} H=${horizonDays}`, auc: auc.value, baseline: baseline.value, worstGap: table.value.maxAbsoluteGap });
      }
    }
  }
}, 600_000);

describe('churn probability on 28 CDNOW splits (both files, three as-of dates, H from 30 to 273 days)', () => {
  it('ranks who will not order again better than days since the last order on every split, by at least 0.005 AUC', () => {
    expect(splits).toHaveLength(28);
    for (const s of splits) expect(s.auc - s.baseline, s.name).toBeGreaterThanOrEqual(0.005);
  });

  it('is calibrated within 0.05 in every quintile on at least 17 splits, and within 0.11 on all', () => {
    expect(splits.filter((s) => s.worstGap <= 0.05).length).toBeGreaterThanOrEqual(17);
    for (const s of splits) expect(s.worstGap, s.name).toBeLessThanOrEqual(0.11);
  });
});

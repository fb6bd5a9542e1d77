import { describe, expect, it } from 'vitest';
import { buildScorecard } from './scorecard.ts';

const WEEK = 7 * 86_400_000;
const weeks = Array.from({ length: 14 }, (_, k) => Date.UTC(2024, 0, 1) + k * WEEK);
const asOfMs = weeks[13]! + 3 * 86_400_000;
const flat = (v: number, last: number) => [...Array(13).fill(v), last];

describe('buildScorecard', () => {
  it('sets targets at repeat rate x1.5 and CLV +15% from the trailing 12-week baseline', () => {
    const card = buildScorecard(
      weeks,
      { repeatPurchaseRate: flat(0.2, 0.22), clv: flat(10_000, 12_000), churnD90: flat(0.5, 0.4), averageOrderValue: flat(5000, 5050) },
      asOfMs,
    );
    const row = (m: string) => card.rows.find((r) => r.metric === m)!;
    expect(row('repeatPurchaseRate')).toMatchObject({ current: 0.22, status: 'on-track' });
    expect(row('repeatPurchaseRate').baseline).toBeCloseTo(0.2, 12);
    expect(row('repeatPurchaseRate').target).toBeCloseTo(0.3, 12);
    expect(row('repeatPurchaseRate').weeklyPaceNeeded).toBeCloseTo(0.08 / 52, 12);
    expect(row('clv')).toMatchObject({ baseline: 10_000, status: 'achieved', weeklyPaceNeeded: 0 });
    expect(row('clv').target).toBeCloseTo(11_500, 9);
    expect(row('churnD90')).toMatchObject({ target: null, status: 'improving', higherIsBetter: false });
    expect(row('averageOrderValue')).toMatchObject({ status: 'steady', changeVsBaseline: 0.01 });
  });
  it('is behind when below the straight line from baseline to target, given a program start', () => {
    const card = buildScorecard(
      weeks,
      { repeatPurchaseRate: [...Array(8).fill(0.2), 0.2, 0.2, 0.2, 0.2, 0.2, 0.21], clv: flat(1, 1), churnD90: flat(0.5, 0.5), averageOrderValue: flat(1, 1) },
      asOfMs,
      { programStartMs: weeks[8]!, baselineWeeks: 8 },
    );
    const row = card.rows[0]!;
    expect(card.weeksElapsed).toBeCloseTo(5 + 3 / 7, 12);
    // Expected by now: 0.2 + 0.1 x (5.43 / 52) = 0.2104 > 0.21.
    expect(row.status).toBe('behind');
    expect(row.baseline).toBeCloseTo(0.2, 12);
    expect(row.weeklyPaceNeeded).toBeCloseTo((0.3 - 0.21) / (52 - card.weeksElapsed), 12);
  });
  it('reports no-data when the baseline is missing, and accepts stored baseline values', () => {
    const empty = { repeatPurchaseRate: [0.1], clv: [null], churnD90: [0.3], averageOrderValue: [100] };
    const card = buildScorecard([weeks[0]!], empty, asOfMs);
    expect(card.rows.map((r) => r.status)).toEqual(['no-data', 'no-data', 'no-data', 'no-data']);
    const stored = buildScorecard([weeks[0]!], empty, asOfMs, { baseline: { repeatPurchaseRate: 0.05 } });
    expect(stored.rows[0]).toMatchObject({ baseline: 0.05, status: 'achieved' });
  });
});

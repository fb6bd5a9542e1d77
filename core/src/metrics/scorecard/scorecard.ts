import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';

/** Headline metrics on the scorecard. */
export const SCORECARD_METRICS = ['repeatPurchaseRate', 'clv', 'churnD90', 'averageOrderValue'] as const;
export type ScorecardMetric = (typeof SCORECARD_METRICS)[number];

/** Targets of issue 2: CLV +15% and repeat rate x1.5 within 12 months (52 weeks) of the program start. */
export interface ScorecardTargets {
  clvGrowthFraction: number;
  repeatRateMultiplier: number;
  horizonWeeks: number;
}
export const DEFAULT_SCORECARD_TARGETS: ScorecardTargets = { clvGrowthFraction: 0.15, repeatRateMultiplier: 1.5, horizonWeeks: 52 };

export interface ScorecardOptions {
  /** Weeks averaged into the baseline. Default 12. */
  baselineWeeks?: number;
  /**
   * When the merchant started working towards the targets (UTC ms). The baseline is then the mean of the
   * `baselineWeeks` weeks before that week, and the pace counts the weeks elapsed since. Default: this week
   * (baseline = the `baselineWeeks` weeks before this one; nothing elapsed).
   */
  programStartMs?: number;
  /** Baseline values stored when the program started; override the computed ones. */
  baseline?: Partial<Record<ScorecardMetric, number>>;
  targets?: Partial<ScorecardTargets>;
}

export type ScorecardStatus = 'achieved' | 'on-track' | 'behind' | 'improving' | 'steady' | 'worsening' | 'no-data';

export interface ScorecardRow {
  metric: ScorecardMetric;
  /** `fraction` in [0, 1] or `minor` (minor units of the shop currency). */
  unit: 'fraction' | 'minor';
  higherIsBetter: boolean;
  /** This week's value (at asOf). */
  current: number | null;
  baseline: number | null;
  /** (current - baseline) / |baseline|; null when either is missing or baseline is 0. */
  changeVsBaseline: number | null;
  /** Target value; null for metrics without a target. */
  target: number | null;
  /** Improvement needed per remaining week to reach the target (same unit), 0 once achieved; null without target. */
  weeklyPaceNeeded: number | null;
  /**
   * With a target: `achieved` (current >= target), `on-track` (current >= the straight line from baseline to target
   * at the weeks elapsed), else `behind`. Without: `improving`/`worsening` when the change vs baseline exceeds 2% in
   * the good/bad direction, else `steady`. `no-data` when current or baseline is missing.
   */
  status: ScorecardStatus;
}

export interface Scorecard {
  /** Start of this week (UTC ms). */
  weekStartMs: number;
  baselineWeeks: number;
  weeksElapsed: number;
  targets: ScorecardTargets;
  rows: ScorecardRow[];
}

const UNIT: Record<ScorecardMetric, 'fraction' | 'minor'> = {
  repeatPurchaseRate: 'fraction',
  clv: 'minor',
  churnD90: 'fraction',
  averageOrderValue: 'minor',
};
const WEEK_MS = 7 * 86_400_000;
const STEADY_BAND = 0.02;

/**
 * Weekly scorecard: each headline metric this week vs its baseline and vs the targets, with the weekly pace needed
 * and a status (rules on {@link ScorecardRow.status}). Takes weekly series (the same x for all, last point = this
 * week, as computeShopReport builds them) so it is a pure function of numbers.
 */
export function buildScorecard(
  weekStartMs: readonly number[],
  series: Record<ScorecardMetric, readonly (number | null)[]>,
  asOfMs: number,
  options: ScorecardOptions = {},
): Scorecard {
  const baselineWeeks = options.baselineWeeks ?? 12;
  if (!Number.isInteger(baselineWeeks) || baselineWeeks < 1) {
    throw new CoreError(CoreErrorCode.invalidArgument, `baselineWeeks must be a whole number >= 1, got ${baselineWeeks}.`);
  }
  const targets: ScorecardTargets = { ...DEFAULT_SCORECARD_TARGETS, ...options.targets };
  if (weekStartMs.length === 0) throw new CoreError(CoreErrorCode.invalidArgument, 'buildScorecard needs at least one week.');
  const last = weekStartMs.length - 1;
  let startIndex = last;
  let weeksElapsed = 0;
  if (options.programStartMs !== undefined) {
    weeksElapsed = Math.max(0, (asOfMs - options.programStartMs) / WEEK_MS);
    startIndex = 0;
    while (startIndex < last && weekStartMs[startIndex + 1]! <= options.programStartMs) startIndex++;
  }
  const rows = SCORECARD_METRICS.map((metric): ScorecardRow => {
    const values = series[metric];
    const current = values[last] ?? null;
    const window = values.slice(Math.max(0, startIndex - baselineWeeks), startIndex).filter((v): v is number => v !== null);
    const computed = window.length === 0 ? null : window.reduce((a, b) => a + b, 0) / window.length;
    const baseline = options.baseline?.[metric] ?? computed;
    const higherIsBetter = metric !== 'churnD90';
    const target =
      baseline === null
        ? null
        : metric === 'repeatPurchaseRate'
          ? Math.min(1, baseline * targets.repeatRateMultiplier)
          : metric === 'clv'
            ? baseline * (1 + targets.clvGrowthFraction)
            : null;
    const hasTarget = metric === 'repeatPurchaseRate' || metric === 'clv';
    const changeVsBaseline = current === null || baseline === null || baseline === 0 ? null : (current - baseline) / Math.abs(baseline);
    let status: ScorecardStatus;
    let weeklyPaceNeeded: number | null = null;
    if (current === null || baseline === null) {
      status = 'no-data';
    } else if (hasTarget && target !== null) {
      const remaining = Math.max(1, targets.horizonWeeks - weeksElapsed);
      weeklyPaceNeeded = Math.max(0, (target - current) / remaining);
      const expected = baseline + (target - baseline) * Math.min(1, weeksElapsed / targets.horizonWeeks);
      status = current >= target ? 'achieved' : current >= expected ? 'on-track' : 'behind';
    } else {
      const signed = changeVsBaseline === null ? current - baseline : changeVsBaseline;
      const good = higherIsBetter ? signed : -signed;
      status = Math.abs(signed) <= STEADY_BAND ? 'steady' : good > 0 ? 'improving' : 'worsening';
    }
    return { metric, unit: UNIT[metric], higherIsBetter, current, baseline, changeVsBaseline, target, weeklyPaceNeeded, status };
  });
  return { weekStartMs: weekStartMs[last]!, baselineWeeks, weeksElapsed, targets, rows };
}

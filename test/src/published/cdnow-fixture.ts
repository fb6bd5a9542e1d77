import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCdnow } from '@clvlens/cli';
import { endOfLocalDateMs, fitChurnModels, scoreChurnRisk } from '@clvlens/core';
import { compressSummaries, summarizeOrders } from '@clvlens/core/models';
import type { ChurnModels, ChurnRiskOptions, CountedOrder, CustomerChurnRisk } from '@clvlens/core';
import type { CompressedSummaries, CustomerSummaries, TimeUnit } from '@clvlens/core/models';

/** ../shared/data/cdnow relative to the repository root, resolved from this file (test/src/published/). */
export const CDNOW_DIR = join(import.meta.dirname, '../../../../shared/data/cdnow');

/**
 * Loads a CDNOW log as counted orders, amounts in cents, with the CLI's reader (the one CDNOW parser; format:
 * ../shared/data/cdnow/PROVENANCE.md; the sample is keyed by its second column, sample_id).
 */
export function loadCdnow(name: 'CDNOW_sample.txt' | 'CDNOW_master.txt'): CountedOrder[] {
  return readCdnow(readFileSync(join(CDNOW_DIR, name), 'utf8'), name).orders;
}

/** The published split: calibration to 1997-09-30 inclusive, holdout to 1998-06-30 (clv-models.md §1). */
export function cdnowSummaries(
  orders: readonly CountedOrder[],
  timeUnit: TimeUnit = 'week',
): { summaries: CustomerSummaries; compressed: CompressedSummaries } {
  const summaries = summarizeOrders(orders, {
    calibrationEndMs: endOfLocalDateMs('1997-09-30', 'UTC'),
    holdoutEndMs: endOfLocalDateMs('1998-06-30', 'UTC'),
    timeZone: 'UTC',
    timeUnit,
  });
  return { summaries, compressed: compressSummaries(summaries) };
}

/** |actual / expected − 1| < tolerance (0.5% by default, the bar for published numbers). */
export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual / expected - 1);
}

const DAY_MS = 86_400_000;

/**
 * Churn fitted and scored as the app does it at `asOfMs` for a horizon of `horizonDays` (its own backtest inside the
 * orders up to the as-of), beside what each scored customer then did: `noOrder` is 1 for no order in
 * (as-of, as-of + H], `daysSinceLast` the days from their last order to the as-of (the merchant's own rule).
 */
export function churnOnSplit(
  orders: readonly CountedOrder[],
  asOfMs: number,
  horizonDays: number,
): { models: ChurnModels; options: ChurnRiskOptions; scored: CustomerChurnRisk[]; noOrder: Float64Array; daysSinceLast: Float64Array } {
  const calibration = orders.filter((o) => o.placedAtMs <= asOfMs);
  const models = fitChurnModels(calibration, { asOfMs, timeZone: 'UTC', horizonDays });
  const options: ChurnRiskOptions = { asOfMs, timeZone: 'UTC', margin: 1 };
  const scored = scoreChurnRisk(calibration, models, options);
  const holdout = summarizeOrders(orders, { calibrationEndMs: asOfMs, timeZone: 'UTC', timeUnit: 'day', holdoutEndMs: asOfMs + horizonDays * DAY_MS });
  const index = new Map(holdout.customerKeys.map((k, i) => [k, i]));
  const rows = scored.map((c) => index.get(c.customerKey)!);
  const noOrder = Float64Array.from(rows, (i) => (holdout.holdout!.frequency[i] === 0 ? 1 : 0));
  const daysSinceLast = Float64Array.from(rows, (i) => holdout.ageDays[i]! - holdout.recencyDays[i]!);
  return { models, options, scored, noOrder, daysSinceLast };
}

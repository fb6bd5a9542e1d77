import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCdnow } from '@clvlens/cli';
import { endOfLocalDateMs } from '@clvlens/core';
import { compressSummaries, summarizeOrders } from '@clvlens/core/models';
import type { CountedOrder } from '@clvlens/core';
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

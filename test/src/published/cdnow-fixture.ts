import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { endOfLocalDateMs } from '@clvlens/core';
import { compressSummaries, summarizeOrders } from '@clvlens/core/models';
import type { CountedOrder } from '@clvlens/core';
import type { CompressedSummaries, CustomerSummaries, TimeUnit } from '@clvlens/core/models';

/** ../shared/data/cdnow relative to the repository root, resolved from this file (test/src/published/). */
export const CDNOW_DIR = join(import.meta.dirname, '../../../../shared/data/cdnow');

/**
 * Loads a CDNOW log as counted orders, amounts in cents. Tests import packages by name and @clvlens/cli has no
 * public entry for its readers, so this is the few lines of parsing the published-number tests need
 * (format: ../shared/data/cdnow/PROVENANCE.md; the sample is keyed by its second column, sample_id).
 */
export function loadCdnow(name: 'CDNOW_sample.txt' | 'CDNOW_master.txt'): CountedOrder[] {
  const orders: CountedOrder[] = [];
  for (const line of readFileSync(join(CDNOW_DIR, name), 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[0] === 'customer_id') continue;
    const offset = fields.length === 5 ? 1 : 0;
    const date = fields[offset + 1]!;
    orders.push({
      customerKey: fields[offset]!,
      placedAtMs: Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))),
      amountMinor: Math.round(Number(fields[offset + 3]) * 100),
    });
  }
  return orders;
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

import type { CustomerInsightV1, TierChangeReasonV1 } from '@clvlens/core';

const DAY_MS = 86_400_000;

/** Why a customer is in their churn tier: the wire contract's {@link TierChangeReasonV1}. */
export type TierChangeReason = TierChangeReasonV1;

/** The insight fields the reasons come from. */
export type ReasonInputs = Pick<
  CustomerInsightV1,
  'orderCount' | 'daysSinceLastOrder' | 'firstOrderAtMs' | 'lastOrderAtMs' | 'expectedNextOrderAtMs' | 'newCustomer' | 'confidence'
>;

/**
 * The reasons behind a customer's tier. Ratios are rounded to one decimal, as they are shown. The shop's usual time
 * to a second order is the gap between a one-order customer's order and the date the model expects the next one.
 */
export function tierReasonsOf(c: ReasonInputs): TierChangeReason[] {
  const out: TierChangeReason[] = [];
  const days = c.daysSinceLastOrder;
  if (days !== null) {
    if (c.orderCount < 2 || c.firstOrderAtMs === null || c.lastOrderAtMs === null) {
      out.push({ code: 'one-order', days });
      const shopGap = c.expectedNextOrderAtMs !== null && c.lastOrderAtMs !== null ? Math.round((c.expectedNextOrderAtMs - c.lastOrderAtMs) / DAY_MS) : null;
      if (!c.newCustomer && shopGap !== null && shopGap > 0 && days > shopGap) {
        out.push({ code: 'no-second-order', ratio: round1(days / shopGap), days: shopGap });
      }
    } else {
      const gap = Math.max(1, (c.lastOrderAtMs - c.firstOrderAtMs) / DAY_MS / (c.orderCount - 1));
      const ratio = days / gap;
      out.push(ratio >= 1.5 ? { code: 'overdue', ratio: round1(ratio) } : { code: 'within-gap', days });
      out.push({ code: 'cadence', orders: c.orderCount, gapDays: Math.round(gap) });
    }
  }
  if (c.confidence === 'low') out.push({ code: 'fallback' });
  return out;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

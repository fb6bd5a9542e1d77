import type { TierChangeReasonV1 } from '../api/v1.ts';
import type { Translator } from './translator-base.ts';

/**
 * The numbers of a customer's insight ({@link import('../api/v1.ts').CustomerInsightV1}) that its churn reasons come
 * from; the extension's cached record has them under the same names.
 */
export interface ChurnReasonInputs {
  /** Counted orders. */
  orderCount: number;
  /** Whole calendar days from the last counted order's day to the day the numbers describe. */
  daysSinceLastOrder: number | null;
  /** UTC ms. */
  firstOrderAtMs: number | null;
  /** UTC ms. */
  lastOrderAtMs: number | null;
  /** When the model expects the next order, UTC ms. */
  expectedNextOrderAtMs: number | null;
  newCustomer: boolean;
  confidence: 'normal' | 'low';
}

/**
 * Why a customer is in their churn tier, as codes with their numbers, in the order a surface lists them: the extension's
 * card and the dashboard's slipping VIPs both say these, so a merchant reads the same reason for the same customer in
 * both. Days are calendar days of `dayOf` (the viewer's or the shop's time zone: days since 1970-01-01 of the local
 * date), counted from the day the numbers describe, the last order's day plus `daysSinceLastOrder`.
 * - One counted order: `one-order`; and `no-second-order` once the customer has waited longer than the shop's usual
 *   time to a second order (the days from the order to the date the model expects the next).
 * - Two or more: `overdue` at 1.5 times the customer's own usual gap (first to last order, over the gaps) or more;
 *   else `late` when the expected date has passed, else `within-gap`; then `cadence` (orders, usual gap).
 * - `fallback` when the numbers are estimated from order timing alone.
 * Ratios are rounded to one decimal, as they are shown.
 */
export function churnReasonsOf(c: ChurnReasonInputs, dayOf: (ms: number) => number): TierChangeReasonV1[] {
  const out: TierChangeReasonV1[] = [];
  const days = c.daysSinceLastOrder;
  if (days !== null) {
    const lastDay = c.lastOrderAtMs === null ? null : dayOf(c.lastOrderAtMs);
    const expectedDay = c.expectedNextOrderAtMs === null ? null : dayOf(c.expectedNextOrderAtMs);
    if (c.orderCount < 2 || c.firstOrderAtMs === null || lastDay === null) {
      out.push({ code: 'one-order', days });
      const shopGap = expectedDay !== null && lastDay !== null ? expectedDay - lastDay : null;
      if (!c.newCustomer && shopGap !== null && shopGap > 0 && days > shopGap) {
        out.push({ code: 'no-second-order', ratio: round1(days / shopGap), days: shopGap });
      }
    } else {
      const gap = Math.max(1, (lastDay - dayOf(c.firstOrderAtMs)) / (c.orderCount - 1));
      const ratio = days / gap;
      const today = lastDay + days;
      if (ratio >= 1.5) out.push({ code: 'overdue', ratio: round1(ratio) });
      else if (!c.newCustomer && expectedDay !== null && expectedDay < today) out.push({ code: 'late', days });
      else out.push({ code: 'within-gap', days });
      out.push({ code: 'cadence', orders: c.orderCount, gapDays: Math.round(gap) });
    }
  }
  if (c.confidence === 'low') out.push({ code: 'fallback' });
  return out;
}

/** True when a reason says the customer has gone quiet (overdue, or no second order in the shop's usual time). */
export function saysGoneQuiet(reasons: readonly TierChangeReasonV1[]): boolean {
  return reasons.some((r) => r.code === 'overdue' || r.code === 'no-second-order');
}

/** One reason in the viewer's words ("no order for 2.3× this customer's usual gap"). */
export function churnReasonText(t: Translator, reason: TierChangeReasonV1): string {
  switch (reason.code) {
    case 'one-order':
      return t.t('ext.reason.oneOrder', { days: reason.days });
    case 'no-second-order':
      return t.t('ext.reason.noSecond', { ratio: t.number(reason.ratio, 1), days: reason.days });
    case 'overdue':
      return t.t('ext.reason.ratio', { ratio: t.number(reason.ratio, 1) });
    case 'late':
      return t.t('ext.reason.late', { days: reason.days });
    case 'within-gap':
      return t.t('ext.reason.withinGap', { days: reason.days });
    case 'cadence':
      return t.t('ext.reason.cadence', { orders: reason.orders, gap: reason.gapDays });
    case 'fallback':
      return t.t('ext.reason.fallback');
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

import type { RfmSegmentV1 } from '@clvlens/core';
import { churnReasonsOf, churnReasonText, saysGoneQuiet, type Translator } from '@clvlens/core/i18n/base';
import type { CachedCustomer } from '../db/schema.ts';
import { describeChurnChance, localDayNumber } from './format.ts';

/** RFM names that say "doing well": never shown bare beside a risk that says otherwise. */
const UPBEAT_SEGMENTS: ReadonlySet<RfmSegmentV1> = new Set(['CHAMPIONS', 'LOYAL', 'ACTIVE', 'PROMISING', 'NEW']);

/** When the next order is expected, in whole calendar days from today in the viewer's time zone. */
export type Due =
  { kind: 'none' } | { kind: 'ahead'; date: string; days: number } | { kind: 'today'; date: string } | { kind: 'late'; date: string; days: number };

/**
 * What the badge and the card say about one customer, worked out once so that the parts agree: the expected date,
 * "late" and the reasons use the same calendar days (a date later than today is never late, and "within the usual
 * gap" is never said of a late customer), and an upbeat RFM name is never shown bare next to a risk.
 */
export interface CustomerFacts {
  /** `new` for a customer too new to judge, else the tier. */
  tone: 'new' | 'low' | 'medium' | 'high';
  /** "High risk" or "New customer". */
  headline: string;
  /** "82% chance of no order in the next 90 days". */
  chance: string;
  due: Due;
  /** Whole days since the last counted order, by calendar day. */
  daysSinceLastOrder: number | null;
  reasons: string[];
  /** The RFM segment as shown (qualified when it would contradict the risk). */
  segment: string;
  /** Why the admin's order count is higher, or null when every order counts. */
  notCounted: string | null;
}

export function customerFacts(t: Translator, c: CachedCustomer, nowMs: number, timeZone: string): CustomerFacts {
  const day = (ms: number) => localDayNumber(ms, timeZone);
  // "Today" is the day the app's numbers describe (its asOf: the last order's day plus the days since it), so the tier,
  // the days since the last order and "late" all speak of one day; the wall clock only when the record cannot say.
  const today = c.lastOrderAtMs !== null && c.daysSinceLastOrder !== null ? day(c.lastOrderAtMs) + c.daysSinceLastOrder : day(nowMs);
  const daysSince = c.lastOrderAtMs === null ? c.daysSinceLastOrder : Math.max(0, today - day(c.lastOrderAtMs));

  let due: Due = { kind: 'none' };
  if (c.expectedNextOrderAtMs !== null && !c.newCustomer) {
    const date = t.date(c.expectedNextOrderAtMs, timeZone);
    const delta = day(c.expectedNextOrderAtMs) - today;
    due = delta > 0 ? { kind: 'ahead', date, days: delta } : delta === 0 ? { kind: 'today', date } : { kind: 'late', date, days: -delta };
  } else if (c.expectedNextOrderAtMs !== null) {
    const date = t.date(c.expectedNextOrderAtMs, timeZone);
    const delta = Math.max(0, day(c.expectedNextOrderAtMs) - today);
    due = delta === 0 ? { kind: 'today', date } : { kind: 'ahead', date, days: delta };
  }

  // The same reasons, by the same rule, as the dashboard's slipping VIPs (core's churnReasonsOf), in the viewer's days.
  const reasonCodes = churnReasonsOf(c, day);
  const reasons = reasonCodes.map((r) => churnReasonText(t, r));
  const quiet = c.churnTier === 'high' || saysGoneQuiet(reasonCodes);

  let segment: string;
  if (c.orderCount === 1 && c.newCustomer) segment = t.t('ext.card.segmentNew');
  else if (c.rfmSegment === null) segment = t.t('segment.none');
  else {
    const name = t.t(`segment.${c.rfmSegment}`);
    segment = (quiet || c.orderCount === 1) && UPBEAT_SEGMENTS.has(c.rfmSegment) ? t.t('ext.card.segmentHidden', { segment: name }) : name;
  }

  return {
    tone: c.newCustomer ? 'new' : c.churnTier,
    headline: c.newCustomer ? t.t('ext.badge.new') : t.t(`tier.${c.churnTier}`),
    chance: describeChurnChance(t, c.churnProbability, c.churnHorizonDays),
    due,
    daysSinceLastOrder: daysSince,
    reasons,
    segment,
    notCounted: describeNotCounted(t, c, timeZone),
  };
}

/** "Shopify lists 8 orders for this customer; 7 are counted here. Not counted: 1 order refunded in full (...), Dec 2, 2026." */
export function describeNotCounted(t: Translator, c: CachedCustomer, timeZone: string): string | null {
  const orders = c.notCountedOrders ?? [];
  if (orders.length === 0) return null;
  const parts: string[] = [];
  for (const reason of ['refunded', 'cancelled', 'free', 'test'] as const) {
    const these = orders.filter((o) => o.reason === reason);
    if (these.length === 0) continue;
    const dates = t.list(these.map((o) => t.date(o.placedAtMs, timeZone)));
    parts.push(t.t(`ext.notCounted.${reason}`, { n: these.length, dates }));
  }
  return t.t('ext.notCounted.intro', { total: c.orderCount + orders.length, counted: c.orderCount, list: t.list(parts) });
}

/** The expected date with its distance from today: "Dec 3, 2026, in 1 day", "Dec 2, 2026, today". */
export function describeDue(t: Translator, due: Due): string | null {
  switch (due.kind) {
    case 'none':
      return null;
    case 'ahead':
      return t.t('ext.due.future', { date: due.date, days: due.days });
    case 'today':
      return t.t('ext.due.today', { date: due.date });
    case 'late':
      return t.t('ext.due.past', { date: due.date, days: due.days });
  }
}

import { describe, expect, it } from 'vitest';
import type { TierChangeReasonV1 } from '../api/v1.ts';
import { localDayNumber } from '../time/calendar.ts';
import { churnReasonsOf, churnReasonText, saysGoneQuiet, type ChurnReasonInputs } from './churn-reasons.ts';
import { createTranslator } from './translator.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const utcDay = (ms: number) => Math.floor(ms / DAY);

function customer(patch: Partial<ChurnReasonInputs> = {}): ChurnReasonInputs {
  return {
    orderCount: 3,
    daysSinceLastOrder: 100,
    firstOrderAtMs: NOW - 200 * DAY,
    lastOrderAtMs: NOW - 100 * DAY,
    expectedNextOrderAtMs: NOW - 50 * DAY,
    newCustomer: false,
    confidence: 'normal',
    ...patch,
  };
}

describe('churnReasonsOf', () => {
  it('gives one-order reasons against the shop gap the model expects', () => {
    const one = customer({
      orderCount: 1,
      firstOrderAtMs: NOW - 90 * DAY,
      lastOrderAtMs: NOW - 90 * DAY,
      daysSinceLastOrder: 90,
      expectedNextOrderAtMs: NOW - 60 * DAY,
    });
    expect(churnReasonsOf(one, utcDay)).toEqual([
      { code: 'one-order', days: 90 },
      { code: 'no-second-order', ratio: 3, days: 30 },
    ]);
    // Not yet past the shop's usual time to a second order, or too new to judge: the one order alone.
    expect(churnReasonsOf({ ...one, daysSinceLastOrder: 20 }, utcDay)).toEqual([{ code: 'one-order', days: 20 }]);
    expect(churnReasonsOf({ ...one, newCustomer: true }, utcDay)).toEqual([{ code: 'one-order', days: 90 }]);
  });

  it('says overdue from 1.5 usual gaps, late past the expected date below that, else within the gap', () => {
    expect(churnReasonsOf(customer(), utcDay)).toEqual([
      { code: 'overdue', ratio: 2 },
      { code: 'cadence', orders: 3, gapDays: 50 },
    ]);
    // 60 days against a 50-day gap, the expected date 10 days back: late, not "within the usual gap".
    const late = customer({ daysSinceLastOrder: 60, lastOrderAtMs: NOW - 60 * DAY, firstOrderAtMs: NOW - 160 * DAY, expectedNextOrderAtMs: NOW - 10 * DAY });
    expect(churnReasonsOf(late, utcDay)).toEqual([
      { code: 'late', days: 60 },
      { code: 'cadence', orders: 3, gapDays: 50 },
    ]);
    expect(churnReasonsOf({ ...late, expectedNextOrderAtMs: NOW + 5 * DAY }, utcDay)[0]).toEqual({ code: 'within-gap', days: 60 });
    // The expected date is today: not late yet.
    expect(churnReasonsOf({ ...late, expectedNextOrderAtMs: NOW }, utcDay)[0]).toEqual({ code: 'within-gap', days: 60 });
  });

  it('adds the fallback note at low confidence, and says nothing of days without an order', () => {
    expect(churnReasonsOf(customer({ daysSinceLastOrder: 60, expectedNextOrderAtMs: NOW + DAY, confidence: 'low' }), utcDay)).toEqual([
      { code: 'within-gap', days: 60 },
      { code: 'cadence', orders: 3, gapDays: 50 },
      { code: 'fallback' },
    ]);
    expect(churnReasonsOf(customer({ orderCount: 0, daysSinceLastOrder: null, firstOrderAtMs: null, lastOrderAtMs: null }), utcDay)).toEqual([]);
  });

  it('counts calendar days of the zone it is given, as the merchant reads dates', () => {
    // First order late on Jan 1 in Seoul (Jan 1 in UTC too), last early on Jan 11 in Seoul (still Jan 10 in UTC):
    // two orders 10 calendar days apart in Seoul, 9 in UTC.
    const first = Date.parse('2026-01-01T14:30:00Z'); // 23:30 in Seoul
    const last = Date.parse('2026-01-10T15:30:00Z'); // 00:30 on Jan 11 in Seoul
    const c = customer({ orderCount: 2, firstOrderAtMs: first, lastOrderAtMs: last, daysSinceLastOrder: 12, expectedNextOrderAtMs: null });
    const seoul = (ms: number) => localDayNumber(ms, 'Asia/Seoul');
    expect(churnReasonsOf(c, seoul)).toContainEqual({ code: 'cadence', orders: 2, gapDays: 10 });
    expect(churnReasonsOf(c, utcDay)).toContainEqual({ code: 'cadence', orders: 2, gapDays: 9 });
  });

  it('tells which reasons say the customer has gone quiet', () => {
    expect(saysGoneQuiet(churnReasonsOf(customer(), utcDay))).toBe(true);
    expect(
      saysGoneQuiet([
        { code: 'one-order', days: 90 },
        { code: 'no-second-order', ratio: 3, days: 30 },
      ]),
    ).toBe(true);
    expect(
      saysGoneQuiet([
        { code: 'late', days: 60 },
        { code: 'cadence', orders: 3, gapDays: 50 },
      ]),
    ).toBe(false);
  });
});

describe('churnReasonText', () => {
  const every: TierChangeReasonV1[] = [
    { code: 'one-order', days: 40 },
    { code: 'no-second-order', ratio: 2.5, days: 30 },
    { code: 'overdue', ratio: 2 },
    { code: 'late', days: 60 },
    { code: 'within-gap', days: 3 },
    { code: 'cadence', orders: 4, gapDays: 30 },
    { code: 'fallback' },
  ];

  it('words every reason code with its numbers in English', () => {
    const en = createTranslator('en');
    expect(every.map((r) => churnReasonText(en, r))).toEqual([
      'one order, 40 days ago',
      'no second order after 2.5× the shop’s usual time to a second order (30 days)',
      'no order for 2.0× this customer’s usual gap',
      'last order 60 days ago, a little past this customer’s usual gap',
      'last order 3 days ago, within this customer’s usual gap',
      '4 orders, usually 30 days apart',
      'estimated from order timing: too little data for the model',
    ]);
  });

  it('words every reason code in Korean and Arabic from the catalog, with no English left', () => {
    for (const locale of ['ko', 'ar'] as const) {
      const tr = createTranslator(locale);
      for (const reason of every) {
        const text = churnReasonText(tr, reason);
        expect(text.length).toBeGreaterThan(3);
        expect(text).not.toMatch(/[a-z]{4,}/);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { InsightDraft } from '../../compute/write.ts';
import { findTierChanges } from './detect.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');

function draft(id: string, patch: Partial<InsightDraft> = {}): InsightDraft {
  return {
    customerId: id,
    currency: 'USD',
    orderCount: 3,
    isRepeat: true,
    historicClvMinor: 30_000,
    predictedClvMinor: 12_000,
    averageOrderValueMinor: 10_000,
    firstOrderAtMs: NOW - 200 * DAY,
    lastOrderAtMs: NOW - 100 * DAY,
    daysSinceLastOrder: 100,
    expectedNextOrderAtMs: NOW - 50 * DAY,
    overdue: true,
    pAlive: 0.3,
    churnProbability: 0.8,
    churnHorizonDays: 90,
    newCustomer: false,
    churnTier: 'high',
    confidence: 'normal',
    rfmSegment: 'AT_RISK',
    orderHistory: [],
    notCountedOrders: [],
    ...patch,
  };
}
const stored = (d: InsightDraft) => JSON.stringify(d);

describe('findTierChanges', () => {
  it('records a move from the stored tier, with the value before and after and the reasons', () => {
    const before = draft('7', { churnTier: 'low', churnProbability: 0.1, predictedClvMinor: 50_000 });
    const [change, ...rest] = findTierChanges(new Map([['7', stored(before)]]), [draft('7')], NOW, 'UTC');
    expect(rest).toEqual([]);
    expect(change).toEqual({
      customerId: '7',
      oldTier: 'low',
      newTier: 'high',
      worsened: true,
      churnProbability: 0.8,
      churnHorizonDays: 90,
      predictedClvMinor: 12_000,
      previousPredictedClvMinor: 50_000,
      currency: 'USD',
      reasons: [
        { code: 'overdue', ratio: 2 },
        { code: 'cadence', orders: 3, gapDays: 50 },
      ],
      changedAtMs: NOW,
    });
  });

  it('marks a move to a safer tier as not worsened', () => {
    const [change] = findTierChanges(new Map([['7', stored(draft('7'))]]), [draft('7', { churnTier: 'medium' })], NOW, 'UTC');
    expect(change).toMatchObject({ oldTier: 'high', newTier: 'medium', worsened: false });
  });

  it('finds nothing for the same tier, a first scoring, a tombstone, or another churn horizon', () => {
    const same = draft('1', { churnProbability: 0.9 });
    const changes = findTierChanges(
      new Map<string, string | null>([
        ['1', stored(draft('1'))],
        ['3', null],
        ['4', stored(draft('4', { churnTier: 'low', churnHorizonDays: 30 }))],
      ]),
      [same, draft('2', { churnTier: 'low' }), draft('3', { churnTier: 'low' }), draft('4')],
      NOW,
      'UTC',
    );
    expect(changes).toEqual([]);
  });

  it('records the reasons the extension card gives the customer, in the shop’s calendar days', () => {
    // Orders at 23:30 on Jan 1 and 00:30 on Jan 31 in Seoul (30 days apart there, 29 in UTC); 40 days since, the
    // expected date passed: "a little past the usual gap", as the card says, not "within the usual gap".
    const last = Date.parse('2026-01-30T15:30:00Z');
    const now = draft('7', {
      orderCount: 2,
      firstOrderAtMs: Date.parse('2026-01-01T14:30:00Z'),
      lastOrderAtMs: last,
      daysSinceLastOrder: 40,
      expectedNextOrderAtMs: last + 35 * DAY,
    });
    const [change] = findTierChanges(new Map([['7', stored(draft('7', { churnTier: 'low' }))]]), [now], NOW, 'Asia/Seoul');
    expect(change!.reasons).toEqual([
      { code: 'late', days: 40 },
      { code: 'cadence', orders: 2, gapDays: 30 },
    ]);
  });
});

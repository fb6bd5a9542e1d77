import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsightDraft } from '../../compute/write.ts';
import { writeInsights } from '../../compute/write.ts';
import type { Database } from '../../db/connect.ts';
import { createTestDatabase } from '../../db/test-database.ts';

const SHOP = 'tier-record.myshopify.com';
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');

function draft(id: string, tier: InsightDraft['churnTier'], probability: number): InsightDraft {
  return {
    customerId: id,
    currency: 'USD',
    orderCount: 2,
    isRepeat: true,
    historicClvMinor: 20_000,
    predictedClvMinor: 9_000,
    averageOrderValueMinor: 10_000,
    firstOrderAtMs: NOW - 120 * DAY,
    lastOrderAtMs: NOW - 60 * DAY,
    daysSinceLastOrder: 60,
    expectedNextOrderAtMs: NOW,
    overdue: false,
    pAlive: 0.5,
    churnProbability: probability,
    churnHorizonDays: 90,
    newCustomer: false,
    churnTier: tier,
    confidence: 'normal',
    rfmSegment: 'LOYAL',
    orderHistory: [],
    notCountedOrders: [],
  };
}

describe('writeInsights tier changes', () => {
  let database: Database;
  const rows = async () =>
    database.db
      .selectFrom('customer_tier_changes')
      .select(['customer_id', 'old_tier', 'new_tier', 'worsened', 'flow_state', 'reasons'])
      .where('shop_id', '=', SHOP)
      .execute();

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });

  it('records a move once, in the write that stores it; rewriting the same insight records nothing', async () => {
    const first = await writeInsights(database.db, SHOP, [draft('1', 'low', 0.2), draft('2', 'low', 0.2)], NOW, { timeZone: 'UTC', scope: ['1', '2'] });
    expect(first.tierChanges).toEqual([]);
    const second = await writeInsights(database.db, SHOP, [draft('1', 'high', 0.8), draft('2', 'low', 0.25)], NOW + 1000, {
      timeZone: 'UTC',
      scope: ['1', '2'],
    });
    expect(second.tierChanges.map((c) => [c.customerId, c.oldTier, c.newTier])).toEqual([['1', 'low', 'high']]);
    const again = await writeInsights(database.db, SHOP, [draft('1', 'high', 0.8)], NOW + 2000, { timeZone: 'UTC', scope: ['1'] });
    expect(again.tierChanges).toEqual([]);
    expect((await rows()).map((r) => ({ ...r, customer_id: String(r.customer_id) }))).toEqual([
      {
        customer_id: '1',
        old_tier: 'low',
        new_tier: 'high',
        worsened: true,
        flow_state: 'pending',
        reasons: JSON.stringify([
          { code: 'within-gap', days: 60 },
          { code: 'cadence', orders: 2, gapDays: 60 },
        ]),
      },
    ]);
  });

  it('records nothing for a shop erased meanwhile (the writer stops before any write)', async () => {
    const before = (await rows()).length;
    await database.db.deleteFrom('shops').where('shop_id', '=', SHOP).execute();
    // No shop row: the writer stops before touching anything (the same path as a shop erased meanwhile).
    expect((await writeInsights(database.db, SHOP, [draft('1', 'low', 0.1)], NOW + 3000, { timeZone: 'UTC', scope: ['1'] })).tierChanges).toEqual([]);
    expect((await rows()).length).toBe(before);
  });
});

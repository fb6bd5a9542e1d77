import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/connect.ts';
import { createTestDatabase } from '../../db/test-database.ts';
import type { TierChange } from './detect.ts';
import { recordTierChanges } from './record.ts';
import { readVipSlipping, readVipSlippingSummary } from './vip-slipping.ts';

const SHOP = 'vip.myshopify.com';
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-02T12:00:00Z');

function change(customerId: string, atMs: number, patch: Partial<TierChange> = {}): TierChange {
  return {
    customerId,
    oldTier: 'low',
    newTier: 'high',
    worsened: true,
    churnProbability: 0.7,
    churnHorizonDays: 90,
    predictedClvMinor: 4_000,
    previousPredictedClvMinor: 10_000,
    currency: 'USD',
    reasons: [{ code: 'overdue', ratio: 2 }],
    changedAtMs: atMs,
    ...patch,
  };
}

describe('readVipSlipping', () => {
  let database: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    await db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
    // Predicted CLV 1,000 ... 10,000 for customers 1-10: the top 10% bar is 9,000.
    await db
      .insertInto('customer_insights')
      .values(
        Array.from({ length: 10 }, (_, i) => ({
          shop_id: SHOP,
          customer_id: String(i + 1),
          change_seq: i + 1,
          payload: '{}',
          predicted_clv_minor: (i + 1) * 1000,
          updated_at: new Date(NOW),
        })),
      )
      .execute();
    await recordTierChanges(db, SHOP, [change('10', NOW - 10 * DAY)]); // a VIP, last week
    await recordTierChanges(db, SHOP, [change('9', NOW - 2 * DAY, { previousPredictedClvMinor: 9_500 })]); // a VIP, this week
    await recordTierChanges(db, SHOP, [change('3', NOW - 1 * DAY, { previousPredictedClvMinor: 3_000 })]); // not a VIP
    await recordTierChanges(db, SHOP, [change('8', NOW - 3 * DAY, { previousPredictedClvMinor: 12_000 })]); // a VIP ...
    await recordTierChanges(db, SHOP, [change('8', NOW - 1 * DAY, { oldTier: 'high', newTier: 'medium', worsened: false })]); // ... who recovered
    await recordTierChanges(db, SHOP, [change('7', NOW - 1 * DAY, { oldTier: 'high', newTier: 'low', worsened: false })]); // improved
  });
  afterAll(async () => {
    await database.close();
  });

  it('lists VIPs whose latest change this week made their tier worse, with why', async () => {
    const vip = await readVipSlipping(database.db, SHOP, NOW, 'USD');
    expect(vip.customers).toEqual([
      {
        customerId: '9',
        oldTier: 'low',
        newTier: 'high',
        changedAtMs: NOW - 2 * DAY,
        churnProbability: 0.7,
        churnHorizonDays: 90,
        previousPredictedClvMinor: 9_500,
        predictedClvMinor: 4_000,
        reasons: [{ code: 'overdue', ratio: 2 }],
      },
    ]);
    expect(vip.windowDays).toBe(7);
  });

  it('counts this week against last week, with the value at risk, against the top-10% bar', async () => {
    expect(await readVipSlippingSummary(database.db, SHOP, NOW)).toEqual({
      thisWeek: 2,
      lastWeek: 1,
      valueAtRiskMinor: 9_500 + 12_000,
      thresholdMinor: 9_000,
      topShare: 0.1,
    });
  });

  it('has nothing and no bar for a shop without predictions', async () => {
    expect(await readVipSlippingSummary(database.db, 'other.myshopify.com', NOW)).toEqual({
      thisWeek: 0,
      lastWeek: 0,
      valueAtRiskMinor: 0,
      thresholdMinor: null,
      topShare: 0.1,
    });
  });
});

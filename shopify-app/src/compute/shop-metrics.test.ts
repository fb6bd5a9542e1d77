import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { aggregatesOfTally, emptyInsightTally, insightAggregates, mergeInsightTallies, tallyInsights } from './shop-metrics.ts';
import { writeInsights, type InsightDraft } from './write.ts';

const SHOP = 'tally.myshopify.com';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const TIERS = ['low', 'medium', 'high'] as const;

/**
 * 400 insights with ids across magnitudes (64-bit ones included, which sort differently as text), every tier, new
 * customers, no prediction for some, and many equal scores (ties go to the lower id, numerically).
 */
function drafts(): InsightDraft[] {
  return Array.from({ length: 400 }, (_, i) => {
    const id = i % 4 === 0 ? String(9_007_199_254_740_993n + BigInt(i)) : String((i % 4) * 10 ** (i % 7) + i);
    return {
      customerId: id,
      currency: 'USD',
      orderCount: 1 + (i % 3),
      isRepeat: i % 3 > 0,
      historicClvMinor: 1_000 * (1 + (i % 5)),
      predictedClvMinor: i % 6 === 0 ? null : 700 + 13 * i,
      averageOrderValueMinor: 1_000,
      firstOrderAtMs: NOW - 90 * 86_400_000,
      lastOrderAtMs: NOW - (i % 50) * 86_400_000,
      daysSinceLastOrder: i % 50,
      expectedNextOrderAtMs: null,
      overdue: false,
      pAlive: 0.5,
      churnProbability: [0.2, 0.45, 0.9][i % 3]!,
      churnHorizonDays: 90,
      newCustomer: i % 11 === 0,
      churnTier: TIERS[(i + (i >> 2)) % 3]!,
      confidence: 'normal',
      rfmSegment: null,
      orderHistory: [],
      notCountedOrders: [],
    };
  });
}

describe('insight tallies', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });

  it("give the summary's insight parts that the table's queries give, whole or merged from parts", async () => {
    const all = drafts();
    const ids = all.map((d) => d.customerId);
    await writeInsights(database.db, SHOP, all, NOW, { timeZone: 'UTC', scope: ids });
    // A stored insight no longer computed is a tombstone, left out of both.
    await writeInsights(database.db, SHOP, all.slice(1), NOW, { timeZone: 'UTC', scope: ids });
    const live = all.slice(1);
    for (const limit of [1, 10, 60]) {
      const whole = emptyInsightTally();
      tallyInsights(whole, live, limit);
      const parts = [live.slice(0, 7), live.slice(7, 200), [], live.slice(200)].map((part) => {
        const tally = emptyInsightTally();
        tallyInsights(tally, part, limit);
        // A bucket's tally goes through the run's row as JSON.
        return JSON.parse(JSON.stringify(tally)) as typeof tally;
      });
      const expected = aggregatesOfTally(whole);
      expect(expected.topAtRisk).toHaveLength(limit);
      expect(aggregatesOfTally(mergeInsightTallies(parts, limit))).toEqual(expected);
      expect(await insightAggregates(database.db, SHOP, limit, { whole: true })).toEqual(expected);
      expect(await insightAggregates(database.db, SHOP, limit)).toEqual(expected);
    }
    expect(aggregatesOfTally(emptyInsightTally())).toEqual({ averagePredictedClvMinor: null, topAtRisk: [] });
  });
});

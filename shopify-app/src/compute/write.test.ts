import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { writeInsights, type InsightDraft } from './write.ts';

const SHOP = 'write.myshopify.com';
const NOW = Date.parse('2026-12-01T12:00:00Z');

function draft(id: string, orderCount: number): InsightDraft {
  return {
    customerId: id,
    currency: 'USD',
    orderCount,
    isRepeat: orderCount >= 2,
    historicClvMinor: 1_000 * orderCount,
    predictedClvMinor: null,
    averageOrderValueMinor: 1_000,
    firstOrderAtMs: NOW - 1_000,
    lastOrderAtMs: NOW - 1_000,
    daysSinceLastOrder: 0,
    expectedNextOrderAtMs: null,
    overdue: false,
    pAlive: 1,
    churnProbability: 0,
    churnHorizonDays: 90,
    newCustomer: true,
    churnTier: 'low',
    churnReasons: [],
    confidence: 'low',
    rfmSegment: 'NEW',
    orderHistory: [],
    notCountedOrders: [],
  };
}

describe('writeInsights keepWrittenAfterSeq', () => {
  let database: Database;
  const stored = async () =>
    new Map(
      (await database.db.selectFrom('customer_insights').select(['customer_id', 'change_seq', 'deleted', 'payload']).where('shop_id', '=', SHOP).execute()).map(
        (r) => [
          String(r.customer_id),
          { seq: Number(r.change_seq), deleted: r.deleted, orderCount: r.payload === null ? null : (JSON.parse(r.payload) as InsightDraft).orderCount },
        ],
      ),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });

  it('leaves alone the insights written after the given sequence, and writes and tombstones the others', async () => {
    await writeInsights(database.db, SHOP, [draft('1', 1), draft('2', 1), draft('3', 1)], NOW, { scope: ['1', '2', '3'] });
    // A bucket reads its customers' orders here (sequence 3), then another run writes customer 2 and 3 anew.
    const readAt = 3;
    await writeInsights(database.db, SHOP, [draft('2', 2), draft('3', 2)], NOW + 1, { scope: ['2', '3'] });
    // The bucket's stale results: 1 changed, 2 stale, 3 not computed any more (would be a tombstone).
    const result = await writeInsights(database.db, SHOP, [draft('1', 5), draft('2', 1)], NOW + 2, { scope: ['1', '2', '3'], keepWrittenAfterSeq: readAt });
    expect(result).toMatchObject({ changed: 1, deleted: 0 });
    expect(await stored()).toEqual(
      new Map([
        ['1', { seq: 6, deleted: false, orderCount: 5 }],
        ['2', { seq: 4, deleted: false, orderCount: 2 }],
        ['3', { seq: 5, deleted: false, orderCount: 2 }],
      ]),
    );
    // Without the option the same call overwrites them (what every other writer wants).
    const plain = await writeInsights(database.db, SHOP, [draft('1', 5), draft('2', 1)], NOW + 3, { scope: ['1', '2', '3'] });
    expect(plain).toMatchObject({ changed: 1, deleted: 1 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { EXPORT_PAGE_SIZE, exportSegmentCsv, parseExportSelection } from './segment-export.ts';

const SHOP = 'export-shop.myshopify.com';

describe('exportSegmentCsv', () => {
  let database: Database;
  // Ids of one to four digits over several pages: numeric order differs from text order ("10" < "9").
  const ids = Array.from({ length: 3 * EXPORT_PAGE_SIZE + 17 }, (_, k) => (k * 7 + 3) % 1000).filter((v, i, a) => v > 0 && a.indexOf(v) === i);
  const tierOf = (id: number) => (id % 3 === 0 ? 'high' : id % 3 === 1 ? 'medium' : 'low');

  beforeAll(async () => {
    database = await createTestDatabase();
    await migrateToLatest(database.db);
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'KRW' }).execute();
    await database.db
      .insertInto('customer_insights')
      .values(
        ids.map((id, k) => ({
          shop_id: SHOP,
          customer_id: String(id),
          change_seq: String(k + 1),
          deleted: id === 42,
          payload: JSON.stringify({
            customerId: String(id),
            currency: 'KRW',
            orderCount: 1 + (id % 4),
            historicClvMinor: 15_000 + id,
            predictedClvMinor: id % 5 === 0 ? null : 9_000,
            daysSinceLastOrder: id % 200,
            churnProbability: 0.123456,
            churnHorizonDays: 90,
            churnTier: tierOf(id),
            rfmSegment: id % 2 === 0 ? 'AT_RISK' : 'CHAMPIONS',
          }),
          updated_at: new Date(),
        })) as never,
      )
      .execute();
  });
  afterAll(async () => {
    await database?.close();
  });

  const read = async (stream: ReadableStream<Uint8Array>) =>
    new TextDecoder('utf-8', { ignoreBOM: true })
      .decode(new Uint8Array(await new Response(stream).arrayBuffer()))
      .split('\r\n')
      .filter((l) => l !== '');

  it('lists every customer of the tier once, in numeric id order across pages, deleted ones left out', async () => {
    const lines = await read(exportSegmentCsv({ db: database.db, graphql: null }, SHOP, parseExportSelection('tier', 'high'), 'en'));
    expect(lines[0]).toBe(
      '\uFEFFCustomer ID,Name,Email,Orders,Total spent,Currency,Days since last order,Chance of no order (0–1),Churn horizon (days),Risk tier,Predicted CLV (12 months),RFM segment',
    );
    const expected = ids.filter((id) => tierOf(id) === 'high' && id !== 42).sort((a, b) => a - b);
    expect(expected.length).toBeGreaterThan(EXPORT_PAGE_SIZE);
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(expected);
    // KRW has no minor unit: 15,003 won is written 15003; an unknown predicted CLV is an empty cell.
    const row3 = lines.find((l) => l.startsWith('3,'))!;
    expect(row3).toBe('3,,,4,15003,KRW,3,0.1235,90,high,9000,CHAMPIONS');
    expect(lines.find((l) => l.startsWith('15,'))!.split(',')[10]).toBe('');
  });

  it('exports an RFM segment with Arabic headers', async () => {
    const lines = await read(exportSegmentCsv({ db: database.db, graphql: null }, SHOP, parseExportSelection('segment', 'CHAMPIONS'), 'ar'));
    expect(lines[0]!.startsWith('\uFEFFمعرّف العميل,الاسم,')).toBe(true);
    expect(lines.length - 1).toBe(ids.filter((id) => id % 2 === 1).length);
  });

  it('refuses what is neither a tier nor a segment', () => {
    expect(() => parseExportSelection('tier', 'severe')).toThrow(/"high", "medium" or "low"/);
    expect(() => parseExportSelection('segment', 'VIP')).toThrow(/CHAMPIONS/);
    expect(() => parseExportSelection('country', 'KR')).toThrow(/"segment" or "tier"/);
  });
});

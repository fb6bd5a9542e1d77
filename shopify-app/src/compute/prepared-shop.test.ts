import { prepareShopReport } from '@clvlens/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { StoredOrder } from '../ingest/order.ts';
import { upsertOrders } from '../ingest/store.ts';
import { silentLogger } from '../log.ts';
import { storedOrder } from '../testing/fixtures.ts';
import { shopReportOptions, type ComputeContext } from './insights.ts';
import { loadOrderRecords } from './load.ts';
import { loadPreparedShop, prepareRecordsInParts } from './prepared-shop.ts';

const SHOP = 'parts.myshopify.com';
const DAY = 86_400_000;
const AS_OF = Date.parse('2026-11-30T22:59:59.999Z');
const context: ComputeContext = { currency: 'EUR', timeZone: 'Europe/Berlin', asOfMs: AS_OF, options: {} };

/**
 * 120 customers with 1-5 orders (ids of 1 to 13 digits, some past 15 digits, which core keys as text), guests,
 * orders without a customer, refunds, cancelled and test orders, one order after "as of" and one in another
 * currency (screened out, and quarantined).
 */
function shopOrders(): StoredOrder[] {
  let seed = 99;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const orders: StoredOrder[] = [];
  const add = (o: Omit<Partial<StoredOrder>, 'orderId'> & Pick<StoredOrder, 'placedAtMs'>) =>
    orders.push(storedOrder({ currency: 'EUR', ...o, orderId: String(orders.length + 1) }));
  for (let c = 1; c <= 120; c++) {
    const customerId = c % 11 === 0 ? String(10_000_000_000_000_000n + BigInt(c)) : String(c * (c % 3 === 0 ? 1 : c % 3 === 1 ? 1_000 : 7_000_000_003));
    for (let k = 0, n = 1 + Math.floor(next() * 5); k < n; k++) {
      const placedAtMs = AS_OF - Math.floor(next() * 600) * DAY;
      const totalMinor = Math.floor(next() * 20_000);
      const refunded = next() < 0.1 ? Math.floor(totalMinor / 3) : 0;
      add({
        customerId,
        placedAtMs,
        totalMinor,
        refundedMinor: refunded,
        refunds: refunded > 0 ? [{ refundId: String(9_000 + orders.length), refundedAtMs: placedAtMs + 3 * DAY, amountMinor: refunded }] : [],
        cancelled: next() < 0.03,
        test: next() < 0.02,
      });
    }
  }
  for (let g = 0; g < 30; g++) add({ guestKey: `g1:${(g % 12).toString(16).padStart(4, '0')}`, placedAtMs: AS_OF - (5 + g * 13) * DAY, totalMinor: 1500 + g });
  for (let u = 0; u < 5; u++) add({ placedAtMs: AS_OF - (3 + u) * DAY, totalMinor: 700 });
  add({ customerId: '2000', placedAtMs: AS_OF + DAY, totalMinor: 900 });
  add({ customerId: '4000', placedAtMs: AS_OF - DAY, totalMinor: 900, currency: 'USD' });
  return orders;
}

describe('loadPreparedShop and prepareRecordsInParts', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'EUR', iana_timezone: 'Europe/Berlin' }).execute();
    await upsertOrders(database.db, SHOP, shopOrders());
  });
  afterAll(async () => await database.close());

  it('read a part of customers at a time, give the dataset core prepares from all the records at once', { timeout: 60_000 }, async () => {
    // On PostgreSQL with its pool, as the app runs there: the parts come from one streamed statement.
    const deps = { db: database.db, ...(database.kind === 'postgres' ? { pool: database.pool } : {}), clock: { now: () => AS_OF }, log: silentLogger };
    const records = await loadOrderRecords(database.db, SHOP);
    const kept = records.filter((r) => r.currency === 'EUR');
    expect(kept.length).toBe(records.length - 1);
    const expected = prepareShopReport(kept, shopReportOptions(context));
    // The data exercise every kind of customer key.
    expect(expected.customerKeys.some((k) => k.length > 15)).toBe(true);
    expect(expected.customerKeys.some((k) => k.startsWith('g1:'))).toBe(true);
    expect(expected.unattributedDay.length).toBe(5);

    for (const customersPerPart of [7, 50, 100_000]) {
      const read = await loadPreparedShop(deps, SHOP, context, { customersPerPart });
      expect(read.orders).toBe(records.length);
      expect(read.parts).toBe(Math.ceil(expected.customerKeys.filter((k) => k.length <= 15 && !k.startsWith('g1:')).length / customersPerPart) + 1);
      expect(read.data).toEqual(expected);
      expect(await prepareRecordsInParts(kept, context, { customersPerPart })).toEqual(expected);
    }
    // The order in another currency was screened out and quarantined for the merchant, not dropped silently.
    const quarantined = await database.db.selectFrom('quarantined_records').selectAll().execute();
    expect(quarantined.map((q) => q.reason)).toContain(`order ${records.length} is in USD, the shop's currency is EUR`);
  });
});

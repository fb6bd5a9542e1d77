import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../db/test-database.ts';
import type { Database } from '../db/connect.ts';
import { customerParts, loadOrderRecords, ordersOutside, type CustomerPart, type CustomerRange } from './load.ts';

const SHOP = 'load.myshopify.com';
const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');

describe('loadOrderRecords', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
    // 40 orders of 8 customers (every 5th a guest); orders 3, 6, 9, ... refunded, some of them several times, with
    // refund ids that do not follow the refund dates.
    for (let i = 1; i <= 40; i++) {
      const guest = i % 5 === 0;
      await database.db
        .insertInto('orders')
        .values({
          shop_id: SHOP,
          order_id: 1000 + i,
          customer_id: guest ? null : 1 + (i % 8),
          guest_key: guest ? `feed${i}` : null,
          placed_at: new Date(START + i * DAY),
          updated_at: new Date(START + i * DAY),
          currency: 'USD',
          total_minor: 1000 + i,
          refunded_minor: i % 3 === 0 ? 300 : 0,
          cancelled: i % 11 === 0,
          test: i % 13 === 0,
          subscription: i % 4 === 0,
        })
        .execute();
      if (i % 3 !== 0) continue;
      for (let k = 0; k < 1 + (i % 4); k++) {
        await database.db
          .insertInto('order_refunds')
          .values({
            shop_id: SHOP,
            refund_id: 90_000 + i * 10 + (3 - k),
            order_id: 1000 + i,
            refunded_at: new Date(START + (i + 1 + k) * DAY),
            amount_minor: 100,
          })
          .execute();
      }
    }
    // A refund of nothing on an order whose payload says unrefunded (a restock): kept as stored, on every path.
    await database.db
      .insertInto('order_refunds')
      .values({ shop_id: SHOP, refund_id: 99_999, order_id: 1001, refunded_at: new Date(START + 2 * DAY), amount_minor: 0 })
      .execute();
  });
  afterAll(async () => {
    await database.close();
  });

  it('reads the same records, refunds in date order, whatever the page size', async () => {
    const whole = await loadOrderRecords(database.db, SHOP);
    expect(whole).toHaveLength(40);
    const refunded = whole.find((r) => r.orderId === '1015')!;
    expect(refunded.refunds).toEqual([0, 1, 2, 3].map((k) => ({ refundedAtMs: START + (16 + k) * DAY, amountMinor: 100 })));
    expect(whole.find((r) => r.orderId === '1005')).toMatchObject({ customerId: null, email: 'feed5', refundedMinor: 0 });
    expect(whole.find((r) => r.orderId === '1005')!.refunds).toBeUndefined();
    for (const pageSize of [1, 2, 3, 7]) expect(await loadOrderRecords(database.db, SHOP, { pageSize })).toEqual(whole);
  });

  it("reads some customers' orders with their refunds", async () => {
    const some = await loadOrderRecords(database.db, SHOP, { customerIds: ['4'] });
    expect(some.map((r) => r.orderId)).toEqual(['1003', '1011', '1019', '1027']);
    expect(some.find((r) => r.orderId === '1027')!.refunds).toHaveLength(4);
  });

  it('reads a range of customers, or everything outside it, as the whole shop has them', async () => {
    const whole = await loadOrderRecords(database.db, SHOP);
    expect(whole.find((r) => r.orderId === '1001')!.refunds).toEqual([{ refundedAtMs: START + 2 * DAY, amountMinor: 0 }]);
    const range = { after: '2', upTo: '5' };
    const inside = (r: (typeof whole)[number]): boolean => r.customerId !== null && Number(r.customerId) > 2 && Number(r.customerId) <= 5;
    const some = await loadOrderRecords(database.db, SHOP, { customerRange: range });
    expect(some.length).toBeGreaterThan(0);
    expect(some).toEqual(whole.filter(inside));
    expect(await loadOrderRecords(database.db, SHOP, { outsideRange: range })).toEqual(whole.filter((r) => !inside(r)));
    expect(await loadOrderRecords(database.db, SHOP, { customerIds: ['1', '9'] })).toEqual(whole.filter((r) => r.customerId === '1'));
  });

  it('reads a range a part of customers at a time, each part as the range read has it, on every path', async () => {
    // A customer order in a currency with a backslash (stored as Shopify sent it): COPY's text output escapes it.
    await database.db
      .insertInto('orders')
      .values({ shop_id: SHOP, order_id: 2001, customer_id: 4, placed_at: new Date(START), updated_at: new Date(START), currency: 'U\\D', total_minor: 5 })
      .execute();
    const sources = [{ db: database.db }, ...(database.kind === 'postgres' ? [{ db: database.db, pool: database.pool }] : [])];
    const collect = async (parts: AsyncGenerator<CustomerPart>): Promise<CustomerPart[]> => {
      const all: CustomerPart[] = [];
      for await (const part of parts) all.push(part);
      return all;
    };
    for (const source of sources) {
      for (const [range, customers] of [
        [{ after: '1', upTo: '7' }, ['2', '3', '4', '5', '6', '7']],
        [{ after: '-9223372036854775808', upTo: '999999999999999' }, ['1', '2', '3', '4', '5', '6', '7', '8']],
        [{ after: '100', upTo: '200' }, []],
      ] as [CustomerRange, string[]][]) {
        for (const perPart of [1, 2, 5, 100]) {
          const parts = await collect(customerParts(source, SHOP, range, perPart, { serial: true }));
          // Parts follow each other over the whole range, each with at most perPart customers, all full but the last.
          expect(parts.length).toBe(Math.max(1, Math.ceil(customers.length / perPart)));
          expect(parts[0]!.range.after).toBe(range.after);
          expect(parts[parts.length - 1]!.range.upTo).toBe(range.upTo);
          for (let k = 1; k < parts.length; k++) expect(parts[k]!.range.after).toBe(parts[k - 1]!.range.upTo);
          expect(parts.flatMap((p) => p.customerIds)).toEqual(customers);
          for (const part of parts.slice(0, -1)) expect(part.customerIds).toHaveLength(perPart);
          for (const part of parts) expect(part.records).toEqual(await loadOrderRecords(database.db, SHOP, { customerRange: part.range }));
        }
      }
      for (const range of [
        { after: '2', upTo: '5' },
        { after: '-1', upTo: '999999999999999' },
      ]) {
        const outside = await ordersOutside(source, SHOP, range);
        expect(outside.length).toBeGreaterThan(0);
        expect(outside).toEqual(await loadOrderRecords(database.db, SHOP, { outsideRange: range }));
      }
      const all = await collect(customerParts(source, SHOP, { after: '0', upTo: '9' }, 3));
      expect(all.flatMap((p) => p.records).find((r) => r.orderId === '2001')!.currency).toBe('U\\D');
      // A caller that stops early gives its connection back (more times than the pool has connections).
      for (let i = 0; i < 12; i++) {
        for await (const part of customerParts(source, SHOP, { after: '0', upTo: '9' }, 1)) {
          expect(part.customerIds).toEqual(['1']);
          break;
        }
      }
    }
    await database.db.deleteFrom('orders').where('shop_id', '=', SHOP).where('order_id', '=', 2001).execute();
    await expect(customerParts({ db: database.db }, SHOP, { after: '0', upTo: '9' }, 0).next()).rejects.toThrow(RangeError);
  });

  it('reads every stored time back to the millisecond, before 1970 and far ahead included, on every path', async () => {
    const shop = 'times.myshopify.com';
    await database.db.insertInto('shops').values({ shop_id: shop, currency: 'USD', iana_timezone: 'UTC' }).execute();
    // Odd milliseconds across the whole range a timestamp holds here; each order's refund 1 ms before its next order.
    const times = [-62_135_596_799_999, -1, 0, 1, 999, 1_767_225_600_001, 1_782_822_896_789, 4_102_444_799_999, 253_402_300_799_999];
    for (const [i, ms] of times.entries()) {
      await database.db
        .insertInto('orders')
        .values({ shop_id: shop, order_id: 500 + i, customer_id: 1 + i, placed_at: new Date(ms), updated_at: new Date(ms), currency: 'USD', total_minor: 900 })
        .execute();
      await database.db
        .insertInto('order_refunds')
        .values({ shop_id: shop, refund_id: 700 + i, order_id: 500 + i, refunded_at: new Date(ms + 777), amount_minor: 1 })
        .execute();
    }
    const expected = times.map((ms, i) => ({ orderId: String(500 + i), placedAtMs: ms, refunds: [{ refundedAtMs: ms + 777, amountMinor: 1 }] }));
    const pick = (records: { orderId: string; placedAtMs: number; refunds?: { refundedAtMs: number; amountMinor: number }[] }[]) =>
      records.map(({ orderId, placedAtMs, refunds }) => ({ orderId, placedAtMs, refunds }));
    expect(pick(await loadOrderRecords(database.db, shop))).toEqual(expected);
    expect(pick(await loadOrderRecords(database.db, shop, { customerIds: times.map((_, i) => String(1 + i)) }))).toEqual(expected);
    for (const source of [{ db: database.db }, ...(database.kind === 'postgres' ? [{ db: database.db, pool: database.pool }] : [])]) {
      const records = [];
      for await (const part of customerParts(source, shop, { after: '0', upTo: '100' }, 4)) records.push(...part.records);
      expect(pick(records)).toEqual(expected);
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { toCountedOrders } from './counted-orders.ts';
import { summarizeOrders } from './btyd-summary.ts';
import type { CustomerSummaries } from './btyd-summary.ts';
import { summarizePrepared } from './prepared-view.ts';

const DAY = 86_400_000;
const AS_OF = Date.UTC(2024, 11, 31, 23, 59, 59, 999);

/** Customer `key`'s row of every per-customer column. */
function rowOf(s: CustomerSummaries, key: string) {
  const i = s.customerKeys.indexOf(key);
  return {
    frequency: s.frequency[i],
    recencyDays: s.recencyDays[i],
    ageDays: s.ageDays[i],
    recency: s.recency[i],
    age: s.age[i],
    monetaryValueMinor: s.monetaryValueMinor[i],
    firstDayValueMinor: s.firstDayValueMinor[i],
    firstOrderAtMs: s.firstOrderAtMs[i],
    lastOrderAtMs: s.lastOrderAtMs[i],
  };
}

const orderArb = fc.record({
  customer: fc.integer({ min: 1, max: 12 }),
  guest: fc.boolean(),
  // Up to 400 days before as-of, and a few after it; hours put some orders on the same local day.
  offsetMs: fc.integer({ min: -5 * DAY, max: 400 * DAY }),
  totalMinor: fc.integer({ min: 0, max: 50_000 }),
  refund: fc.constantFrom(0, 0, 0, 0.5, 1),
  cancelled: fc.integer({ min: 0, max: 9 }).map((v) => v === 0),
  test: fc.integer({ min: 0, max: 19 }).map((v) => v === 0),
});

describe('summarizePrepared', () => {
  it('gives every customer the (x, t_x, T, m) summarizeOrders gives on the same counted orders', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { maxLength: 80 }), fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata'), (rows, timeZone) => {
        const orders: OrderRecord[] = rows.map((r, i) => ({
          orderId: String(i + 1),
          customerId: r.guest ? null : String(r.customer),
          email: r.guest ? `g${r.customer}@example.com` : null,
          placedAtMs: AS_OF - r.offsetMs,
          currency: 'USD',
          totalMinor: r.totalMinor,
          refundedMinor: Math.floor(r.totalMinor * r.refund),
          cancelled: r.cancelled,
          test: r.test,
          subscription: false,
        }));
        const view = summarizePrepared(prepareOrders(orders, { asOfMs: AS_OF, timeZone, currency: 'USD' }));
        const counted = toCountedOrders(orders.filter((o) => o.placedAtMs <= AS_OF)).orders;
        const regrouped = summarizeOrders(counted, { calibrationEndMs: AS_OF, timeZone, timeUnit: 'day' });
        expect([...view.customerKeys].sort()).toEqual([...regrouped.customerKeys].sort());
        for (const key of view.customerKeys) expect(rowOf(view, key)).toEqual(rowOf(regrouped, key));
        expect(view.endDay).toBe(regrouped.endDay);
      }),
      { numRuns: 200, seed: 14 },
    );
  });

  it('converts days to weeks for the papers’ time unit', () => {
    const orders: OrderRecord[] = [0, 14, 28].map((d, i) => ({
      orderId: String(i),
      customerId: '1',
      email: null,
      placedAtMs: AS_OF - (70 - d) * DAY,
      currency: 'USD',
      totalMinor: 1000,
      refundedMinor: 0,
      cancelled: false,
      test: false,
      subscription: false,
    }));
    const s = summarizePrepared(prepareOrders(orders, { asOfMs: AS_OF }), 'week');
    expect({ x: s.frequency[0], tx: s.recency[0], T: s.age[0], m: s.monetaryValueMinor[0] }).toEqual({ x: 2, tx: 4, T: 10, m: 1000 });
  });
});

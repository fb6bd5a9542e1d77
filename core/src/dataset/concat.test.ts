import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoreError, CurrencyMismatchError } from '../errors/core-error.ts';
import type { OrderRecord } from '../orders/order.ts';
import { endOfUtcDay, order } from '../testing/orders.ts';
import { concatPreparedOrders } from './concat.ts';
import { prepareOrders, type PrepareOptions } from './prepare.ts';

const asOfMs = endOfUtcDay('2024-12-31');
const DAY = 86_400_000;

/** Customer keys as a shop has them: short and 13-digit Shopify ids, 17-digit ids (kept as text), guests, "007". */
const customer = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map(String),
  fc.integer({ min: 1, max: 40 }).map((n) => String(7_000_000_000_000 + n)),
  fc.integer({ min: 1, max: 5 }).map((n) => String(10_000_000_000_000_000n + BigInt(n))),
  fc.constantFrom('007', '0'),
  fc.constantFrom('ann@example.com', 'bob@example.com', 'Zoe@example.com'),
  fc.constant(null),
);

const record = fc
  .record({
    customer,
    day: fc.integer({ min: -400, max: 20 }),
    total: fc.integer({ min: 0, max: 50_000 }),
    refundShare: fc.constantFrom(0, 0, 0.5, 1),
    refundDay: fc.integer({ min: 0, max: 60 }),
    cancelled: fc.integer({ min: 0, max: 9 }).map((k) => k === 0),
    test: fc.integer({ min: 0, max: 14 }).map((k) => k === 0),
    subscription: fc.boolean(),
  })
  .map((r): OrderRecord => {
    const placedAtMs = asOfMs - 12 * 3_600_000 + r.day * DAY;
    const refundedMinor = Math.floor(r.total * r.refundShare);
    const guest = r.customer !== null && r.customer.includes('@');
    return order(guest ? null : r.customer, new Date(placedAtMs).toISOString(), r.total, {
      email: guest ? r.customer : null,
      refundedMinor,
      cancelled: r.cancelled,
      test: r.test,
      subscription: r.subscription,
      ...(refundedMinor > 0 ? { refunds: [{ refundedAtMs: placedAtMs + r.refundDay * DAY, amountMinor: refundedMinor }] } : {}),
    });
  });

/** The part a record belongs in when the numeric ids are cut at `cuts` (ascending): the rest (text keys) last. */
function partOf(r: OrderRecord, cuts: readonly number[]): number {
  const id = r.customerId;
  const numeric = id !== null && /^\d{1,15}$/.test(id) && (id.length === 1 || id[0] !== '0');
  if (!numeric) return cuts.length + 1;
  let p = 0;
  while (p < cuts.length && Number(id) > cuts[p]!) p++;
  return p;
}

describe('concatPreparedOrders', () => {
  it('equals prepareOrders of all orders when the parts split the customers in order', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 120 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 7_000_000_000_050 }), { maxLength: 4 }).map((c) => c.sort((a, b) => a - b)),
        fc.constantFrom<PrepareOptions['refundAttribution']>('order-date', 'refund-date'),
        (orders, cuts, refundAttribution) => {
          const options: PrepareOptions = { asOfMs, timeZone: 'Asia/Seoul', currency: 'USD', ...(refundAttribution ? { refundAttribution } : {}) };
          const parts: OrderRecord[][] = Array.from({ length: cuts.length + 2 }, () => []);
          for (const r of orders) parts[partOf(r, cuts)]!.push(r);
          const joined = concatPreparedOrders(parts.map((p) => prepareOrders(p, options)));
          expect(joined).toEqual(prepareOrders(orders, options));
        },
      ),
      { numRuns: 300 },
    );
  });
  it('shares the order arrays as events under order-date attribution, as prepareOrders does', () => {
    const joined = concatPreparedOrders([
      prepareOrders([order('1', '2024-02-01', 100)], { asOfMs }),
      prepareOrders([order('2', '2024-03-01', 200)], { asOfMs }),
    ]);
    expect(joined.eventDay).toBe(joined.orderDay);
    expect(joined.eventAmountMinor).toBe(joined.orderNetMinor);
    expect(Array.from(joined.customerNetMinor)).toEqual([100, 200]);
  });
  it('throws for customers out of order, mixed as-of or currencies, and no parts', () => {
    const a = prepareOrders([order('20', '2024-02-01', 100)], { asOfMs });
    const b = prepareOrders([order('3', '2024-03-01', 200)], { asOfMs });
    expect(() => concatPreparedOrders([a, b])).toThrow(/Part 1 starts with customer "3", which does not come after the previous part's last customer "20"/);
    expect(() => concatPreparedOrders([prepareOrders([order(null, '2024-01-01', 1, { email: 'a@x.com' })], { asOfMs }), b])).toThrow(CoreError);
    expect(() => concatPreparedOrders([b, prepareOrders([], { asOfMs: asOfMs + DAY })])).toThrow(/Part 1 was prepared as of/);
    expect(() => concatPreparedOrders([b, prepareOrders([order('30', '2024-03-01', 200, { currency: 'EUR' })], { asOfMs })])).toThrow(CurrencyMismatchError);
    expect(() => concatPreparedOrders([])).toThrow(/at least one part/);
  });
});

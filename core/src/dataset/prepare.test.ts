import { describe, expect, it } from 'vitest';
import { CoreError, CurrencyMismatchError } from '../errors/core-error.ts';
import { endOfUtcDay, order } from '../testing/orders.ts';
import { prepareOrders } from './prepare.ts';

const asOfMs = endOfUtcDay('2024-12-31');

describe('prepareOrders', () => {
  it('puts every order in exactly one bucket: counted, after asOf, or skipped by reason', () => {
    const orders = [
      order('1', '2024-01-01', 1000),
      order(null, '2024-01-02', 1000), // unattributed but counted
      order('2', '2024-01-03', 1000, { test: true }),
      order('3', '2024-01-04', 1000, { cancelled: true }),
      order('4', '2024-01-05', 1000, { refundedMinor: 1000 }),
      order('5', '2025-01-01', 1000),
    ];
    const data = prepareOrders(orders, { asOfMs });
    expect(data.counts).toEqual({
      total: 6,
      counted: 2,
      unattributed: 1,
      afterAsOf: 1,
      skippedByReason: { test: 1, cancelled: 1, refunded: 1 },
    });
    expect(data.customerKeys).toEqual(['1']);
    expect(data.currency).toBe('USD');
  });
  it('throws CurrencyMismatchError naming the order instead of mixing currencies', () => {
    const orders = [order('1', '2024-01-01', 1000), order('2', '2024-01-02', 1000, { currency: 'EUR', orderId: '#1002' })];
    expect(() => prepareOrders(orders, { asOfMs })).toThrow(CurrencyMismatchError);
    expect(() => prepareOrders(orders, { asOfMs })).toThrow(/order #1 \(orderId "#1002"\)/);
  });
  it('throws invalid-order for a broken record and invalid-time-zone for an unknown zone', () => {
    expect(() => prepareOrders([order('1', '2024-01-01', 10.5)], { asOfMs })).toThrow(CoreError);
    expect(() => prepareOrders([], { asOfMs, timeZone: 'Nowhere/City' })).toThrow(/Unknown IANA time zone/);
  });
  it('keeps "007" and "7" apart and sorts numeric ids numerically, then emails', () => {
    const orders = [
      order('10', '2024-01-01', 1),
      order('007', '2024-01-01', 1),
      order('9', '2024-01-01', 1),
      order('7', '2024-01-01', 1),
      order(null, '2024-01-01', 1, { email: 'a@b.c' }),
    ];
    expect(prepareOrders(orders, { asOfMs }).customerKeys).toEqual(['7', '9', '10', '007', 'a@b.c']);
  });
  it('sorts each customer’s orders by time, also for customers with many orders', () => {
    const orders = Array.from({ length: 60 }, (_, k) => order('1', `2024-01-${String((k % 28) + 1).padStart(2, '0')}`, 100 + k));
    const data = prepareOrders(orders, { asOfMs });
    for (let s = 1; s < 60; s++) {
      const earlier = data.orderAtMs[s - 1]!;
      const later = data.orderAtMs[s]!;
      expect(earlier < later || (earlier === later && data.orderNetMinor[s - 1]! <= data.orderNetMinor[s]!)).toBe(true);
    }
  });
  it('keeps each order’s net and subscription flag with its time when sorting a large group with ties', () => {
    // 40 orders (beyond the insertion-sort limit) on 7 days, with equal nets on a day so the order id decides.
    const orders = Array.from({ length: 40 }, (_, k) =>
      order('1', `2024-03-0${((k * 3) % 7) + 1}`, 100 * (1 + (k % 2)), { orderId: `#${String(k).padStart(3, '0')}`, subscription: k % 3 === 0 }),
    ).reverse();
    const expected = [...orders].sort((p, q) => p.placedAtMs - q.placedAtMs || p.totalMinor - q.totalMinor || (p.orderId < q.orderId ? -1 : 1));
    const data = prepareOrders(orders, { asOfMs });
    expect(Array.from(data.orderAtMs)).toEqual(expected.map((o) => o.placedAtMs));
    expect(Array.from(data.orderNetMinor)).toEqual(expected.map((o) => o.totalMinor));
    expect(Array.from(data.orderSubscription)).toEqual(expected.map((o) => (o.subscription ? 1 : 0)));
  });
  it('moves refunds to their own dates under refund-date attribution', () => {
    const orders = [
      order('1', '2024-01-10', 10_000, { refundedMinor: 3_000, refunds: [{ refundedAtMs: Date.UTC(2024, 2, 5), amountMinor: 2_000 }] }),
      order('1', '2024-02-10', 5_000, { refundedMinor: 1_000, refunds: [{ refundedAtMs: Date.UTC(2025, 0, 5), amountMinor: 1_000 }] }),
    ];
    const byOrder = prepareOrders(orders, { asOfMs });
    expect(Array.from(byOrder.eventAmountMinor)).toEqual([7_000, 4_000]);
    expect(byOrder.customerNetMinor[0]).toBe(11_000);
    const byRefund = prepareOrders(orders, { asOfMs, refundAttribution: 'refund-date' });
    // Jan order: 10,000 less the 1,000 without detail on its own date; the March refund on its date. The Feb order's
    // refund comes after asOf, so at asOf it has not happened.
    expect(Array.from(byRefund.eventAmountMinor)).toEqual([9_000, 5_000, -2_000]);
    expect(byRefund.customerNetMinor[0]).toBe(12_000);
  });
});

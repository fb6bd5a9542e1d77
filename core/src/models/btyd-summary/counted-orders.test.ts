import { describe, expect, it } from 'vitest';
import { CurrencyMismatchError } from '../../errors/core-error.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { toCountedOrders } from './counted-orders.ts';

function record(overrides: Partial<OrderRecord>): OrderRecord {
  return {
    orderId: '1',
    customerId: '42',
    email: null,
    placedAtMs: 1_700_000_000_000,
    currency: 'EUR',
    totalMinor: 5000,
    refundedMinor: 0,
    cancelled: false,
    test: false,
    subscription: false,
    ...overrides,
  };
}

describe('toCountedOrders', () => {
  it('keeps counted orders at net value, keyed by customer id or lower-cased email, and counts the rest by reason', () => {
    const result = toCountedOrders([
      record({ refundedMinor: 1000 }),
      record({ orderId: '2', customerId: null, email: ' Ann@Example.com ' }),
      record({ orderId: '3', test: true }),
      record({ orderId: '4', customerId: null, email: null }),
    ]);
    expect(result.orders).toEqual([
      { customerKey: '42', placedAtMs: 1_700_000_000_000, amountMinor: 4000 },
      { customerKey: 'ann@example.com', placedAtMs: 1_700_000_000_000, amountMinor: 5000 },
    ]);
    expect(result.currency).toBe('EUR');
    expect(result.skipped).toEqual({ notCounted: 1, noCustomer: 1 });
  });

  it('throws CurrencyMismatchError rather than mixing currencies', () => {
    expect(() => toCountedOrders([record({}), record({ orderId: '2', currency: 'USD' })])).toThrow(CurrencyMismatchError);
  });
});

import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.ts';
import { assertOrderRecord, customerKeyOf, isCountedOrder, orderSkipReason, type OrderRecord } from './order.ts';

const base: OrderRecord = {
  orderId: '1001',
  customerId: '42',
  email: 'A@Example.com',
  placedAtMs: 0,
  currency: 'USD',
  totalMinor: 5000,
  refundedMinor: 0,
  cancelled: false,
  test: false,
  subscription: false,
};

describe('orderSkipReason', () => {
  it('counts an order that is not test, not cancelled and has positive net', () => {
    expect(orderSkipReason(base)).toBeNull();
    expect(isCountedOrder(base)).toBe(true);
  });
  it('gives one reason per skipped order, test first', () => {
    expect(orderSkipReason({ ...base, test: true, cancelled: true })).toBe('test');
    expect(orderSkipReason({ ...base, cancelled: true })).toBe('cancelled');
    expect(orderSkipReason({ ...base, refundedMinor: 5000 })).toBe('refunded');
    expect(orderSkipReason({ ...base, refundedMinor: 6000 })).toBe('refunded');
    expect(orderSkipReason({ ...base, refundedMinor: 4999 })).toBeNull();
  });
  it('counts a free order (total 0, nothing refunded) as a purchase worth 0', () => {
    expect(orderSkipReason({ ...base, totalMinor: 0 })).toBeNull();
    expect(orderSkipReason({ ...base, totalMinor: 0, refundedMinor: 1 })).toBe('refunded');
  });
});

describe('customerKeyOf', () => {
  it('uses the customer id, then the lower-cased email, else null', () => {
    expect(customerKeyOf(base)).toBe('42');
    expect(customerKeyOf({ ...base, customerId: null })).toBe('a@example.com');
    expect(customerKeyOf({ ...base, customerId: '', email: '  B@x.org ' })).toBe('b@x.org');
    expect(customerKeyOf({ ...base, customerId: null, email: null })).toBeNull();
    expect(customerKeyOf({ ...base, customerId: null, email: ' ' })).toBeNull();
  });
});

describe('assertOrderRecord', () => {
  it('names the order and field of a broken record', () => {
    expect(() => assertOrderRecord({ ...base, totalMinor: 12.5 }, 3)).toThrow(/order #3 \(orderId "1001"\): totalMinor/);
    expect(() => assertOrderRecord({ ...base, placedAtMs: Number.NaN }, 0)).toThrow(CoreError);
    expect(() => assertOrderRecord({ ...base, refundedMinor: -1 }, 0)).toThrow(/refundedMinor/);
    expect(() => assertOrderRecord(base, 0)).not.toThrow();
  });
});

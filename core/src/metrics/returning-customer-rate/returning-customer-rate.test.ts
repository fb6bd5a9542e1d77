import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import { endOfUtcDay, order } from '../../testing/orders.ts';
import { computeRepeatPurchaseRate } from '../repeat-rate/repeat-rate.ts';
import { computeReturningCustomerRate } from './returning-customer-rate.ts';

describe('computeReturningCustomerRate', () => {
  it("counts a customer whose first order predates the window as returning (Shopify's definition)", () => {
    const orders = [
      order('1', '2023-01-10', 1000), // first order before the window
      order('1', '2024-05-01', 1000),
      order('2', '2024-02-01', 1000),
      order('2', '2024-03-01', 1000),
      order('3', '2024-07-01', 1000),
      order('4', '2024-08-01', 1000),
      order('4', '2025-02-01', 1000), // after asOf: not counted
    ];
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay('2024-12-31') });
    const returning = computeReturningCustomerRate(data, { windowDays: 365 });
    expect(returning).toMatchObject({ returningCustomers: 2, customers: 4, value: 0.5 });
    expect(computeRepeatPurchaseRate(data, { windowDays: 365 }).value).toBe(0.25);
    expect(returning.whyItDiffers).toMatch(/both orders inside the window/);
  });
});

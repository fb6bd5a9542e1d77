import type { PreparedOrders } from '../../dataset/prepare.ts';
import { assertWindowDays } from '../repeat-rate/repeat-rate.ts';

/** Shopify's returning customer rate over a window, for reconciliation with the repeat purchase rate. */
export interface ReturningCustomerRate {
  windowDays: number;
  /** returningCustomers / customers, a fraction in [0, 1]; 0 when no customer ordered in the window. */
  value: number;
  /** Customers in the window whose counted orders ever (up to the window end) number >= 2. */
  returningCustomers: number;
  /** Customers with >= 1 counted order inside the window. */
  customers: number;
  /** One line on why it differs from the repeat purchase rate. */
  whyItDiffers: string;
}

/** The one-line explanation shown beside both rates. */
export const RETURNING_VS_REPEAT_NOTE =
  "Shopify's returning customer rate counts a customer as returning if they have 2+ orders ever, so a first order before the window counts; the repeat purchase rate needs both orders inside the window, so it is lower or equal.";

/**
 * Shopify's "returning customer rate": among customers with >= 1 counted order in the window, the share whose
 * counted orders ever, up to the window end (asOf), number >= 2. Always >= the repeat purchase rate of the same window.
 */
export function computeReturningCustomerRate(data: PreparedOrders, options: { windowDays: number }): ReturningCustomerRate {
  const { windowDays } = options;
  assertWindowDays(windowDays);
  const startDay = data.asOfDay - windowDays + 1;
  let customers = 0;
  let returningCustomers = 0;
  for (let c = 0; c < data.customerKeys.length; c++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    if (data.orderDay[to - 1]! < startDay) continue;
    customers++;
    if (to - from >= 2) returningCustomers++;
  }
  return {
    windowDays,
    value: customers === 0 ? 0 : returningCustomers / customers,
    returningCustomers,
    customers,
    whyItDiffers: RETURNING_VS_REPEAT_NOTE,
  };
}

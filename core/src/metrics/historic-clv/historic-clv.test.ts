import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import { endOfUtcDay, order } from '../../testing/orders.ts';
import { computeHistoricClv } from './historic-clv.ts';

describe('computeHistoricClv', () => {
  it('sums net spend per customer (refunds subtracted, uncounted orders ignored) and averages it', () => {
    const orders = [
      order('1', '2024-01-01', 10_000, { refundedMinor: 2_500 }),
      order('1', '2024-02-01', 5_000),
      order('2', '2024-03-01', 3_000, { cancelled: true }),
      order('2', '2024-03-02', 2_500),
      order('3', '2024-04-01', 1_000, { refundedMinor: 1_000 }), // fully refunded: not counted
      order('4', '2024-04-01', 7_000, { test: true }),
    ];
    const clv = computeHistoricClv(prepareOrders(orders, { asOfMs: endOfUtcDay('2024-12-31') }));
    expect(clv).toEqual({ customers: 2, totalNetMinor: 15_000, meanMinor: 7_500, medianMinor: 7_500, p90Minor: 11_500 });
  });
});

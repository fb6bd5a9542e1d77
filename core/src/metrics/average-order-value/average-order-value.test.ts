import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import { endOfLocalDayMs } from '../../time/calendar.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { computeWindowedClv, computeWindowedClvSeries } from '../windowed-clv/windowed-clv.ts';
import { computeAverageOrderValue, computeAverageOrderValueSeries } from './average-order-value.ts';

const AS_OF = '2024-12-31';

describe('computeAverageOrderValue', () => {
  it('averages the net value of counted orders in the window, guests included', () => {
    const orders = [
      order('1', addDays(AS_OF, -10), 3000, { refundedMinor: 1000 }),
      order(null, addDays(AS_OF, -20), 4000),
      order('2', addDays(AS_OF, -400), 9000), // outside the 365-day window
      order('3', addDays(AS_OF, -5), 5000, { cancelled: true }),
    ];
    expect(computeAverageOrderValue(prepareOrders(orders, { asOfMs: endOfUtcDay(AS_OF) }), { windowDays: 365 })).toEqual({
      windowDays: 365,
      valueMinor: 3000,
      orders: 2,
      netRevenueMinor: 6000,
    });
  });
});

describe('weekly series (property)', () => {
  it('equal the headline metrics recomputed from scratch as of each week end', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            customer: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
            hoursAgo: fc.integer({ min: 0, max: 24 * 150 }),
            net: fc.integer({ min: 1, max: 9000 }),
          }),
          { maxLength: 40 },
        ),
        fc.constantFrom('UTC', 'Europe/Paris'),
        (rows, timeZone) => {
          const asOfMs = endOfUtcDay(AS_OF);
          const orders = rows.map((r) =>
            order(r.customer === null ? null : String(r.customer), new Date(asOfMs - r.hoursAgo * 3_600_000).toISOString(), r.net),
          );
          const data = prepareOrders(orders, { asOfMs, timeZone });
          const aov = computeAverageOrderValueSeries(data, { windowDays: 30, weeks: 12 });
          const clv = computeWindowedClvSeries(data, { lookbackDays: 30, weeks: 12 });
          aov.weekStartMs.forEach((weekStartMs, k) => {
            const weekEndMs = Math.min(endOfLocalDayMs(weekStartMs + 6 * 86_400_000 + 3_600_000, timeZone), asOfMs);
            const then = prepareOrders(orders, { asOfMs: weekEndMs, timeZone });
            const a = computeAverageOrderValue(then, { windowDays: 30 });
            expect(aov.valueMinor[k]).toBe(a.orders === 0 ? null : a.valueMinor);
            const w = computeWindowedClv(then, { lookbackDays: [30] }).windows[0]!;
            expect(clv.valueMinor[k]).toBe(w.activeCustomers === 0 ? null : w.valueMinor);
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import { endOfLocalDayMs } from '../../time/calendar.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { computeChurnTrend, computeInactivityChurn, detectChurnAlert } from './inactivity-churn.ts';

const AS_OF = '2024-12-31';

describe('computeInactivityChurn', () => {
  it('counts customers whose last order is more than N days before asOf', () => {
    const orders = [
      order('1', addDays(AS_OF, -10), 1000),
      order('2', addDays(AS_OF, -30), 1000), // exactly 30 days: not churned at N = 30
      order('3', addDays(AS_OF, -31), 1000),
      order('4', addDays(AS_OF, -200), 1000),
      order('4', addDays(AS_OF, -95), 1000),
    ];
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay(AS_OF) });
    expect(computeInactivityChurn(data, { inactivityDays: 30 })).toMatchObject({ churned: 2, customers: 4, value: 0.5 });
    expect(computeInactivityChurn(data, { inactivityDays: 90 })).toMatchObject({ churned: 1, value: 0.25 });
  });
});

describe('computeChurnTrend', () => {
  it('ends with the value at asOf and counts only customers acquired by each week end', () => {
    const orders = [order('1', '2024-10-01', 1000), order('2', '2024-12-20', 1000)];
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay(AS_OF) });
    const trend = computeChurnTrend(data, { weeks: 16, inactivityDays: [30, 90] });
    const d30 = trend.values[0]!;
    expect(d30[d30.length - 1]).toBe(computeInactivityChurn(data, { inactivityDays: 30 }).value);
    expect(d30[0]).toBeNull(); // before the first customer
    // Week of Monday 2024-11-04 ends Sunday 2024-11-10: customer 1 is 40 days inactive, customer 2 not yet acquired.
    const k = trend.weekStartMs.indexOf(Date.UTC(2024, 10, 4));
    expect(d30[k]).toBe(1);
    expect(trend.values[1]![k]).toBe(0);
  });
});

describe('detectChurnAlert', () => {
  it('alerts when the latest week leaves the baseline band', () => {
    const baseline = [0.2, 0.21, 0.2, 0.19, 0.2, 0.21, 0.2, 0.19];
    expect(detectChurnAlert([...baseline, 0.2])).toMatchObject({ status: 'normal', direction: null });
    expect(detectChurnAlert([...baseline, 0.3])).toMatchObject({ status: 'alert', direction: 'up' });
    expect(detectChurnAlert([...baseline, 0.1])).toMatchObject({ status: 'alert', direction: 'down' });
  });
  it('does not alert on a flat baseline for a change under 2 points, and needs 4 baseline weeks', () => {
    expect(detectChurnAlert([0.2, 0.2, 0.2, 0.2, 0.21]).status).toBe('normal');
    expect(detectChurnAlert([null, 0.2, 0.2, 0.5]).status).toBe('insufficient-data');
  });
});

describe('computeChurnTrend (property)', () => {
  it('equals the churn recomputed from scratch as of each week end, in any time zone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ customer: fc.integer({ min: 1, max: 10 }), hoursAgo: fc.integer({ min: 0, max: 24 * 200 }) }), { maxLength: 50 }),
        fc.constantFrom('UTC', 'America/New_York', 'Australia/Sydney'),
        (rows, timeZone) => {
          const asOfMs = endOfUtcDay(AS_OF);
          const orders = rows.map((r) => order(String(r.customer), new Date(asOfMs - r.hoursAgo * 3_600_000).toISOString(), 100));
          const data = prepareOrders(orders, { asOfMs, timeZone });
          const trend = computeChurnTrend(data, { weeks: 30, inactivityDays: [30, 90] });
          trend.weekStartMs.forEach((weekStartMs, k) => {
            // The end of the week's Sunday (or asOf for the current week), in the shop zone.
            const weekEndMs = Math.min(endOfLocalDayMs(weekStartMs + 6 * 86_400_000 + 3_600_000, timeZone), asOfMs);
            const then = prepareOrders(orders, { asOfMs: weekEndMs, timeZone });
            [30, 90].forEach((n, i) => {
              const expected = then.customerKeys.length === 0 ? null : computeInactivityChurn(then, { inactivityDays: n }).value;
              if (expected === null) expect(trend.values[i]![k]).toBeNull();
              else expect(trend.values[i]![k]).toBeCloseTo(expected, 12);
            });
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});

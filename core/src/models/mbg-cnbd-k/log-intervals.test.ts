import { describe, expect, it } from 'vitest';
import { endOfLocalDateMs } from '../../time/calendar.ts';
import { summarizeOrders } from '../btyd-summary/btyd-summary.ts';
import type { CountedOrder } from '../btyd-summary/btyd-summary.ts';
import { computeLogIntervalSums } from './log-intervals.ts';

const day = (iso: string, hour = 12): number => Date.parse(`${iso}T${String(hour).padStart(2, '0')}:00:00Z`);
const orders: CountedOrder[] = [
  { customerKey: 'a', placedAtMs: day('2024-01-01'), amountMinor: 100 },
  { customerKey: 'a', placedAtMs: day('2024-01-01', 18), amountMinor: 100 },
  { customerKey: 'a', placedAtMs: day('2024-01-08'), amountMinor: 100 },
  { customerKey: 'a', placedAtMs: day('2024-01-29'), amountMinor: 100 },
  { customerKey: 'a', placedAtMs: day('2024-03-01'), amountMinor: 100 },
  { customerKey: 'b', placedAtMs: day('2024-01-15'), amountMinor: 100 },
];
const options = { calibrationEndMs: endOfLocalDateMs('2024-02-01', 'UTC'), timeZone: 'UTC' } as const;

describe('computeLogIntervalSums', () => {
  it("sums ln(gap) over distinct purchase days in the calibration period, in the summaries' time unit", () => {
    const weeks = summarizeOrders(orders, { ...options, timeUnit: 'week' });
    expect(Array.from(computeLogIntervalSums(orders, weeks))).toEqual([Math.log(1) + Math.log(3), 0]);
    const days = summarizeOrders(orders, { ...options, timeUnit: 'day' });
    const litt = computeLogIntervalSums(orders, days);
    expect(litt[0]).toBeCloseTo(Math.log(7) + Math.log(21), 12);
  });

  it('throws when the orders are not the ones the summaries were built from', () => {
    const weeks = summarizeOrders(orders, { ...options, timeUnit: 'week' });
    expect(() => computeLogIntervalSums(orders.slice(1, 3), weeks)).toThrow(/recency/);
  });
});

import { describe, expect, it } from 'vitest';
import { endOfLocalDateMs } from '../../time/calendar.ts';
import { compressSummaries, summarizeOrders } from './btyd-summary.ts';
import type { CountedOrder } from './btyd-summary.ts';

const utc = (date: string, hour = 12): number => Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);

describe('summarizeOrders', () => {
  it('reproduces the CDNOW worked example for customer ID 1 (x = 2, t_x = 213/7, T = 272/7, m = 22.345)', () => {
    const orders: CountedOrder[] = [
      { customerKey: '1', placedAtMs: utc('1997-01-01'), amountMinor: 2933 },
      { customerKey: '1', placedAtMs: utc('1997-01-18'), amountMinor: 2973 },
      { customerKey: '1', placedAtMs: utc('1997-08-02'), amountMinor: 1496 },
      { customerKey: '1', placedAtMs: utc('1997-12-12'), amountMinor: 2648 },
    ];
    const s = summarizeOrders(orders, { calibrationEndMs: endOfLocalDateMs('1997-09-30', 'UTC'), timeZone: 'UTC', timeUnit: 'week' });
    expect(s.frequency[0]).toBe(2);
    expect(s.recency[0]).toBeCloseTo(213 / 7, 12);
    expect(s.age[0]).toBeCloseTo(272 / 7, 12);
    expect(s.monetaryValueMinor[0]).toBe(2234.5);
    expect(s.ordersAfterEnd).toBe(1);
  });

  it('counts several orders on one local day once and sums their value', () => {
    const orders: CountedOrder[] = [
      { customerKey: 'a', placedAtMs: utc('2024-01-01', 9), amountMinor: 100 },
      { customerKey: 'a', placedAtMs: utc('2024-01-05', 8), amountMinor: 300 },
      { customerKey: 'a', placedAtMs: utc('2024-01-05', 20), amountMinor: 500 },
    ];
    const s = summarizeOrders(orders, { calibrationEndMs: endOfLocalDateMs('2024-01-10', 'UTC'), timeZone: 'UTC', timeUnit: 'day' });
    expect([s.frequency[0], s.recencyDays[0], s.ageDays[0], s.monetaryValueMinor[0]]).toEqual([1, 4, 9, 800]);
  });

  it('buckets days in the shop time zone, not in UTC', () => {
    // 23:30 and 00:30 UTC are the same day in New York (18:30 and 19:30).
    const orders: CountedOrder[] = [
      { customerKey: 'a', placedAtMs: Date.parse('2024-03-01T23:30:00Z'), amountMinor: 100 },
      { customerKey: 'a', placedAtMs: Date.parse('2024-03-02T00:30:00Z'), amountMinor: 100 },
    ];
    const end = endOfLocalDateMs('2024-03-10', 'America/New_York');
    expect(summarizeOrders(orders, { calibrationEndMs: end, timeZone: 'America/New_York', timeUnit: 'day' }).frequency[0]).toBe(0);
    expect(summarizeOrders(orders, { calibrationEndMs: end, timeZone: 'UTC', timeUnit: 'day' }).frequency[0]).toBe(1);
  });

  it('counts holdout purchase days and leaves out customers first seen after the calibration end', () => {
    const orders: CountedOrder[] = [
      { customerKey: 'a', placedAtMs: utc('2024-01-01'), amountMinor: 100 },
      { customerKey: 'a', placedAtMs: utc('2024-02-01', 1), amountMinor: 100 },
      { customerKey: 'a', placedAtMs: utc('2024-02-01', 2), amountMinor: 50 },
      { customerKey: 'a', placedAtMs: utc('2024-02-03'), amountMinor: 100 },
      { customerKey: 'b', placedAtMs: utc('2024-02-02'), amountMinor: 100 },
    ];
    const s = summarizeOrders(orders, {
      calibrationEndMs: endOfLocalDateMs('2024-01-31', 'UTC'),
      holdoutEndMs: endOfLocalDateMs('2024-03-01', 'UTC'),
      timeZone: 'UTC',
      timeUnit: 'day',
    });
    expect(s.customerKeys).toEqual(['a']);
    expect(s.customersFirstSeenLater).toBe(1);
    expect(s.holdout?.frequency[0]).toBe(2);
    expect(s.holdout?.valueMinor[0]).toBe(250);
    expect(s.holdout?.duration).toBe(30);
  });

  it('leaves out a customer whose only calibration-day order comes after a mid-day calibration end', () => {
    const s = summarizeOrders(
      [
        { customerKey: 'a', placedAtMs: utc('2024-01-01', 8), amountMinor: 100 },
        { customerKey: 'b', placedAtMs: utc('2024-01-10', 18), amountMinor: 100 },
      ],
      { calibrationEndMs: utc('2024-01-10', 12), holdoutEndMs: utc('2024-01-20'), timeZone: 'UTC', timeUnit: 'day' },
    );
    expect(s.customerKeys).toEqual(['a']);
    expect(s.customersFirstSeenLater).toBe(1);
  });

  it('rejects a fractional amount, naming the order index', () => {
    expect(() => summarizeOrders([{ customerKey: 'a', placedAtMs: 0, amountMinor: 1.5 }], { calibrationEndMs: 1, timeZone: 'UTC', timeUnit: 'day' })).toThrow(
      /index 0: amountMinor 1.5/,
    );
  });
});

describe('compressSummaries', () => {
  it('maps identical (x, t_x, T) customers to one weighted row', () => {
    const orders: CountedOrder[] = ['a', 'b', 'c'].flatMap((key, i) => [
      { customerKey: key, placedAtMs: utc('2024-01-01'), amountMinor: 100 + i },
      ...(key === 'c' ? [] : [{ customerKey: key, placedAtMs: utc('2024-01-03'), amountMinor: 100 }]),
    ]);
    const s = summarizeOrders(orders, { calibrationEndMs: endOfLocalDateMs('2024-01-10', 'UTC'), timeZone: 'UTC', timeUnit: 'week' });
    const c = compressSummaries(s);
    expect(Array.from(c.weight)).toEqual([2, 1]);
    expect(Array.from(c.rowOfCustomer)).toEqual([0, 0, 1]);
    expect(c.recency[0]).toBeCloseTo(2 / 7, 12);
  });
});

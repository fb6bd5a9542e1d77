import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.ts';
import {
  civilFromDayNumber,
  dayNumberFromCivil,
  endOfLocalDateMs,
  endOfLocalDayMs,
  formatLocalDate,
  isoWeekStartMs,
  localDayNumber,
  localDayStartMs,
  monthStartMs,
  parseLocalDate,
} from './calendar.ts';
import { DAY_MS, isValidTimeZone, timeZoneOffsetMs } from './zone-offsets.ts';

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Apia', 'America/Sao_Paulo'];

// Reference implementation: one Intl call per instant (slow, obviously right).
function intlLocalDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}
function intlOffset(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const floored = ms - (((ms % 1000) + 1000) % 1000);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - floored;
}

describe('timeZoneOffsetMs', () => {
  it('matches a per-call Intl computation at random instants, including across DST changes', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom(...ZONES), (ms, zone) => {
        expect(timeZoneOffsetMs(ms, zone)).toBe(intlOffset(ms, zone));
      }),
      { numRuns: 400 },
    );
  });
  it('switches at the exact second of a DST transition', () => {
    const change = Date.UTC(2024, 2, 31, 1, 0, 0); // Europe/Paris springs forward at 01:00 UTC
    expect(timeZoneOffsetMs(change - 1, 'Europe/Paris')).toBe(3_600_000);
    expect(timeZoneOffsetMs(change, 'Europe/Paris')).toBe(7_200_000);
  });
  it('rejects unknown zones with invalid-time-zone', () => {
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(() => timeZoneOffsetMs(0, 'Mars/Olympus')).toThrow(CoreError);
  });
});

describe('localDayNumber', () => {
  it('agrees with Intl on the local calendar date', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom(...ZONES), (ms, zone) => {
        expect(formatLocalDate(ms, zone)).toBe(intlLocalDate(ms, zone));
      }),
      { numRuns: 400 },
    );
  });
});

describe('localDayStartMs', () => {
  it('returns the first instant of the local day', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom(...ZONES), (ms, zone) => {
        const day = localDayNumber(ms, zone);
        const start = localDayStartMs(day, zone);
        expect(start).toBeLessThanOrEqual(ms);
        expect(localDayNumber(start, zone)).toBe(day);
        expect(localDayNumber(start - 1, zone)).toBe(day - 1);
      }),
      { numRuns: 300 },
    );
  });
  it('handles a day that skips midnight (America/Sao_Paulo, 2018-11-04 starts at 01:00)', () => {
    const day = dayNumberFromCivil(2018, 11, 4);
    expect(localDayStartMs(day, 'America/Sao_Paulo')).toBe(Date.UTC(2018, 10, 4, 3, 0, 0));
  });
  it('handles a 25-hour day (America/New_York, 2024-11-03)', () => {
    const ms = Date.UTC(2024, 10, 3, 12);
    expect(endOfLocalDayMs(ms, 'America/New_York') + 1 - localDayStartMs(localDayNumber(ms, 'America/New_York'), 'America/New_York')).toBe(25 * 3_600_000);
  });
});

describe('isoWeekStartMs', () => {
  it('returns Monday 00:00 local', () => {
    // Sunday 2024-03-31 23:30 in Paris belongs to the week of Monday 2024-03-25.
    const ms = Date.UTC(2024, 2, 31, 21, 30);
    expect(isoWeekStartMs(ms, 'Europe/Paris')).toBe(Date.UTC(2024, 2, 24, 23, 0));
    expect(isoWeekStartMs(Date.UTC(2024, 0, 1, 5), 'UTC')).toBe(Date.UTC(2024, 0, 1));
    expect(isoWeekStartMs(Date.UTC(2024, 0, 7, 23), 'UTC')).toBe(Date.UTC(2024, 0, 1));
  });
});

describe('monthStartMs', () => {
  it('returns the first instant of the local month', () => {
    expect(monthStartMs(Date.UTC(2024, 1, 29, 23, 30), 'Asia/Kolkata')).toBe(Date.UTC(2024, 1, 29, 18, 30));
    expect(monthStartMs(Date.UTC(2024, 2, 15), 'America/New_York')).toBe(Date.UTC(2024, 2, 1, 5));
  });
});

describe('civilFromDayNumber', () => {
  it('inverts dayNumberFromCivil and matches Date.UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50_000, max: 100_000 }), (day) => {
        const { year, month, day: dom } = civilFromDayNumber(day);
        expect(dayNumberFromCivil(year, month, dom)).toBe(day);
        const d = new Date(day * DAY_MS);
        expect([d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]).toEqual([year, month, dom]);
      }),
    );
  });
});

describe('endOfLocalDateMs', () => {
  it('gives the last millisecond of that local date', () => {
    expect(endOfLocalDateMs('2024-03-31', 'UTC')).toBe(Date.UTC(2024, 2, 31, 23, 59, 59, 999));
    expect(endOfLocalDateMs('2024-03-31', 'Europe/Paris')).toBe(Date.UTC(2024, 2, 31, 21, 59, 59, 999));
  });
  it('rejects impossible dates', () => {
    expect(parseLocalDate('2023-02-29')).toEqual({ ok: false, reason: 'no-such-date' });
    expect(parseLocalDate('2024-2-1')).toEqual({ ok: false, reason: 'malformed' });
    expect(() => endOfLocalDateMs('2023-13-01', 'UTC')).toThrow(CoreError);
  });
});

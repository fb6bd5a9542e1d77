import { CoreError, CoreErrorCode } from '../errors/core-error.ts';
import type { Result } from '../result.ts';
import { DAY_MS, timeZoneOffsetMs } from './zone-offsets.ts';

/**
 * Calendar periods in a shop's IANA time zone. A "day number" is the count of local calendar days since 1970-01-01
 * (so day 0 is 1970-01-01 in that zone, whatever its UTC instant); it is the cheap integer every metric works in.
 * Instants are UTC epoch ms.
 */

/** Local calendar day number of the instant `ms` in `timeZone` (days since 1970-01-01, local). */
export function localDayNumber(ms: number, timeZone: string): number {
  return Math.floor((ms + timeZoneOffsetMs(ms, timeZone)) / DAY_MS);
}

/**
 * UTC ms of the first instant of local day `dayNumber` in `timeZone` (local midnight, or the end of a DST gap when a
 * zone skips midnight).
 */
export function localDayStartMs(dayNumber: number, timeZone: string): number {
  const wall = dayNumber * DAY_MS;
  const guess = wall - timeZoneOffsetMs(wall, timeZone);
  const candidateA = wall - timeZoneOffsetMs(guess, timeZone);
  const candidateB = guess;
  let best = Number.POSITIVE_INFINITY;
  for (const candidate of [candidateA, candidateB]) {
    if (candidate < best && localDayNumber(candidate, timeZone) === dayNumber && localMsOfDay(candidate, timeZone) === 0) {
      best = candidate;
    }
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  // Midnight does not exist (DST gap at 00:00): the day starts at the transition. Search the instants between.
  let lo = Math.min(candidateA, candidateB) - DAY_MS / 12;
  let hi = Math.max(candidateA, candidateB) + DAY_MS / 12;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDayNumber(mid, timeZone) >= dayNumber) hi = mid;
    else lo = mid;
  }
  return hi;
}

function localMsOfDay(ms: number, timeZone: string): number {
  const wall = ms + timeZoneOffsetMs(ms, timeZone);
  return wall - Math.floor(wall / DAY_MS) * DAY_MS;
}

/** UTC ms of the start of the local day containing `ms`. */
export function startOfLocalDayMs(ms: number, timeZone: string): number {
  return localDayStartMs(localDayNumber(ms, timeZone), timeZone);
}

/** UTC ms of the last millisecond of the local day containing `ms` (what `--as-of YYYY-MM-DD` means). */
export function endOfLocalDayMs(ms: number, timeZone: string): number {
  return localDayStartMs(localDayNumber(ms, timeZone) + 1, timeZone) - 1;
}

/** Day number of the Monday starting the ISO week that contains local day `dayNumber`. */
export function isoWeekStartDay(dayNumber: number): number {
  // 1970-01-01 was a Thursday: with Monday = 0 it is weekday 3.
  return dayNumber - ((((dayNumber + 3) % 7) + 7) % 7);
}

/** UTC ms of the start (Monday 00:00 local) of the ISO week containing `ms`. */
export function isoWeekStartMs(ms: number, timeZone: string): number {
  return localDayStartMs(isoWeekStartDay(localDayNumber(ms, timeZone)), timeZone);
}

/** A calendar date: month 1-12, day 1-31. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Calendar date of a day number (proleptic Gregorian; H. Hinnant's `civil_from_days`). */
export function civilFromDayNumber(dayNumber: number): CivilDate {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Day number of a calendar date (month 1-12). */
export function dayNumberFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Month index `year * 12 + (month - 1)` of local day `dayNumber`: consecutive months differ by 1. */
export function monthIndexOfDay(dayNumber: number): number {
  const { year, month } = civilFromDayNumber(dayNumber);
  return year * 12 + month - 1;
}

/** Day number of the first day of month index `monthIndex` (see {@link monthIndexOfDay}). */
export function monthStartDay(monthIndex: number): number {
  const year = Math.floor(monthIndex / 12);
  return dayNumberFromCivil(year, monthIndex - year * 12 + 1, 1);
}

/** UTC ms of the start of the local calendar month containing `ms`. */
export function monthStartMs(ms: number, timeZone: string): number {
  return localDayStartMs(monthStartDay(monthIndexOfDay(localDayNumber(ms, timeZone))), timeZone);
}

/** `YYYY-MM` of a month index. */
export function formatMonthIndex(monthIndex: number): string {
  const year = Math.floor(monthIndex / 12);
  return `${String(year).padStart(4, '0')}-${String(monthIndex - year * 12 + 1).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` of a day number. */
export function formatDayNumber(dayNumber: number): string {
  const { year, month, day } = civilFromDayNumber(dayNumber);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` of the local date of `ms` in `timeZone`. */
export function formatLocalDate(ms: number, timeZone: string): string {
  return formatDayNumber(localDayNumber(ms, timeZone));
}

/** Why a calendar string was rejected. */
export const ParseDateReason = { malformed: 'malformed', noSuchDate: 'no-such-date' } as const;
export type ParseDateReason = (typeof ParseDateReason)[keyof typeof ParseDateReason];

/** Parses `YYYY-MM-DD` to a day number; rejects impossible dates such as 2023-02-29. */
export function parseLocalDate(text: string): Result<number, ParseDateReason> {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (match === null) return { ok: false, reason: ParseDateReason.malformed };
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const dayNumber = dayNumberFromCivil(year, month, day);
  const back = civilFromDayNumber(dayNumber);
  if (month < 1 || month > 12 || back.year !== year || back.month !== month || back.day !== day) {
    return { ok: false, reason: ParseDateReason.noSuchDate };
  }
  return { ok: true, value: dayNumber };
}

/** Parses `YYYY-MM` to a month index; `null` when malformed. */
export function parseMonth(text: string): number | null {
  const match = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (match === null) return null;
  const month = Number(match[2]);
  if (month < 1 || month > 12) return null;
  return Number(match[1]) * 12 + month - 1;
}

/**
 * UTC ms of the last millisecond of local date `YYYY-MM-DD` in `timeZone`: the `asOfMs` for "as of that day".
 * Throws `CoreError('invalid-argument')` for a malformed or impossible date.
 * @example endOfLocalDateMs('2024-03-31', 'UTC') // Date.UTC(2024, 2, 31, 23, 59, 59, 999)
 */
export function endOfLocalDateMs(date: string, timeZone: string): number {
  const parsed = parseLocalDate(date);
  if (!parsed.ok) {
    throw new CoreError(CoreErrorCode.invalidArgument, `Date ${JSON.stringify(date)} is ${parsed.reason}: expected YYYY-MM-DD.`);
  }
  return localDayStartMs(parsed.value + 1, timeZone) - 1;
}

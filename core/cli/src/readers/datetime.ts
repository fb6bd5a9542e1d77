import { dayNumberFromCivil, DAY_MS, localDayStartMs, timeZoneOffsetMs } from '@clvlens/core';

// YYYY-MM-DD, optionally followed by a time (T or space) and an offset (Z, ±HH, ±HHMM, ±HH:MM), as in Shopify's
// export (`2025-10-02 17:09:34 -0300`) and ISO 8601 (`2025-10-02T17:09:34.123Z`).
const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses a date or datetime to UTC epoch ms, or returns null when the text is not one (callers turn null into an
 * error naming file, line and column). A date alone means the start of that day in `timeZone`; a time without an
 * offset is wall-clock time in `timeZone`; an explicit offset wins over `timeZone`.
 */
export function parseDateTimeMs(text: string, timeZone: string): number | null {
  const match = DATETIME_RE.exec(text.trim());
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const dayNumber = dayNumberFromCivil(year, month, day);
  if (match[4] === undefined) return localDayStartMs(dayNumber, timeZone);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000);
  const wallMs = dayNumber * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  const offset = match[8];
  if (offset === undefined) {
    // Wall time in the shop zone: correct the first guess once so instants near a DST change land right.
    const guess = wallMs - timeZoneOffsetMs(wallMs, timeZone);
    return wallMs - timeZoneOffsetMs(guess, timeZone);
  }
  if (offset === 'Z' || offset === 'z') return wallMs;
  const digits = offset.slice(1).replace(':', '');
  const offsetHours = Number(digits.slice(0, 2));
  const offsetMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (offsetHours > 18 || offsetMinutes > 59) return null;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (offset.startsWith('-') ? -1 : 1);
  return wallMs - offsetMs;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

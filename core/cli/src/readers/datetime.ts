import { dayNumberFromCivil, DAY_MS, localDayStartMs, timeZoneOffsetMs } from '@clvlens/core/basics';

// YYYY-MM-DD, optionally followed by a time (T or space) and an offset (Z, ±HH, ±HHMM, ±HH:MM), as in Shopify's
// export (`2025-10-02 17:09:34 -0300`) and ISO 8601 (`2025-10-02T17:09:34.123Z`).
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses a date or datetime to UTC epoch ms, or returns null when the text is not one (callers turn null into an
 * error naming file, line and column). A date alone means the start of that day in `timeZone`; a time without an
 * offset is wall-clock time in `timeZone`; an explicit offset wins over `timeZone`.
 */
export function parseDateTimeMs(text: string, timeZone: string): number | null {
  if (text.length === 25) {
    const fast = parseShopifyExportDateTime(text);
    if (fast !== undefined) return fast;
  }
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

function digit(text: string, at: number): number {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : Number.NaN;
}

function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) value = value * 10 + digit(text, at + i);
  return value;
}

/**
 * Fast path for exactly `YYYY-MM-DD HH:MM:SS ±HHMM` (every row of a Shopify export; a million-order file has a
 * million of them): the same result as the regular expression, without it. `undefined` = not this shape, try the
 * general parser; `null` = this shape but not a real instant.
 */
function parseShopifyExportDateTime(text: string): number | null | undefined {
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':' || text[19] !== ' ') return undefined;
  const sign = text[20];
  if (sign !== '+' && sign !== '-') return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const offsetHours = digits(text, 21, 2);
  const offsetMinutes = digits(text, 23, 2);
  // NaN from a non-digit makes every comparison false, so the general parser decides.
  if (!(year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0 && offsetHours >= 0 && offsetMinutes >= 0)) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 18 || offsetMinutes > 59) return null;
  const wallMs = dayNumberFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (sign === '-' ? -1 : 1);
  return wallMs - offsetMs;
}

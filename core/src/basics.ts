// `@clvlens/core/basics`: money and calendar helpers alone, each also exported by the main entry. The CLI's readers
// and command lines import these: a worker thread reading half of a large export then starts in a few milliseconds instead of loading
// all of core (its metrics and models, about 0.3 s on the benchmark machine), and reads more of the file.
export { currencyExponent, parseMinorUnits } from './money/money.ts';
export { DAY_MS, isValidTimeZone, timeZoneOffsetMs } from './time/zone-offsets.ts';
export { dayNumberFromCivil, endOfLocalDateMs, endOfLocalDayMs, formatLocalDate, localDayStartMs, parseLocalDate } from './time/calendar.ts';

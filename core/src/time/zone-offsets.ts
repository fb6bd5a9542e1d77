import { CoreError, CoreErrorCode } from '../errors/core-error.ts';

/** One day in milliseconds (a UTC day; local days can be 23 or 25 hours long around DST changes). */
export const DAY_MS = 86_400_000;

const CHUNK_SHIFT = 8;
const CHUNK_DAYS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_DAYS - 1;

/**
 * UTC offsets of one zone, per UTC day, computed lazily in chunks of 256 days. Each day stores the offset at its start
 * and, when the zone changes offset during that day, the transition instant and the offset after it. A lookup is then
 * two array reads, so a million orders cost no Intl calls beyond ~257 per 256 days of history.
 * Assumes at most one offset change per UTC day, which holds for every zone in the tz database since 1900.
 */
class ZoneOffsets {
  readonly #format: Intl.DateTimeFormat;
  readonly #chunks = new Map<number, { start: Int32Array; transitionAtMs: Float64Array; after: Int32Array }>();
  #lastChunkIndex = Number.NaN;
  #lastChunk: { start: Int32Array; transitionAtMs: Float64Array; after: Int32Array } | undefined;

  constructor(timeZone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offset (local wall time minus UTC) in ms at the UTC instant `ms`. */
  offsetAt(ms: number): number {
    const day = Math.floor(ms / DAY_MS);
    const chunkIndex = day >> CHUNK_SHIFT;
    let chunk = this.#lastChunk;
    if (chunkIndex !== this.#lastChunkIndex || chunk === undefined) {
      chunk = this.#chunks.get(chunkIndex);
      if (chunk === undefined) {
        chunk = this.#buildChunk(chunkIndex);
        this.#chunks.set(chunkIndex, chunk);
      }
      this.#lastChunk = chunk;
      this.#lastChunkIndex = chunkIndex;
    }
    const i = day & CHUNK_MASK;
    const transition = chunk.transitionAtMs[i]!;
    return transition === transition && ms >= transition ? chunk.after[i]! : chunk.start[i]!;
  }

  /** Local day numbers of many instants, in one loop (no per-instant call boundary). */
  localDays(msList: Float64Array): Int32Array {
    const out = new Int32Array(msList.length);
    for (let i = 0; i < msList.length; i++) {
      const ms = msList[i]!;
      out[i] = Math.floor((ms + this.offsetAt(ms)) / DAY_MS);
    }
    return out;
  }

  #intlOffset(ms: number): number {
    const wholeSecondMs = ms - (((ms % 1000) + 1000) % 1000);
    let year = 0;
    let month = 0;
    let dayOfMonth = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.#format.formatToParts(wholeSecondMs)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          dayOfMonth = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        default:
          break;
      }
    }
    const wall = Date.UTC(year, month - 1, dayOfMonth, hour, minute, second);
    // Date.UTC maps years 0-99 to 1900-1999; no shop has orders then, but keep the maths honest.
    const fixedWall = year >= 0 && year < 100 ? new Date(wall).setUTCFullYear(year) : wall;
    return fixedWall - wholeSecondMs;
  }

  #buildChunk(chunkIndex: number) {
    const firstDay = chunkIndex * CHUNK_DAYS;
    const starts = new Int32Array(CHUNK_DAYS + 1);
    for (let i = 0; i <= CHUNK_DAYS; i++) starts[i] = this.#intlOffset((firstDay + i) * DAY_MS);
    const start = starts.subarray(0, CHUNK_DAYS).slice();
    const transitionAtMs = new Float64Array(CHUNK_DAYS).fill(Number.NaN);
    const after = start.slice();
    for (let i = 0; i < CHUNK_DAYS; i++) {
      const next = starts[i + 1]!;
      if (next === start[i]) continue;
      // Binary search, in whole seconds, for the first instant of the day carrying the next day's offset.
      let lo = (firstDay + i) * DAY_MS;
      let hi = lo + DAY_MS;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (this.#intlOffset(mid) === next) hi = mid;
        else lo = mid;
      }
      transitionAtMs[i] = hi;
      after[i] = next;
    }
    return { start, transitionAtMs, after };
  }
}

const zones = new Map<string, ZoneOffsets | null>();

function isUtcName(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC' || timeZone === 'Etc/GMT' || timeZone === 'GMT';
}

function zoneOffsets(timeZone: string): ZoneOffsets | null {
  let zone = zones.get(timeZone);
  if (zone === undefined) {
    if (isUtcName(timeZone)) {
      zone = null;
    } else {
      try {
        zone = new ZoneOffsets(timeZone);
      } catch (error) {
        throw new CoreError(
          CoreErrorCode.invalidTimeZone,
          `Unknown IANA time zone ${JSON.stringify(timeZone)}: use a name like "Europe/Paris" or "UTC" (the shop's ianaTimezone).`,
          { cause: error },
        );
      }
    }
    zones.set(timeZone, zone);
  }
  return zone;
}

/** True when `timeZone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    zoneOffsets(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Throws `CoreError('invalid-time-zone')` for an unknown zone name. */
export function assertTimeZone(timeZone: string): void {
  zoneOffsets(timeZone);
}

/**
 * Offset of `timeZone` from UTC at the instant `ms`, in ms (local wall time = `ms + offset`). Cached per zone and UTC
 * day, so calling it once per order is cheap.
 * @example timeZoneOffsetMs(Date.UTC(2024, 0, 1), 'Europe/Paris') // 3_600_000
 */
export function timeZoneOffsetMs(ms: number, timeZone: string): number {
  const zone = zoneOffsets(timeZone);
  return zone === null ? 0 : zone.offsetAt(ms);
}

/**
 * A fast `ms -> local day number` function for one zone, for hot loops over many orders (skips the zone-name lookup
 * that {@link timeZoneOffsetMs} does per call). Internal to core.
 */
export function localDayFunction(timeZone: string): (ms: number) => number {
  const zone = zoneOffsets(timeZone);
  if (zone === null) return (ms) => Math.floor(ms / DAY_MS);
  return (ms) => Math.floor((ms + zone.offsetAt(ms)) / DAY_MS);
}

/** Local day numbers of many UTC instants in `timeZone` (see localDayNumber), for hot paths. Internal to core. */
export function localDayNumbers(msList: Float64Array, timeZone: string): Int32Array {
  const zone = zoneOffsets(timeZone);
  if (zone !== null) return zone.localDays(msList);
  const out = new Int32Array(msList.length);
  for (let i = 0; i < msList.length; i++) out[i] = Math.floor(msList[i]! / DAY_MS);
  return out;
}

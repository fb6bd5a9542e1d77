/**
 * When people shop: a per-local-day intensity (weekday, month, Valentine's, Black Friday / Cyber Monday, December
 * peak, Christmas dip, slow January) and an hour-of-day profile in the shop's time zone. Acquisition of new buyers
 * also follows a growth trend. Both profiles are normalized to mean 1 over the history, so a purchase rate λ per day
 * keeps its meaning on average.
 */
import { civilFromDayNumber, DAY_MS, localDayNumber, localDayStartMs } from '@clvlens/core';
import type { Random } from './random.ts';
import { blackFridayDay } from './locale.ts';

/** Monday first (ISO). Online stores peak early in the week and dip on Saturday. */
const WEEKDAY = [1.08, 1.04, 1.0, 0.98, 0.94, 0.84, 1.06];
/** January to December. */
const MONTH = [0.82, 0.86, 0.95, 0.95, 1.0, 0.93, 0.9, 0.95, 1.0, 1.04, 1.12, 1.3];
/** Local hours 0..23: quiet nights, lunch bump, evening peak. */
const HOUR = [0.35, 0.2, 0.12, 0.08, 0.07, 0.1, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0, 1.08, 1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.3, 1.42, 1.35, 1.05, 0.65];
const HOUR_MEAN = HOUR.reduce((a, b) => a + b, 0) / 24;
/** Hour weights normalized to mean 1 and their maximum: the thinning bound. */
const HOUR_FACTOR = HOUR.map((h) => h / HOUR_MEAN);
const HOUR_MAX = Math.max(...HOUR_FACTOR);
const HOUR_CUMULATIVE = (() => {
  const c = new Float64Array(24);
  let s = 0;
  HOUR.forEach((h, i) => {
    s += h;
    c[i] = s;
  });
  return c;
})();

/** The seasonal multiplier of one local day (days since 1970-01-01, local), before normalization. */
export function seasonalWeight(dayNumber: number): number {
  const { year, month, day } = civilFromDayNumber(dayNumber);
  const weekday = (((dayNumber + 3) % 7) + 7) % 7;
  let w = WEEKDAY[weekday]! * MONTH[month - 1]!;
  const bf = blackFridayDay(year);
  const fromBf = dayNumber - bf;
  if (fromBf === 0) w *= 3.6;
  else if (fromBf === 1) w *= 2.3;
  else if (fromBf === 2) w *= 2.0;
  else if (fromBf === 3)
    w *= 2.9; // Cyber Monday
  else if (fromBf >= -4 && fromBf < 0) w *= 1.3;
  else if (fromBf > 3 && fromBf <= 7) w *= 1.2;
  if (month === 12) {
    if (day <= 18) w *= 1.25;
    else if (day === 24) w *= 0.6;
    else if (day === 25) w *= 0.4;
    else if (day === 26) w *= 1.15;
  }
  if (month === 2 && day >= 1 && day <= 13) w *= 1.15;
  return w;
}

/** The shop's history as local days: start instants, seasonal factors and acquisition weights. */
export interface ShopCalendar {
  timeZone: string;
  startMs: number;
  endMs: number;
  /** Local day number of `dayStartMs[0]`. */
  firstDayNumber: number;
  /** UTC ms of each local day start; one extra entry closes the last day. */
  dayStartMs: Float64Array;
  /** Seasonal factor per day, mean 1 over the history. */
  dayFactor: Float64Array;
  /** Max of `dayFactor`. */
  maxDayFactor: number;
  /** Cumulative acquisition weights per day (seasonality × growth trend × share of the day inside the history). */
  acquisitionCumulative: Float64Array;
}

/**
 * Builds the calendar of [startMs, endMs) in `timeZone`. `growthPerYear` is the yearly growth of new-buyer
 * acquisitions (0.35 = 35% more new buyers per day a year later).
 */
export function buildCalendar(startMs: number, endMs: number, timeZone: string, growthPerYear: number): ShopCalendar {
  const firstDayNumber = localDayNumber(startMs, timeZone);
  const lastDayNumber = localDayNumber(endMs - 1, timeZone);
  const days = lastDayNumber - firstDayNumber + 1;
  const dayStartMs = new Float64Array(days + 1);
  for (let i = 0; i <= days; i++) dayStartMs[i] = localDayStartMs(firstDayNumber + i, timeZone);
  const raw = new Float64Array(days);
  let sum = 0;
  for (let i = 0; i < days; i++) {
    raw[i] = seasonalWeight(firstDayNumber + i);
    sum += raw[i]!;
  }
  const mean = sum / days;
  const dayFactor = new Float64Array(days);
  let maxDayFactor = 0;
  const acquisitionCumulative = new Float64Array(days);
  let acc = 0;
  for (let i = 0; i < days; i++) {
    const f = raw[i]! / mean;
    dayFactor[i] = f;
    if (f > maxDayFactor) maxDayFactor = f;
    const lo = Math.max(startMs, dayStartMs[i]!);
    const hi = Math.min(endMs, dayStartMs[i + 1]!);
    const inside = Math.max(0, hi - lo) / (dayStartMs[i + 1]! - dayStartMs[i]!);
    acc += f * inside * Math.pow(1 + growthPerYear, i / 365.25);
    acquisitionCumulative[i] = acc;
  }
  return { timeZone, startMs, endMs, firstDayNumber, dayStartMs, dayFactor, maxDayFactor, acquisitionCumulative };
}

/** Index of the local day containing `ms` (clamped to the history). */
export function dayIndexOf(cal: ShopCalendar, ms: number): number {
  const n = cal.dayFactor.length;
  let i = Math.floor((ms - cal.dayStartMs[0]!) / DAY_MS);
  if (i < 0) i = 0;
  if (i >= n) i = n - 1;
  while (i > 0 && ms < cal.dayStartMs[i]!) i--;
  while (i < n - 1 && ms >= cal.dayStartMs[i + 1]!) i++;
  return i;
}

/** Combined day × hour factor at `ms` (mean about 1): the intensity multiplier of repeat purchases. */
export function intensityAt(cal: ShopCalendar, ms: number): number {
  const i = dayIndexOf(cal, ms);
  const start = cal.dayStartMs[i]!;
  const len = cal.dayStartMs[i + 1]! - start;
  const hour = Math.min(23, Math.max(0, Math.floor(((ms - start) / len) * 24)));
  return cal.dayFactor[i]! * HOUR_FACTOR[hour]!;
}

/** Upper bound of {@link intensityAt}, for thinning. */
export function maxIntensity(cal: ShopCalendar): number {
  return cal.maxDayFactor * HOUR_MAX;
}

/** A time in local day `dayIndex`, hour drawn from the daily profile, whole seconds. */
export function timeInDay(cal: ShopCalendar, dayIndex: number, rng: Random): number {
  const start = cal.dayStartMs[dayIndex]!;
  const len = cal.dayStartMs[dayIndex + 1]! - start;
  const hour = rng.weightedIndex(HOUR_CUMULATIVE);
  const ms = start + ((hour + rng.next()) / 24) * len;
  return Math.floor(ms / 1000) * 1000;
}

/** A first-purchase time inside [startMs, endMs), following seasonality, growth and the hour profile. */
export function sampleAcquisitionMs(cal: ShopCalendar, rng: Random): number {
  for (;;) {
    const day = rng.weightedIndex(cal.acquisitionCumulative);
    const ms = timeInDay(cal, day, rng);
    if (ms >= cal.startMs && ms < cal.endMs) return ms;
  }
}

/** A uniformly random whole-second instant inside [fromMs, toMs) that follows the hour profile. */
export function sampleTimeBetween(cal: ShopCalendar, fromMs: number, toMs: number, rng: Random): number {
  const first = dayIndexOf(cal, fromMs);
  const last = dayIndexOf(cal, Math.max(fromMs, toMs - 1));
  for (let attempt = 0; attempt < 64; attempt++) {
    const ms = timeInDay(cal, first + rng.int(last - first + 1), rng);
    if (ms >= fromMs && ms < toMs) return ms;
  }
  return Math.floor(fromMs / 1000) * 1000 + 1000 < toMs ? Math.floor(fromMs / 1000) * 1000 + 1000 : fromMs;
}

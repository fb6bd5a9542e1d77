import { isoWeekStartDay, localDayStartMs } from '../time/calendar.ts';

/**
 * The x axis of every weekly series: ISO weeks (Monday start, shop time zone) up to the one containing asOf. Each
 * point is measured at the end of its week (Sunday), except the current week, measured at asOf's day.
 */
export interface WeeklyPoints {
  /** UTC ms of each week's Monday 00:00 local, ascending (uPlot x values; set `ms: 1` or divide by 1000). */
  weekStartMs: number[];
  /** Local day number at which each point is measured. */
  endDay: Int32Array;
}

/** `weeks` points ending with the week that contains `asOfDay`. */
export function weeklyPoints(asOfDay: number, weeks: number, timeZone: string): WeeklyPoints {
  const lastMonday = isoWeekStartDay(asOfDay);
  const weekStartMs: number[] = [];
  const endDay = new Int32Array(weeks);
  for (let k = 0; k < weeks; k++) {
    const monday = lastMonday - 7 * (weeks - 1 - k);
    weekStartMs.push(localDayStartMs(monday, timeZone));
    endDay[k] = Math.min(monday + 6, asOfDay);
  }
  return { weekStartMs, endDay };
}

/**
 * Counts, for each point, how many day intervals contain its end day. Intervals are inclusive `[fromDay, toDay]`;
 * each customer's intervals must be merged first (see {@link IntervalUnion}) so a customer counts once per point.
 */
export class PointCounter {
  readonly #endDay: Int32Array;
  readonly #diff: Int32Array;
  readonly #table: Int32Array;
  readonly #first: number;

  constructor(endDay: Int32Array) {
    this.#endDay = endDay;
    this.#diff = new Int32Array(endDay.length + 1);
    this.#first = endDay[0] ?? 0;
    const last = endDay[endDay.length - 1] ?? 0;
    // table[d - first] = index of the first point whose end day >= d.
    this.#table = new Int32Array(Math.max(0, last - this.#first + 1));
    let k = 0;
    for (let d = this.#first; d <= last; d++) {
      while (endDay[k]! < d) k++;
      this.#table[d - this.#first] = k;
    }
  }

  #firstAtOrAfter(day: number): number {
    if (day <= this.#first) return 0;
    const offset = day - this.#first;
    return offset >= this.#table.length ? this.#endDay.length : this.#table[offset]!;
  }

  add(fromDay: number, toDay: number): void {
    const k0 = this.#firstAtOrAfter(fromDay);
    const k1 = this.#firstAtOrAfter(toDay + 1);
    if (k0 < k1) {
      this.#diff[k0]!++;
      this.#diff[k1]!--;
    }
  }

  counts(): Int32Array {
    const out = new Int32Array(this.#endDay.length);
    let running = 0;
    for (let k = 0; k < out.length; k++) {
      running += this.#diff[k]!;
      out[k] = running;
    }
    return out;
  }
}

/** Merges one customer's intervals, given in ascending `fromDay` order, before adding them to a PointCounter. */
export class IntervalUnion {
  readonly #counter: PointCounter;
  #from = 0;
  #to = -1;
  #open = false;

  constructor(counter: PointCounter) {
    this.#counter = counter;
  }

  push(fromDay: number, toDay: number): void {
    if (this.#open && fromDay <= this.#to + 1) {
      if (toDay > this.#to) this.#to = toDay;
      return;
    }
    this.flush();
    this.#from = fromDay;
    this.#to = toDay;
    this.#open = true;
  }

  /** Ends the current customer. */
  flush(): void {
    if (this.#open) this.#counter.add(this.#from, this.#to);
    this.#open = false;
  }
}

/** Local day number -> month index over a dataset's day range, as a lookup table (no per-order date maths). */
export function monthIndexTable(fromDay: number, toDay: number, monthIndexOfDay: (day: number) => number): (day: number) => number {
  const table = new Int32Array(Math.max(0, toDay - fromDay + 1));
  for (let d = fromDay; d <= toDay; d++) table[d - fromDay] = monthIndexOfDay(d);
  return (d) => (d >= fromDay && d <= toDay ? table[d - fromDay]! : monthIndexOfDay(d));
}

import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import { localDayNumber } from '../../time/calendar.ts';
import { DAY_MS } from '../../time/zone-offsets.ts';

/** Model time unit: the papers use weeks = days / 7 on CDNOW (clv-models.md §2); shops use days. */
export const TimeUnit = { day: 'day', week: 'week' } as const;
export type TimeUnit = (typeof TimeUnit)[keyof typeof TimeUnit];

/** Length of one model time unit in days. */
export const DAYS_PER_TIME_UNIT: Readonly<Record<TimeUnit, number>> = { day: 1, week: 7 };

/**
 * One counted order of one customer: what the models need from an `OrderRecord` after identity resolution and the
 * counting rules (not test, not cancelled). `amountMinor` is the order's net value in minor units of one currency.
 */
export interface CountedOrder {
  /** Opaque customer identity (Shopify customer id, lower-cased email, or a file's customer column). */
  customerKey: string;
  /** UTC epoch ms. */
  placedAtMs: number;
  /** Net order value, integer minor units, >= 0. */
  amountMinor: number;
}

export interface SummaryOptions {
  /** Last instant of the calibration period (inclusive), UTC ms. Its local day is the calibration end day. */
  calibrationEndMs: number;
  /** IANA zone whose calendar days are the purchase periods ("UTC" for CDNOW). */
  timeZone: string;
  timeUnit: TimeUnit;
  /** Last instant of an optional holdout period (inclusive, UTC ms), after `calibrationEndMs`. */
  holdoutEndMs?: number;
}

/** Holdout-period counts per customer (lifetimes' `calibration_and_holdout_data`, without its monetary quirk). */
export interface HoldoutCounts {
  /** Holdout length in model time units ((holdout end day − calibration end day) / days per unit). */
  duration: number;
  /** Distinct purchase days in (calibration end, holdout end], per customer; nothing is subtracted. */
  frequency: Int32Array;
  /** Summed order value in the holdout, minor units, per customer. */
  valueMinor: Float64Array;
}

/**
 * Per-customer BTYD inputs at the end of the calibration period (clv-models.md §2), columnar. Index i is one customer.
 * Only customers with an order on or before the calibration end are present.
 */
export interface CustomerSummaries {
  timeUnit: TimeUnit;
  timeZone: string;
  calibrationEndMs: number;
  /** Local day number of the calibration end. */
  endDay: number;
  customerKeys: string[];
  /** x: repeat purchase days (distinct purchase days − 1). */
  frequency: Int32Array;
  /** t_x in whole days: first to last purchase day (not time since the last purchase). */
  recencyDays: Int32Array;
  /** T in whole days: first purchase day to the calibration end day. */
  ageDays: Int32Array;
  /** t_x in model time units. */
  recency: Float64Array;
  /** T in model time units. */
  age: Float64Array;
  /** m: mean over repeat days of each day's summed value, minor units; 0 when x = 0. */
  monetaryValueMinor: Float64Array;
  /** Summed value of the first purchase day, minor units. */
  firstDayValueMinor: Float64Array;
  /** UTC ms of the customer's first and last counted order up to the calibration end. */
  firstOrderAtMs: Float64Array;
  lastOrderAtMs: Float64Array;
  /** Present when `holdoutEndMs` was given. */
  holdout: HoldoutCounts | null;
  /** Orders after the last counted instant (calibration or holdout end): outside the window, counted not dropped. */
  ordersAfterEnd: number;
  /** Customers whose first order falls after the calibration end (left out, as in the literature). */
  customersFirstSeenLater: number;
}

/**
 * Builds (x, t_x, T, m) per customer from counted orders, bucketing orders into local calendar days so that several
 * orders on one day count once (FHL 2005 Marketing Science §2; clv-models.md §2, lifetimes'
 * `summary_data_from_transaction_data` with freq "D"). Customers come in the order of their first order in `orders`.
 * Throws `CoreError('invalid-order')` for a non-finite time or a non-integer or negative amount (index named).
 * @example summarizeOrders(orders, { calibrationEndMs: endOfLocalDateMs('1997-09-30', 'UTC'), timeZone: 'UTC', timeUnit: 'week' })
 */
export function summarizeOrders(orders: readonly CountedOrder[], options: SummaryOptions): CustomerSummaries {
  const window = summaryWindow(options);
  const indexed = indexOrders(orders, window);
  const groups = groupByCustomer(indexed);
  const columns = summarizeGroups(indexed, groups, window);
  return keepSummarized(columns, indexed, window, options);
}

/** The calibration (and holdout) window of a summary, as instants and as local day numbers of its time zone. */
interface SummaryWindow {
  calibrationEndMs: number;
  /** Last instant counted at all: the holdout end, or the calibration end without a holdout. */
  lastMs: number;
  endDay: number;
  /** Equal to `endDay` without a holdout. */
  holdoutEndDay: number;
  holdout: boolean;
  daysPerUnit: number;
  dayOf: (ms: number) => number;
}

/** Checks the options (one rule per check) and resolves the window's days. */
function summaryWindow(options: SummaryOptions): SummaryWindow {
  const { calibrationEndMs, timeZone, timeUnit, holdoutEndMs } = options;
  if (!Number.isFinite(calibrationEndMs)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `calibrationEndMs must be a finite UTC ms, got ${calibrationEndMs}.`);
  }
  if (holdoutEndMs !== undefined && !(holdoutEndMs > calibrationEndMs)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `holdoutEndMs (${holdoutEndMs}) must be after calibrationEndMs (${calibrationEndMs}).`);
  }
  const daysPerUnit = DAYS_PER_TIME_UNIT[timeUnit];
  if (daysPerUnit === undefined) throw new CoreError(CoreErrorCode.invalidArgument, `Unknown time unit ${JSON.stringify(timeUnit)}: use 'day' or 'week'.`);
  const utc = timeZone === 'UTC';
  const dayOf = (ms: number): number => (utc ? Math.floor(ms / DAY_MS) : localDayNumber(ms, timeZone));
  const endDay = dayOf(calibrationEndMs);
  return {
    calibrationEndMs,
    lastMs: holdoutEndMs ?? calibrationEndMs,
    endDay,
    holdoutEndDay: holdoutEndMs === undefined ? endDay : dayOf(holdoutEndMs),
    holdout: holdoutEndMs !== undefined,
    daysPerUnit,
    dayOf,
  };
}

/**
 * The orders checked and indexed by customer, in typed columns so that later passes walk arrays instead of chasing
 * order objects. Customer indices follow first appearance.
 */
interface IndexedOrders {
  keys: string[];
  /** Customer index of each order; -1 for an order after the window. */
  orderCustomer: Int32Array;
  orderDay: Int32Array;
  orderMs: Float64Array;
  orderAmount: Float64Array;
  /** Orders in the window per customer index (the array may be longer than `keys`). */
  counts: Int32Array;
  ordersAfterEnd: number;
}

/** Pass 1: validates each order, assigns its customer index and local day, and counts orders per customer. */
function indexOrders(orders: readonly CountedOrder[], window: SummaryWindow): IndexedOrders {
  const { lastMs, dayOf } = window;
  const n = orders.length;
  const indexOfKey = new Map<string, number>();
  const keys: string[] = [];
  const orderCustomer = new Int32Array(n);
  const orderDay = new Int32Array(n);
  const orderMs = new Float64Array(n);
  const orderAmount = new Float64Array(n);
  let counts = new Int32Array(1024);
  let ordersAfterEnd = 0;
  let previousKey: string | null = null;
  let previousIndex = -1;
  for (let i = 0; i < n; i++) {
    const order = orders[i]!;
    const ms = order.placedAtMs;
    const amount = order.amountMinor;
    if (!Number.isFinite(ms)) throw invalidOrder(i, 'placedAtMs', ms);
    if (!Number.isInteger(amount) || amount < 0) throw invalidOrder(i, 'amountMinor', amount);
    if (ms > lastMs) {
      orderCustomer[i] = -1;
      ordersAfterEnd++;
      continue;
    }
    // Logs are often grouped by customer: reuse the previous order's index before hashing the key.
    let c = order.customerKey === previousKey ? previousIndex : indexOfKey.get(order.customerKey);
    if (c === undefined) {
      c = keys.length;
      indexOfKey.set(order.customerKey, c);
      keys.push(order.customerKey);
      if (c >= counts.length) {
        const grown = new Int32Array(counts.length * 2);
        grown.set(counts);
        counts = grown;
      }
    }
    previousKey = order.customerKey;
    previousIndex = c;
    orderCustomer[i] = c;
    orderDay[i] = dayOf(ms);
    orderMs[i] = ms;
    orderAmount[i] = amount;
    counts[c]!++;
  }
  return { keys, orderCustomer, orderDay, orderMs, orderAmount, counts, ordersAfterEnd };
}

/** Customer c's orders are `grouped[start[c]]` .. `grouped[start[c + 1] - 1]` (input indices), by local day. */
interface GroupedOrders {
  start: Int32Array;
  grouped: Int32Array;
}

/** Pass 2: orders grouped per customer (counting sort), then each customer's orders sorted by day in place. */
function groupByCustomer(indexed: IndexedOrders): GroupedOrders {
  const { orderCustomer, orderDay, counts } = indexed;
  const customerCount = indexed.keys.length;
  const start = new Int32Array(customerCount + 1);
  for (let c = 0; c < customerCount; c++) start[c + 1] = start[c]! + counts[c]!;
  const fill = start.slice(0, customerCount);
  const grouped = new Int32Array(start[customerCount]!);
  for (let i = 0; i < orderCustomer.length; i++) {
    const c = orderCustomer[i]!;
    if (c >= 0) grouped[fill[c]!++] = i;
  }
  for (let c = 0; c < customerCount; c++) {
    const lo = start[c]!;
    const hi = start[c + 1]!;
    // Insertion sort by day (stable): per-customer lists are short.
    for (let k = lo + 1; k < hi; k++) {
      const idx = grouped[k]!;
      const day = orderDay[idx]!;
      let j = k - 1;
      while (j >= lo && orderDay[grouped[j]!]! > day) {
        grouped[j + 1] = grouped[j]!;
        j--;
      }
      grouped[j + 1] = idx;
    }
  }
  return { start, grouped };
}

/** Per-customer results of pass 3, indexed like `IndexedOrders.keys`; `keep[c]` is 0 for a customer first seen later. */
interface SummaryColumns {
  frequency: Int32Array;
  recencyDays: Int32Array;
  ageDays: Int32Array;
  monetary: Float64Array;
  firstValue: Float64Array;
  firstAt: Float64Array;
  lastAt: Float64Array;
  holdoutFrequency: Int32Array | null;
  holdoutValue: Float64Array | null;
  keep: Uint8Array;
  kept: number;
}

/** Pass 3: each customer's distinct purchase days, recency, age and values in the calibration window and the holdout. */
function summarizeGroups(indexed: IndexedOrders, groups: GroupedOrders, window: SummaryWindow): SummaryColumns {
  const { orderDay, orderMs, orderAmount } = indexed;
  const { start, grouped } = groups;
  const { calibrationEndMs, endDay, holdoutEndDay } = window;
  const customerCount = indexed.keys.length;
  const columns: SummaryColumns = {
    frequency: new Int32Array(customerCount),
    recencyDays: new Int32Array(customerCount),
    ageDays: new Int32Array(customerCount),
    monetary: new Float64Array(customerCount),
    firstValue: new Float64Array(customerCount),
    firstAt: new Float64Array(customerCount),
    lastAt: new Float64Array(customerCount),
    holdoutFrequency: window.holdout ? new Int32Array(customerCount) : null,
    holdoutValue: window.holdout ? new Float64Array(customerCount) : null,
    keep: new Uint8Array(customerCount),
    kept: 0,
  };
  for (let c = 0; c < customerCount; c++) {
    const lo = start[c]!;
    const hi = start[c + 1]!;
    const firstDay = orderDay[grouped[lo]!]!;
    if (firstDay > endDay) continue;
    let distinct = 0;
    let prevDay = Number.NaN;
    let lastDay = firstDay;
    let repeatSum = 0;
    let firstSum = 0;
    let minAt = Number.POSITIVE_INFINITY;
    let maxAt = Number.NEGATIVE_INFINITY;
    let hFreq = 0;
    let hValue = 0;
    let hPrevDay = Number.NaN;
    for (let k = lo; k < hi; k++) {
      const idx = grouped[k]!;
      const day = orderDay[idx]!;
      const placedAtMs = orderMs[idx]!;
      const amount = orderAmount[idx]!;
      if (day <= endDay && placedAtMs <= calibrationEndMs) {
        if (day !== prevDay) {
          distinct++;
          prevDay = day;
        }
        lastDay = day;
        if (day === firstDay) firstSum += amount;
        else repeatSum += amount;
        if (placedAtMs < minAt) minAt = placedAtMs;
        if (placedAtMs > maxAt) maxAt = placedAtMs;
      } else if (day <= holdoutEndDay) {
        if (day !== hPrevDay) {
          hFreq++;
          hPrevDay = day;
        }
        hValue += amount;
      }
    }
    // A first order on the calibration end day but after calibrationEndMs belongs to the holdout only.
    if (distinct === 0) continue;
    columns.keep[c] = 1;
    columns.kept++;
    const x = distinct - 1;
    columns.frequency[c] = x;
    columns.recencyDays[c] = lastDay - firstDay;
    columns.ageDays[c] = endDay - firstDay;
    columns.monetary[c] = x > 0 ? repeatSum / x : 0;
    columns.firstValue[c] = firstSum;
    columns.firstAt[c] = minAt;
    columns.lastAt[c] = maxAt;
    if (columns.holdoutFrequency !== null) columns.holdoutFrequency[c] = hFreq;
    if (columns.holdoutValue !== null) columns.holdoutValue[c] = hValue;
  }
  return columns;
}

/** Pass 4: drops the customers first seen after the calibration end and converts days to model time units. */
function keepSummarized(columns: SummaryColumns, indexed: IndexedOrders, window: SummaryWindow, options: SummaryOptions): CustomerSummaries {
  const { keep, kept } = columns;
  const { daysPerUnit, endDay, holdoutEndDay } = window;
  const customerCount = indexed.keys.length;
  const pick = <A extends Int32Array | Float64Array>(arr: A): A => {
    if (kept === customerCount) return arr;
    const out = new (arr.constructor as { new (len: number): A })(kept);
    let j = 0;
    for (let c = 0; c < customerCount; c++) if (keep[c] === 1) out[j++] = arr[c]!;
    return out;
  };
  const customerKeys = kept === customerCount ? indexed.keys : indexed.keys.filter((_, c) => keep[c] === 1);
  const rDays = pick(columns.recencyDays);
  const aDays = pick(columns.ageDays);
  const recency = new Float64Array(kept);
  const age = new Float64Array(kept);
  for (let i = 0; i < kept; i++) {
    recency[i] = rDays[i]! / daysPerUnit;
    age[i] = aDays[i]! / daysPerUnit;
  }
  const { holdoutFrequency, holdoutValue } = columns;
  return {
    timeUnit: options.timeUnit,
    timeZone: options.timeZone,
    calibrationEndMs: options.calibrationEndMs,
    endDay,
    customerKeys,
    frequency: pick(columns.frequency),
    recencyDays: rDays,
    ageDays: aDays,
    recency,
    age,
    monetaryValueMinor: pick(columns.monetary),
    firstDayValueMinor: pick(columns.firstValue),
    firstOrderAtMs: pick(columns.firstAt),
    lastOrderAtMs: pick(columns.lastAt),
    holdout:
      holdoutFrequency === null || holdoutValue === null
        ? null
        : { duration: (holdoutEndDay - endDay) / daysPerUnit, frequency: pick(holdoutFrequency), valueMinor: pick(holdoutValue) },
    ordersAfterEnd: indexed.ordersAfterEnd,
    customersFirstSeenLater: customerCount - kept,
  };
}

function invalidOrder(index: number, field: string, value: unknown): CoreError {
  return new CoreError(
    CoreErrorCode.invalidOrder,
    `Order at index ${index}: ${field} ${String(value)} is invalid (placedAtMs must be finite UTC ms; amountMinor a non-negative integer).`,
  );
}

/**
 * (x, t_x, T) rows with weights: the likelihood input of BG/NBD and MBG/NBD. `weight[i]` identical customers share row i
 * (clv-models.md §4.7: compressing duplicates leaves the MLE unchanged).
 */
export interface FrequencyRecencyRows {
  /** x per row. */
  frequency: ArrayLike<number>;
  /** t_x per row, model time units. */
  recency: ArrayLike<number>;
  /** T per row, model time units. */
  age: ArrayLike<number>;
  /** Number of customers per row; all 1 when omitted. */
  weight?: ArrayLike<number>;
}

/** Unique (x, t_x, T) rows plus, for each customer, the row that holds it. */
export interface CompressedSummaries {
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
  weight: Float64Array;
  /** rowOfCustomer[i] = the row of customer i of the summaries. */
  rowOfCustomer: Int32Array;
}

/** Groups customers with identical (x, t_x, T) in whole days into weighted rows, so fits and predictions run per row. */
export function compressSummaries(summaries: CustomerSummaries): CompressedSummaries {
  const n = summaries.customerKeys.length;
  const daysPerUnit = DAYS_PER_TIME_UNIT[summaries.timeUnit];
  const rowOfKey = new Map<number, number>();
  const rowOfLargeKey = new Map<string, number>();
  const rowOfCustomer = new Int32Array(n);
  const xs: number[] = [];
  const txs: number[] = [];
  const ts: number[] = [];
  const ws: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = summaries.frequency[i]!;
    const tx = summaries.recencyDays[i]!;
    const T = summaries.ageDays[i]!;
    // A number key is exact below 2^53: x < 2^11 and day counts < 2^21 (5,700 years); rarer rows use a string key.
    const small = x < 2048 && tx < 2_097_152 && T < 2_097_152;
    const key = (x * 2_097_152 + tx) * 2_097_152 + T;
    const largeKey = small ? '' : `${x},${tx},${T}`;
    let row = small ? rowOfKey.get(key) : rowOfLargeKey.get(largeKey);
    if (row === undefined) {
      row = xs.length;
      if (small) rowOfKey.set(key, row);
      else rowOfLargeKey.set(largeKey, row);
      xs.push(x);
      txs.push(tx / daysPerUnit);
      ts.push(T / daysPerUnit);
      ws.push(0);
    }
    ws[row]!++;
    rowOfCustomer[i] = row;
  }
  return {
    frequency: Float64Array.from(xs),
    recency: Float64Array.from(txs),
    age: Float64Array.from(ts),
    weight: Float64Array.from(ws),
    rowOfCustomer,
  };
}

import { CoreError, CoreErrorCode, CurrencyMismatchError } from '../errors/core-error.ts';
import { assertCurrencyCode } from '../money/money.ts';
import { assertOrderRecord, customerKeyOf, orderSkipReason, OrderSkipReason, type OrderRecord } from '../orders/order.ts';
import { assertTimeZone, localDayFunction, localDayNumbers } from '../time/zone-offsets.ts';
import { rankNumericKeys } from './numeric-key-ranks.ts';
import { rankTextKeys } from './text-key-ranks.ts';

/**
 * Where refunds land in time. `order-date` (default, as RCI and Lifetimely do): a refund reduces the original order,
 * its day, month and cohort. `refund-date`: the order counts its full total on its day and each refund is negative
 * revenue on its own refund date (from `OrderRecord.refunds`; any refunded amount without detail stays on the order
 * date). Either way, whether an order is counted uses its total refunds (net > 0).
 */
export const RefundAttribution = { orderDate: 'order-date', refundDate: 'refund-date' } as const;
export type RefundAttribution = (typeof RefundAttribution)[keyof typeof RefundAttribution];

/** Options shared by every entry point that reads orders. */
export interface PrepareOptions {
  /** The moment the metrics describe, UTC epoch ms; orders placed after it are ignored (counted in `afterAsOf`). */
  asOfMs: number;
  /** Shop IANA time zone for calendar days, weeks and months. Default `UTC`. */
  timeZone?: string;
  /** Default `order-date`. */
  refundAttribution?: RefundAttribution;
  /** Expected shop currency; default: the first order's currency. Any other currency throws CurrencyMismatchError. */
  currency?: string;
}

/** Order counts of a dataset: every input order lands in exactly one of counted, afterAsOf or skippedByReason. */
export interface OrderCounts {
  /** All input orders. */
  total: number;
  /** Counted orders placed up to asOf, attributed or not. */
  counted: number;
  /** Counted orders with neither customer id nor email (excluded from customer metrics; included in counted). */
  unattributed: number;
  /** Orders placed after asOf, whatever their status (out of scope, not skipped for a fault). */
  afterAsOf: number;
  /** Orders up to asOf that are not counted, by reason. */
  skippedByReason: Record<OrderSkipReason, number>;
}

/**
 * Counted orders grouped by customer once, in flat typed arrays, so every metric is a linear pass. Customers are
 * sorted by key and each customer's orders by time, so results never depend on input order. Days are local day
 * numbers in `timeZone` (see time/calendar.ts).
 */
export interface PreparedOrders {
  asOfMs: number;
  asOfDay: number;
  timeZone: string;
  /** Shop currency; null only when there are no orders and no `currency` option. */
  currency: string | null;
  refundAttribution: RefundAttribution;
  counts: OrderCounts;
  /** Customer keys (see customerKeyOf): numeric customer ids ascending, then other keys (emails) in string order. */
  customerKeys: string[];
  /** Customer c's orders are indices customerStart[c] .. customerStart[c+1]-1, oldest first. */
  customerStart: Int32Array;
  orderAtMs: Float64Array;
  orderDay: Int32Array;
  /** Net value (total - refunds) per counted order, minor units. */
  orderNetMinor: Float64Array;
  orderSubscription: Uint8Array;
  /** Revenue events per customer (CSR like orders): equal to the orders under order-date attribution. */
  eventStart: Int32Array;
  eventDay: Int32Array;
  eventAmountMinor: Float64Array;
  /** Net revenue of events up to asOf per customer: historic CLV, minor units. */
  customerNetMinor: Float64Array;
  /** Unattributed counted orders (for order-level metrics such as AOV). */
  unattributedDay: Int32Array;
  unattributedNetMinor: Float64Array;
}

const INSERTION_LIMIT = 24;

/**
 * The value a prepared dataset keys customer key `key` by, or null when it is keyed as text: a canonical decimal id
 * ("0", or digits without a leading zero, at most 15 of them, so exact as a double) is keyed by its value, so "007"
 * stays apart from "7". Customers come with the value-keyed ascending by value, then every other key (emails, longer
 * ids) in string order. prepareOrders applies the same rule inline, in its per-order loop.
 */
export function valueKeyOf(key: string): number | null {
  if (key.length === 0 || key.length > 15 || (key.length > 1 && key.charCodeAt(0) === 48)) return null;
  for (let i = 0; i < key.length; i++) {
    const digit = key.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return null;
  }
  return Number(key);
}

/**
 * Validates and groups orders once for all metrics. Throws CoreError (`invalid-order`, `invalid-time-zone`,
 * `invalid-argument`) or CurrencyMismatchError on a contract breach; data outcomes (skips) are counted, not thrown.
 */
export function prepareOrders(orders: readonly OrderRecord[], options: PrepareOptions): PreparedOrders {
  const { asOfMs } = options;
  if (!Number.isFinite(asOfMs)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `asOfMs must be finite UTC epoch ms, got ${asOfMs}.`);
  }
  const timeZone = options.timeZone ?? 'UTC';
  assertTimeZone(timeZone);
  const refundAttribution = options.refundAttribution ?? RefundAttribution.orderDate;
  if (refundAttribution !== 'order-date' && refundAttribution !== 'refund-date') {
    throw new CoreError(CoreErrorCode.invalidArgument, `refundAttribution must be "order-date" or "refund-date", got ${JSON.stringify(refundAttribution)}.`);
  }
  let currency = options.currency ?? orders[0]?.currency ?? null;
  if (currency !== null) assertCurrencyCode(currency);
  const dayOf = localDayFunction(timeZone);

  const counts: OrderCounts = {
    total: orders.length,
    counted: 0,
    unattributed: 0,
    afterAsOf: 0,
    skippedByReason: { test: 0, cancelled: 0, refunded: 0 },
  };
  // Small functions per phase: V8 inlines the hot helpers (hash probe, digit parse) only into small callers, and
  // a call that is not inlined boxes every double it passes.
  const scratch = takeScratch(orders.length);
  const scan = scanOrders(orders, asOfMs, currency, dayOf, counts, scratch);
  currency = scan.currency;
  const customerKeys = rankCustomers(scan);
  const customerCount = customerKeys.length;
  const { customerStart, slotRef, orderAtMs, orderNetMinor, orderSubscription } = groupByCustomer(scan, customerCount, scratch.slotRef);
  sortWithinCustomers(customerStart, orderAtMs, orderNetMinor, orderSubscription, slotRef, orders);
  const orderDay = localDayNumbers(orderAtMs, timeZone);
  const unattributedDays = scan.unattributedDays;
  const unattributedNets = scan.unattributedNets;

  let eventStart: Int32Array = customerStart;
  let eventDay: Int32Array = orderDay;
  let eventAmountMinor: Float64Array = orderNetMinor;
  if (refundAttribution === 'refund-date') {
    ({ eventStart, eventDay, eventAmountMinor } = buildRefundDateEvents(orders, slotRef, customerStart, orderDay, asOfMs, dayOf));
  }
  scratch.release();
  const customerNetMinor = new Float64Array(customerCount);
  for (let c = 0; c < customerCount; c++) {
    let sum = 0;
    for (let e = eventStart[c]!; e < eventStart[c + 1]!; e++) sum += eventAmountMinor[e]!;
    customerNetMinor[c] = sum;
  }

  return {
    asOfMs,
    asOfDay: dayOf(asOfMs),
    timeZone,
    currency,
    refundAttribution,
    counts,
    customerKeys,
    customerStart,
    orderAtMs,
    orderDay,
    orderNetMinor,
    orderSubscription,
    eventStart,
    eventDay,
    eventAmountMinor,
    customerNetMinor,
    unattributedDay: Int32Array.from(unattributedDays),
    unattributedNetMinor: Float64Array.from(unattributedNets),
  };
}

/**
 * Scratch buffers of one prepareOrders call (about 81 MB for a million orders), kept for the next call: allocating
 * them afresh each time is what made V8 run a full GC over the caller's million order objects on every report
 * ("external memory pressure"). Only buffers that never leave prepareOrders are pooled; a nested call (impossible
 * today, no callbacks run) would simply allocate its own.
 */
interface Scratch {
  capacity: number;
  inputRef: Int32Array;
  inputKey: Float64Array;
  numericPositions: Int32Array;
  byBucket: Int32Array;
  bucketKey: Float64Array;
  bucketLocal: Int32Array;
  unique: Float64Array;
  inputCustomer: Int32Array;
  inputAtMs: Float64Array;
  inputNet: Float64Array;
  inputSubscription: Uint8Array;
  slotRef: Int32Array;
  textPositions: Int32Array;
  release(): void;
}

let pooledScratch: Scratch | null = null;

function takeScratch(size: number): Scratch {
  const pooled = pooledScratch;
  if (pooled !== null && pooled.capacity >= size && pooled.capacity <= 4 * Math.max(size, 65_536)) {
    pooledScratch = null;
    return pooled;
  }
  const capacity = Math.max(size, 1024);
  const scratch: Scratch = {
    capacity,
    inputRef: new Int32Array(capacity),
    inputKey: new Float64Array(capacity),
    numericPositions: new Int32Array(capacity),
    byBucket: new Int32Array(capacity),
    bucketKey: new Float64Array(capacity),
    bucketLocal: new Int32Array(capacity),
    unique: new Float64Array(capacity),
    inputCustomer: new Int32Array(capacity),
    inputAtMs: new Float64Array(capacity),
    inputNet: new Float64Array(capacity),
    inputSubscription: new Uint8Array(capacity),
    slotRef: new Int32Array(capacity),
    textPositions: new Int32Array(capacity),
    release() {
      pooledScratch = scratch;
    },
  };
  return scratch;
}

interface Scan {
  currency: string | null;
  /** Counted, attributed orders read. */
  n: number;
  inputRef: Int32Array;
  /** Customer index per read order: numeric ids first in ascending order, then other keys in string order. */
  inputCustomer: Int32Array;
  inputAtMs: Float64Array;
  inputNet: Float64Array;
  inputSubscription: Uint8Array;
  /** Distinct numeric customer ids, ascending (index = rank). */
  numericValues: Float64Array;
  /** Distinct other keys in string order (index = rank - numericValues.length). */
  textKeys: string[];
  unattributedDays: number[];
  unattributedNets: number[];
}

// Pass 1 reads each record once, in input order (sequential memory access), into flat arrays. Numeric customer ids
// (Shopify's) are parsed to numbers and ranked afterwards by rankNumericKeys; emails and other keys go through a Map.
function scanOrders(
  orders: readonly OrderRecord[],
  asOfMs: number,
  initialCurrency: string | null,
  dayOf: (ms: number) => number,
  counts: OrderCounts,
  scratch: Scratch,
): Scan {
  let currency = initialCurrency;
  const { inputKey, numericPositions } = scratch;
  let numericCount = 0;
  // Other keys of every order, sorted and ranked after the loop (text-key-ranks.ts): cheaper than a Map of them.
  const textOrderKeys: string[] = [];
  const textPositions = scratch.textPositions;
  const scan: Scan = {
    currency,
    n: 0,
    inputRef: scratch.inputRef,
    inputCustomer: scratch.inputCustomer,
    inputAtMs: scratch.inputAtMs,
    inputNet: scratch.inputNet,
    inputSubscription: scratch.inputSubscription,
    numericValues: new Float64Array(0),
    textKeys: [],
    unattributedDays: [],
    unattributedNets: [],
  };
  const { inputRef, inputCustomer, inputAtMs, inputNet, inputSubscription } = scan;
  let n = 0;
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i]!;
    assertOrderRecord(order, i);
    if (order.currency !== currency) {
      if (currency === null) currency = order.currency;
      else throw new CurrencyMismatchError(currency, order.currency, `order #${i} (orderId ${JSON.stringify(order.orderId)})`);
    }
    const placedAtMs = order.placedAtMs;
    if (placedAtMs > asOfMs) {
      counts.afterAsOf++;
      continue;
    }
    const reason = orderSkipReason(order);
    if (reason !== null) {
      counts.skippedByReason[reason]++;
      continue;
    }
    counts.counted++;
    const id = order.customerId;
    // valueKeyOf's rule, inline in the hot loop: a canonical decimal id is keyed by its value.
    let numeric = -1;
    if (id !== null && id.length > 0 && id.length <= 15 && (id.length === 1 || id.charCodeAt(0) !== 48)) {
      numeric = 0;
      for (let k = 0; k < id.length; k++) {
        const digit = id.charCodeAt(k) - 48;
        if (digit < 0 || digit > 9) {
          numeric = -1;
          break;
        }
        numeric = numeric * 10 + digit;
      }
    }
    if (numeric >= 0) {
      inputKey[n] = numeric;
      numericPositions[numericCount++] = n;
    } else {
      const key = customerKeyOf(order);
      if (key === null) {
        counts.unattributed++;
        scan.unattributedDays.push(dayOf(placedAtMs));
        scan.unattributedNets.push(order.totalMinor - order.refundedMinor);
        continue;
      }
      textPositions[textOrderKeys.length] = n;
      textOrderKeys.push(key);
    }
    inputRef[n] = i;
    inputAtMs[n] = placedAtMs;
    inputNet[n] = order.totalMinor - order.refundedMinor;
    inputSubscription[n] = order.subscription ? 1 : 0;
    n++;
  }
  scan.n = n;
  scan.currency = currency;
  scan.numericValues = rankNumericKeys(inputKey, numericPositions, numericCount, inputCustomer, scratch);
  scan.textKeys = rankTextKeys(textOrderKeys, textPositions, textOrderKeys.length, inputCustomer, scan.numericValues.length);
  return scan;
}

// Customers in a fixed order whatever the input order (numeric ids ascending, then other keys in string order), so
// outputs and float sums never depend on input order. scanOrders already gave each order its customer's index.
function rankCustomers(scan: Scan): string[] {
  const { numericValues, textKeys } = scan;
  const numericCount = numericValues.length;
  const customerKeys: string[] = new Array<string>(numericCount + textKeys.length);
  // Canonical decimal ids print back exactly as they were written.
  for (let c = 0; c < numericCount; c++) customerKeys[c] = String(numericValues[c]!);
  for (let c = 0; c < textKeys.length; c++) customerKeys[numericCount + c] = textKeys[c]!;
  return customerKeys;
}

// Counting sort by customer (stable: input order within a customer).
function groupByCustomer(scan: Scan, customerCount: number, slotRef: Int32Array) {
  const { n, inputCustomer, inputRef, inputAtMs, inputNet, inputSubscription } = scan;
  const customerStart = new Int32Array(customerCount + 1);
  for (let j = 0; j < n; j++) customerStart[inputCustomer[j]! + 1]!++;
  for (let c = 0; c < customerCount; c++) customerStart[c + 1]! += customerStart[c]!;
  const fill = customerStart.slice(0, customerCount);
  const orderAtMs = new Float64Array(n);
  const orderNetMinor = new Float64Array(n);
  const orderSubscription = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const slot = fill[inputCustomer[j]!]!++;
    slotRef[slot] = inputRef[j]!;
    orderAtMs[slot] = inputAtMs[j]!;
    orderNetMinor[slot] = inputNet[j]!;
    orderSubscription[slot] = inputSubscription[j]!;
  }
  return { customerStart, slotRef, orderAtMs, orderNetMinor, orderSubscription };
}

// Each customer's orders oldest first: insertion sort for the usual handful, a packed numeric sort for large groups.
function sortWithinCustomers(
  customerStart: Int32Array,
  orderAtMs: Float64Array,
  orderNetMinor: Float64Array,
  orderSubscription: Uint8Array,
  slotRef: Int32Array,
  orders: readonly OrderRecord[],
): void {
  const customerCount = customerStart.length - 1;
  for (let c = 0; c < customerCount; c++) {
    const from = customerStart[c]!;
    const to = customerStart[c + 1]!;
    if (to - from < 2) continue;
    if (to - from > INSERTION_LIMIT) {
      sortLargeGroup(from, to, orderAtMs, orderNetMinor, orderSubscription, slotRef, orders);
      continue;
    }
    for (let a = from + 1; a < to; a++) {
      const at = orderAtMs[a]!;
      const net = orderNetMinor[a]!;
      const sub = orderSubscription[a]!;
      const ref = slotRef[a]!;
      let b = a - 1;
      // Times differ in nearly every comparison; the full tie rule runs only on equal times.
      while (b >= from && (at < orderAtMs[b]! || (at === orderAtMs[b]! && before(at, net, ref, orderAtMs[b]!, orderNetMinor[b]!, slotRef[b]!, orders)))) {
        orderAtMs[b + 1] = orderAtMs[b]!;
        orderNetMinor[b + 1] = orderNetMinor[b]!;
        orderSubscription[b + 1] = orderSubscription[b]!;
        slotRef[b + 1] = slotRef[b]!;
        b--;
      }
      orderAtMs[b + 1] = at;
      orderNetMinor[b + 1] = net;
      orderSubscription[b + 1] = sub;
      slotRef[b + 1] = ref;
    }
  }
}

// Sorts one large group oldest first. Times relative to the group's earliest fit in 37 bits for any realistic span
// (4 years), leaving room to pack the slot offset into the same float, so a native numeric typed-array sort does the
// work; equal times are then settled by the same tie rule as the insertion sort.
function sortLargeGroup(
  from: number,
  to: number,
  atMs: Float64Array,
  net: Float64Array,
  subscription: Uint8Array,
  ref: Int32Array,
  orders: readonly OrderRecord[],
): void {
  const size = to - from;
  let minAt = Number.POSITIVE_INFINITY;
  let maxAt = Number.NEGATIVE_INFINITY;
  for (let s = from; s < to; s++) {
    minAt = Math.min(minAt, atMs[s]!);
    maxAt = Math.max(maxAt, atMs[s]!);
  }
  const scale = 2 ** Math.ceil(Math.log2(size + 1));
  let order: ArrayLike<number>;
  if ((maxAt - minAt + 1) * scale <= Number.MAX_SAFE_INTEGER && Number.isInteger(maxAt - minAt)) {
    const packed = new Float64Array(size);
    for (let k = 0; k < size; k++) packed[k] = (atMs[from + k]! - minAt) * scale + k;
    packed.sort();
    order = Int32Array.from(packed, (v) => from + (v % scale));
  } else {
    const idx = Array.from({ length: size }, (_, k) => from + k);
    idx.sort((x, y) => atMs[x]! - atMs[y]!);
    order = idx;
  }
  atMs.set(
    Float64Array.from(order, (k) => atMs[k]!),
    from,
  );
  permuteSlots(order, from, net, subscription, ref);
  // Equal times: order each run of equal times by the tie rule.
  let runStart = from;
  for (let a = from + 1; a <= to; a++) {
    if (a < to && atMs[a] === atMs[runStart]) continue;
    if (a - runStart > 1) sortTies(runStart, a, net, subscription, ref, orders);
    runStart = a;
  }
}

function sortTies(from: number, to: number, net: Float64Array, subscription: Uint8Array, ref: Int32Array, orders: readonly OrderRecord[]): void {
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  idx.sort(
    (x, y) => net[x]! - net[y]! || (orders[ref[x]!]!.orderId < orders[ref[y]!]!.orderId ? -1 : orders[ref[x]!]!.orderId > orders[ref[y]!]!.orderId ? 1 : 0),
  );
  permuteSlots(idx, from, net, subscription, ref);
}

// Rewrites slots from, from + 1, ... of each column with the values the slots listed in `order` held.
function permuteSlots(order: ArrayLike<number>, from: number, net: Float64Array, subscription: Uint8Array, ref: Int32Array): void {
  net.set(
    Float64Array.from(order, (k) => net[k]!),
    from,
  );
  subscription.set(
    Uint8Array.from(order, (k) => subscription[k]!),
    from,
  );
  ref.set(
    Int32Array.from(order, (k) => ref[k]!),
    from,
  );
}

function before(atA: number, netA: number, refA: number, atB: number, netB: number, refB: number, orders: readonly OrderRecord[]): boolean {
  if (atA !== atB) return atA < atB;
  if (netA !== netB) return netA < netB;
  return orders[refA]!.orderId < orders[refB]!.orderId;
}

function buildRefundDateEvents(
  orders: readonly OrderRecord[],
  slotRef: Int32Array,
  customerStart: Int32Array,
  orderDay: Int32Array,
  asOfMs: number,
  dayOf: (ms: number) => number,
): { eventStart: Int32Array; eventDay: Int32Array; eventAmountMinor: Float64Array } {
  const customerCount = customerStart.length - 1;
  const eventStart = new Int32Array(customerCount + 1);
  const days: number[] = [];
  const amounts: number[] = [];
  for (let c = 0; c < customerCount; c++) {
    const first = days.length;
    for (let s = customerStart[c]!; s < customerStart[c + 1]!; s++) {
      const order = orders[slotRef[s]!]!;
      let detailed = 0;
      const pending: [number, number][] = [];
      for (const refund of order.refunds ?? []) {
        detailed += refund.amountMinor;
        // A refund after asOf has not happened yet at asOf.
        if (refund.refundedAtMs <= asOfMs && refund.amountMinor > 0) pending.push([dayOf(refund.refundedAtMs), -refund.amountMinor]);
      }
      const undetailed = Math.max(0, order.refundedMinor - detailed);
      days.push(orderDay[s]!);
      amounts.push(order.totalMinor - undetailed);
      for (const [day, amount] of pending) {
        days.push(day);
        amounts.push(amount);
      }
    }
    // Keep each customer's events in day order (a refund can predate a later order).
    const idx = Array.from({ length: days.length - first }, (_, k) => first + k);
    idx.sort((a, b) => days[a]! - days[b]! || amounts[a]! - amounts[b]!);
    const sortedDays = idx.map((k) => days[k]!);
    const sortedAmounts = idx.map((k) => amounts[k]!);
    for (let k = 0; k < idx.length; k++) {
      days[first + k] = sortedDays[k]!;
      amounts[first + k] = sortedAmounts[k]!;
    }
    eventStart[c + 1] = days.length;
  }
  return { eventStart, eventDay: Int32Array.from(days), eventAmountMinor: Float64Array.from(amounts) };
}

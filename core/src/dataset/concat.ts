import { CoreError, CoreErrorCode, CurrencyMismatchError } from '../errors/core-error.ts';
import { valueKeyOf, type OrderCounts, type PreparedOrders } from './prepare.ts';

/**
 * One prepared dataset from datasets prepared separately over disjoint, ascending ranges of customers: what a caller
 * that cannot hold a large shop's order records at once builds part by part (each part's records are garbage once it
 * is prepared). Equal to `prepareOrders` of all the parts' orders when the parts split the customers in the dataset's
 * own order (numeric ids ascending, then other keys in string order: so every non-numeric key, and every email, in
 * one last part) and each customer's orders are all in one part; unattributed orders keep the parts' order.
 *
 * Throws `CoreError('invalid-argument')` for no parts, parts prepared with different as-of, time zone or refund
 * attribution, or customers out of order across parts (a caller's bug: the result would no longer be sorted by
 * customer); `CurrencyMismatchError` for parts in different currencies.
 */
export function concatPreparedOrders(parts: readonly PreparedOrders[]): PreparedOrders {
  const first = parts[0];
  if (first === undefined) throw new CoreError(CoreErrorCode.invalidArgument, 'concatPreparedOrders needs at least one part.');
  if (parts.length === 1) return first;
  let currency = first.currency;
  let customers = 0;
  let orders = 0;
  let events = 0;
  let unattributed = 0;
  let previousKey: string | null = null;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    if (part.asOfMs !== first.asOfMs || part.timeZone !== first.timeZone || part.refundAttribution !== first.refundAttribution) {
      throw new CoreError(
        CoreErrorCode.invalidArgument,
        `Part ${p} was prepared as of ${part.asOfMs} in ${part.timeZone} (${part.refundAttribution}), part 0 as of ${first.asOfMs} in ${first.timeZone} (${first.refundAttribution}).`,
      );
    }
    if (part.currency !== null) {
      if (currency === null) currency = part.currency;
      else if (part.currency !== currency) throw new CurrencyMismatchError(currency, part.currency, `part ${p}`);
    }
    const keys = part.customerKeys;
    if (keys.length > 0) {
      if (previousKey !== null && !customerKeyBefore(previousKey, keys[0]!)) {
        throw new CoreError(
          CoreErrorCode.invalidArgument,
          `Part ${p} starts with customer ${JSON.stringify(keys[0])}, which does not come after the previous part's last customer ${JSON.stringify(previousKey)}.`,
        );
      }
      previousKey = keys[keys.length - 1]!;
    }
    customers += keys.length;
    orders += part.orderAtMs.length;
    events += part.eventDay.length;
    unattributed += part.unattributedDay.length;
  }

  const customerKeys = new Array<string>(customers);
  const customerStart = new Int32Array(customers + 1);
  const customerNetMinor = new Float64Array(customers);
  const orderAtMs = new Float64Array(orders);
  const orderDay = new Int32Array(orders);
  const orderNetMinor = new Float64Array(orders);
  const orderSubscription = new Uint8Array(orders);
  // Under order-date attribution the events are the orders (prepareOrders shares the arrays): share them here too.
  const sameEvents = first.refundAttribution === 'order-date';
  const eventStart = sameEvents ? customerStart : new Int32Array(customers + 1);
  const eventDay = sameEvents ? orderDay : new Int32Array(events);
  const eventAmountMinor = sameEvents ? orderNetMinor : new Float64Array(events);
  const unattributedDay = new Int32Array(unattributed);
  const unattributedNetMinor = new Float64Array(unattributed);
  const counts: OrderCounts = { total: 0, counted: 0, unattributed: 0, afterAsOf: 0, skippedByReason: { test: 0, cancelled: 0, refunded: 0 } };

  let c0 = 0;
  let o0 = 0;
  let e0 = 0;
  let u0 = 0;
  for (const part of parts) {
    const n = part.customerKeys.length;
    for (let c = 0; c < n; c++) {
      customerKeys[c0 + c] = part.customerKeys[c]!;
      customerStart[c0 + c + 1] = o0 + part.customerStart[c + 1]!;
      if (!sameEvents) eventStart[c0 + c + 1] = e0 + part.eventStart[c + 1]!;
    }
    customerNetMinor.set(part.customerNetMinor, c0);
    orderAtMs.set(part.orderAtMs, o0);
    orderDay.set(part.orderDay, o0);
    orderNetMinor.set(part.orderNetMinor, o0);
    orderSubscription.set(part.orderSubscription, o0);
    if (!sameEvents) {
      eventDay.set(part.eventDay, e0);
      eventAmountMinor.set(part.eventAmountMinor, e0);
    }
    unattributedDay.set(part.unattributedDay, u0);
    unattributedNetMinor.set(part.unattributedNetMinor, u0);
    counts.total += part.counts.total;
    counts.counted += part.counts.counted;
    counts.unattributed += part.counts.unattributed;
    counts.afterAsOf += part.counts.afterAsOf;
    for (const reason of Object.keys(counts.skippedByReason) as (keyof OrderCounts['skippedByReason'])[]) {
      counts.skippedByReason[reason] += part.counts.skippedByReason[reason];
    }
    c0 += n;
    o0 += part.orderAtMs.length;
    e0 += part.eventDay.length;
    u0 += part.unattributedDay.length;
  }
  return {
    asOfMs: first.asOfMs,
    asOfDay: first.asOfDay,
    timeZone: first.timeZone,
    currency,
    refundAttribution: first.refundAttribution,
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
    unattributedDay,
    unattributedNetMinor,
  };
}

/** True when customer key `a` comes before `b` in a prepared dataset's order ({@link valueKeyOf}). */
function customerKeyBefore(a: string, b: string): boolean {
  const na = valueKeyOf(a);
  const nb = valueKeyOf(b);
  if (na !== null && nb !== null) return na < nb;
  if (na !== null) return true;
  if (nb !== null) return false;
  return a < b;
}

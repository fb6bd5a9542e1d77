import { Worker } from 'node:worker_threads';
import type { OrderRecord, PreparedOrders } from '@clvlens/core';
import { computePreparedShopMetrics, computeShopMetrics, yieldToEventLoop, type ComputeContext, type ShopMetrics } from './insights.ts';

/** A slice of order records as columns: what the metrics worker receives, one message per slice. */
export interface OrderSlice {
  orderIds: string[];
  customerIds: (string | null)[];
  emails: (string | null)[];
  currencies: string[];
  /** placedAtMs, totalMinor, refundedMinor of each record, three numbers per record. */
  numbers: Float64Array<ArrayBuffer>;
  /** Bit 0 cancelled, bit 1 test, bit 2 subscription. */
  flags: Uint8Array<ArrayBuffer>;
  /** The refund details of the records that carry any: index in the slice, and the list. */
  refunds: [number, NonNullable<OrderRecord['refunds']>][];
}

/** Messages from the main thread to the metrics worker. */
export type MetricsWorkerMessage =
  | { type: 'slice'; slice: OrderSlice }
  | { type: 'compute'; context: ComputeContext }
  /** Prepared orders without their customer keys (`customers` blanks stand in: no metric reads a key). */
  | { type: 'prepared'; data: PreparedOrders; customers: number; context: ComputeContext };

/**
 * Below this many orders the shop metrics are computed in place: milliseconds there, less than starting a worker.
 * Above it, `computeShopReport` in one piece held the thread 0.2 s at 200,000 orders and about 1 s at 1,000,000.
 */
export const METRICS_OFF_THREAD_MIN_ORDERS = 20_000;

/**
 * Records per message to the worker. Copying a slice of columns takes about 25 ms of this thread at 50,000 (plain
 * objects took 3-7 times as long: 0.64 s for 1,000,000, with 170 ms slices), and the event loop is free between slices.
 */
const SLICE = 50_000;

/** Records `from` up to `to` as one {@link OrderSlice}. */
export function sliceOf(records: readonly OrderRecord[], from: number, to: number): OrderSlice {
  const n = to - from;
  const slice: OrderSlice = {
    orderIds: new Array<string>(n),
    customerIds: new Array<string | null>(n),
    emails: new Array<string | null>(n),
    currencies: new Array<string>(n),
    numbers: new Float64Array(n * 3),
    flags: new Uint8Array(n),
    refunds: [],
  };
  for (let i = 0; i < n; i++) {
    const r = records[from + i]!;
    slice.orderIds[i] = r.orderId;
    slice.customerIds[i] = r.customerId;
    slice.emails[i] = r.email;
    slice.currencies[i] = r.currency;
    slice.numbers[3 * i] = r.placedAtMs;
    slice.numbers[3 * i + 1] = r.totalMinor;
    slice.numbers[3 * i + 2] = r.refundedMinor;
    slice.flags[i] = (r.cancelled ? 1 : 0) | (r.test ? 2 : 0) | (r.subscription ? 4 : 0);
    if (r.refunds !== undefined) slice.refunds.push([i, r.refunds]);
  }
  return slice;
}

/** The records of a slice, appended to `out` as they were. */
export function appendRecordsOf(slice: OrderSlice, out: OrderRecord[]): void {
  const start = out.length;
  for (let i = 0; i < slice.orderIds.length; i++) {
    const f = slice.flags[i]!;
    out.push({
      orderId: slice.orderIds[i]!,
      customerId: slice.customerIds[i]!,
      email: slice.emails[i]!,
      placedAtMs: slice.numbers[3 * i]!,
      currency: slice.currencies[i]!,
      totalMinor: slice.numbers[3 * i + 1]!,
      refundedMinor: slice.numbers[3 * i + 2]!,
      cancelled: (f & 1) !== 0,
      test: (f & 2) !== 0,
      subscription: (f & 4) !== 0,
    });
  }
  for (const [i, refunds] of slice.refunds) out[start + i]!.refunds = refunds;
}

/**
 * {@link computeShopMetrics} (core's `computeShopReport` and the summary) on a worker thread, so the daily report of
 * a large shop does not hold the thread that answers webhooks and API reads. The records go over in slices of
 * columns with the event loop free in between; the worker computes on the same records in the same order, so the
 * result is the one computed in place.
 */
export async function computeShopMetricsOffThread(
  records: readonly OrderRecord[],
  context: ComputeContext,
  options: { minOrdersOffThread?: number } = {},
): Promise<ShopMetrics> {
  if (records.length < (options.minOrdersOffThread ?? METRICS_OFF_THREAD_MIN_ORDERS)) return computeShopMetrics(records, context);
  return onMetricsWorker(async (worker) => {
    for (let from = 0; from < records.length; from += SLICE) {
      const slice = sliceOf(records, from, Math.min(records.length, from + SLICE));
      const message: MetricsWorkerMessage = { type: 'slice', slice };
      worker.postMessage(message, [slice.numbers.buffer, slice.flags.buffer]);
      await yieldToEventLoop();
    }
    const compute: MetricsWorkerMessage = { type: 'compute', context };
    worker.postMessage(compute);
  });
}

/**
 * {@link computeShopMetricsOffThread} from orders already prepared with `shopReportOptions(context)` (a large shop's,
 * read a part at a time: prepared-shop.ts). The columns are moved to the worker, not copied: `data` is unusable
 * here afterwards. Its customer keys stay here (no metric reads them; millions of strings would take seconds to copy).
 */
export async function computePreparedShopMetricsOffThread(
  data: PreparedOrders,
  context: ComputeContext,
  options: { minOrdersOffThread?: number } = {},
): Promise<ShopMetrics> {
  if (data.counts.total < (options.minOrdersOffThread ?? METRICS_OFF_THREAD_MIN_ORDERS)) return computePreparedShopMetrics(data, context);
  return onMetricsWorker(async (worker) => {
    const columns = [
      data.customerStart,
      data.orderAtMs,
      data.orderDay,
      data.orderNetMinor,
      data.orderSubscription,
      data.eventStart,
      data.eventDay,
      data.eventAmountMinor,
      data.customerNetMinor,
      data.unattributedDay,
      data.unattributedNetMinor,
    ];
    // Under order-date attribution the events share the orders' arrays: each buffer is moved once.
    const buffers = [...new Set(columns.map((c) => c.buffer as ArrayBuffer))];
    const message: MetricsWorkerMessage = { type: 'prepared', data: { ...data, customerKeys: [] }, customers: data.customerKeys.length, context };
    worker.postMessage(message, buffers);
  });
}

/** Starts the metrics worker, hands it its input with `send`, and answers what it computes; the worker ends after. */
async function onMetricsWorker(send: (worker: Worker) => Promise<void>): Promise<ShopMetrics> {
  const worker = new Worker(new URL('./metrics-worker.ts', import.meta.url));
  try {
    const result = new Promise<ShopMetrics>((resolve, reject) => {
      worker.once('message', (metrics: ShopMetrics) => resolve(metrics));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the shop metrics worker exited with code ${code} before answering`)));
    });
    // Without a handler here, a worker that fails while the input is still being sent would be an unhandled rejection.
    result.catch(() => undefined);
    await send(worker);
    return await result;
  } finally {
    await worker.terminate();
  }
}

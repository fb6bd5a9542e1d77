import { Worker } from 'node:worker_threads';
import type { PreparedOrders } from '@clvlens/core';
import { computePreparedShopMetrics, type ComputeContext, type ShopMetrics } from './insights.ts';

/** Messages from the main thread to the metrics worker. */
export type MetricsWorkerMessage =
  /** Prepared orders without their customer keys (`customers` blanks stand in: no metric reads a key). */
  { type: 'prepared'; data: PreparedOrders; customers: number; context: ComputeContext };

/**
 * Below this many orders the shop metrics are computed in place: milliseconds there, less than starting a worker.
 * Above it, `computeShopReport` in one piece held the thread 0.2 s at 200,000 orders and about 1 s at 1,000,000.
 */
export const METRICS_OFF_THREAD_MIN_ORDERS = 20_000;

/**
 * The shop metrics (`computePreparedShopMetrics`: core's report and the summary) of orders prepared with
 * `shopReportOptions(context)` (read a part at a time: prepared-shop.ts), on a worker thread, so that the report of a
 * large shop does not hold the thread that answers webhooks and API reads. The columns are moved to the worker, not
 * copied: `data` is unusable here afterwards. Its customer keys stay here (no metric reads them; millions of strings
 * would take seconds to copy).
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

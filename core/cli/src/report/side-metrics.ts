import { Worker } from 'node:worker_threads';
import {
  computeShopReportMainMetrics,
  computeShopReportSideMetrics,
  prepareShopReport,
  shopReportFromParts,
  type PreparedOrders,
  type ShopReport,
  type ShopReportOptions,
  type ShopReportSideMetrics,
} from '@clvlens/core/report';
import type { OrderRecord } from '@clvlens/core';

/**
 * Reports on at least this many orders compute core's side metrics (RFM, time between orders, repurchase window,
 * historic and formula CLV, MRR, period churn, product retention: about half of the metrics' time) on a worker
 * thread while this thread computes the others. Below it, starting a thread costs more than it saves.
 */
export const SIDE_THREAD_MIN_ORDERS = 100_000;

/** A worker thread computing core's side metrics (see {@link SIDE_THREAD_MIN_ORDERS}). */
export interface SideMetricsThread {
  /**
   * Sends a copy of `data` (its customer keys as a count: the side metrics read only their number) and resolves to
   * the side metrics, or to null when the thread failed: compute them on this thread then.
   */
  compute(data: PreparedOrders, options: ShopReportOptions): Promise<ShopReportSideMetrics | null>;
  /** Ends the thread. */
  stop(): void;
}

/** What the main thread sends: the prepared orders without their customer keys, and the report options. */
export interface SideMetricsRequest {
  data: Omit<PreparedOrders, 'customerKeys'>;
  customerCount: number;
  options: ShopReportOptions;
}

/** What the worker sends back. */
export type SideMetricsReply = { ok: true; side: ShopReportSideMetrics } | { ok: false };

/**
 * Starts the thread now, so that it loads core while this thread prepares the orders. A report is only computed
 * once, so the thread serves one {@link SideMetricsThread.compute}.
 */
export function startSideMetricsThread(): SideMetricsThread {
  const worker = new Worker(new URL('./side-metrics-worker.ts', import.meta.url));
  const reply = new Promise<SideMetricsReply>((resolve) => {
    worker.once('message', (message: SideMetricsReply) => resolve(message));
    worker.once('error', () => resolve({ ok: false }));
    worker.once('exit', () => resolve({ ok: false }));
  });
  return {
    async compute(data, options) {
      const { customerKeys, ...rest } = data;
      const request: SideMetricsRequest = { data: rest, customerCount: customerKeys.length, options };
      try {
        // The typed arrays are copied, not transferred: this thread computes the other metrics from them meanwhile.
        worker.postMessage(request);
      } catch {
        return null;
      }
      const answer = await reply;
      return answer.ok ? answer.side : null;
    },
    stop: () => void worker.terminate(),
  };
}

/**
 * core's computeShopReport, with its side metrics computed on a worker thread when there are at least
 * `threadMinOrders` orders: the same report (core's parts are pure, and the thread gets a copy of the prepared
 * orders), and when the thread fails the side metrics are computed here.
 */
export async function computeReport(orders: readonly OrderRecord[], options: ShopReportOptions, threadMinOrders = SIDE_THREAD_MIN_ORDERS): Promise<ShopReport> {
  const thread = orders.length >= threadMinOrders ? startSideMetricsThread() : null;
  try {
    const data = prepareShopReport(orders, options);
    const side = thread?.compute(data, options) ?? null;
    const main = computeShopReportMainMetrics(data, options);
    return shopReportFromParts(data, options, main, (await side) ?? computeShopReportSideMetrics(data, options));
  } finally {
    thread?.stop();
  }
}

// Worker-thread entry of startSideMetricsThread (side-metrics.ts): computes core's side metrics of one report from a
// copy of the prepared orders and sends them back.
import { parentPort } from 'node:worker_threads';
import { computeShopReportSideMetrics, type PreparedOrders } from '@clvlens/core/report';
import type { SideMetricsReply, SideMetricsRequest } from './side-metrics.ts';

parentPort?.once('message', ({ data, customerCount, options }: SideMetricsRequest) => {
  let reply: SideMetricsReply;
  try {
    // The side metrics read the customers' number only: blank keys stand in for the keys left on the main thread.
    const prepared: PreparedOrders = { ...data, customerKeys: new Array<string>(customerCount).fill('') };
    reply = { ok: true, side: computeShopReportSideMetrics(prepared, options) };
  } catch {
    // The main thread computes them itself, and throws what there is to throw.
    reply = { ok: false };
  }
  parentPort?.postMessage(reply);
});

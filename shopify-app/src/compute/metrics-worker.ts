// Worker-thread entry of computeShopMetricsOffThread (metrics-off-thread.ts): collects the order records sent in
// slices, then computes the shop metrics away from the thread that answers webhooks.
import { parentPort } from 'node:worker_threads';
import type { OrderRecord } from '@clvlens/core';
import { computeShopMetrics } from './insights.ts';
import { appendRecordsOf, type MetricsWorkerMessage } from './metrics-off-thread.ts';

const records: OrderRecord[] = [];
parentPort!.on('message', (message: MetricsWorkerMessage) => {
  if (message.type === 'slice') appendRecordsOf(message.slice, records);
  else parentPort!.postMessage(computeShopMetrics(records, message.context));
});

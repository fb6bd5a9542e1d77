// Worker-thread entry of computeShopMetricsOffThread and computePreparedShopMetricsOffThread (metrics-off-thread.ts):
// collects the order records sent in slices (or takes the prepared orders), then computes the shop metrics away from
// the thread that answers webhooks.
import { parentPort } from 'node:worker_threads';
import type { OrderRecord } from '@clvlens/core';
import { computePreparedShopMetrics, computeShopMetrics } from './insights.ts';
import { appendRecordsOf, type MetricsWorkerMessage } from './metrics-off-thread.ts';

const records: OrderRecord[] = [];
parentPort!.on('message', (message: MetricsWorkerMessage) => {
  if (message.type === 'slice') appendRecordsOf(message.slice, records);
  else if (message.type === 'compute') parentPort!.postMessage(computeShopMetrics(records, message.context));
  else parentPort!.postMessage(computePreparedShopMetrics({ ...message.data, customerKeys: new Array<string>(message.customers).fill('') }, message.context));
});

// Worker-thread entry of computePreparedShopMetricsOffThread (metrics-off-thread.ts): takes the prepared orders and
// computes the shop metrics away from the thread that answers webhooks.
import { parentPort } from 'node:worker_threads';
import { computePreparedShopMetrics } from './insights.ts';
import type { MetricsWorkerMessage } from './metrics-off-thread.ts';

parentPort!.on('message', (message: MetricsWorkerMessage) => {
  parentPort!.postMessage(computePreparedShopMetrics({ ...message.data, customerKeys: new Array<string>(message.customers).fill('') }, message.context));
});

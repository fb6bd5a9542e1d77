// Worker-thread entry of fitChurnModelsOffThread (fit-off-thread.ts): rebuilds the counted orders from the columns it
// was handed and fits the shop's churn models, away from the thread that answers webhooks.
import { parentPort, workerData } from 'node:worker_threads';
import { fitChurnModels, type CountedOrder } from '@clvlens/core';
import type { FitJob } from './fit-off-thread.ts';

const job = workerData as FitJob;
const orders: CountedOrder[] = new Array(job.keyIndex.length);
for (let i = 0; i < orders.length; i++) {
  orders[i] = { customerKey: job.keys[job.keyIndex[i]!]!, placedAtMs: job.placedAtMs[i]!, amountMinor: job.amountMinor[i]! };
}
parentPort!.postMessage(fitChurnModels(orders, job.options));

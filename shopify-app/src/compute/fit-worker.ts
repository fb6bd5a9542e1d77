// Worker-thread entry of fitChurnModelsOffThread (fit-off-thread.ts): rebuilds the counted orders from the columns it
// was handed and fits the shop's churn models, away from the thread that answers webhooks. Started with a job (a large
// shop's thread of its own: one fit, then it ends) or without (the process's shared fit thread: one answer per request).
import { parentPort, workerData } from 'node:worker_threads';
import { fitChurnModels } from '@clvlens/core';
import { ordersOfColumns, type FitAnswer, type FitJob, type FitRequest } from './fit-off-thread.ts';

if (workerData) {
  const job = workerData as FitJob;
  parentPort!.postMessage(fitChurnModels(ordersOfColumns(job.columns), job.options));
} else {
  parentPort!.on('message', ({ id, job }: FitRequest) => {
    let answer: FitAnswer;
    try {
      answer = { id, models: fitChurnModels(ordersOfColumns(job.columns), job.options) };
    } catch (error) {
      answer = { id, error: (error as Error).stack ?? String(error) };
    }
    parentPort!.postMessage(answer);
  });
}

// Worker-thread entry of fitChurnModelsOffThread (fit-off-thread.ts): rebuilds the counted orders from the columns it
// was handed and fits the shop's churn models, away from the thread that answers webhooks.
import { parentPort, workerData } from 'node:worker_threads';
import { fitChurnModels } from '@clvlens/core';
import { ordersOfColumns, type FitJob } from './fit-off-thread.ts';

const job = workerData as FitJob;
parentPort!.postMessage(fitChurnModels(ordersOfColumns(job.columns), job.options));

import { Worker } from 'node:worker_threads';
import { fitChurnModels, type ChurnModels, type ChurnModelFitOptions, type CountedOrder } from '@clvlens/core';

/** What the fit worker receives: the counted orders as columns (typed arrays are moved, not copied). */
export interface FitJob {
  keys: string[];
  keyIndex: Int32Array;
  placedAtMs: Float64Array;
  amountMinor: Float64Array;
  options: ChurnModelFitOptions;
}

/**
 * Below this many counted orders the fit runs in place: it takes milliseconds there, less than starting a worker.
 * Above it, a fit that struggles (a shop whose orders the MBG/NBD describes badly, retried with penalties before the
 * cadence rule) took 1.2 s of one thread at 100,000 orders and grows with the shop.
 */
export const OFF_THREAD_MIN_ORDERS = 20_000;

/**
 * core's `fitChurnModels` on a worker thread, so a large shop's fit does not hold the thread that answers webhooks
 * and API reads (the embedded database and HTTP share it). Same code, same input order: the same models as in place.
 */
export async function fitChurnModelsOffThread(
  orders: readonly CountedOrder[],
  options: ChurnModelFitOptions & { minOrdersOffThread?: number },
): Promise<ChurnModels> {
  const { minOrdersOffThread, ...fitOptions } = options;
  if (orders.length < (minOrdersOffThread ?? OFF_THREAD_MIN_ORDERS)) return fitChurnModels(orders, fitOptions);
  const keyOf = new Map<string, number>();
  const keys: string[] = [];
  const keyIndex = new Int32Array(orders.length);
  const placedAtMs = new Float64Array(orders.length);
  const amountMinor = new Float64Array(orders.length);
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i]!;
    let k = keyOf.get(order.customerKey);
    if (k === undefined) {
      k = keys.length;
      keyOf.set(order.customerKey, k);
      keys.push(order.customerKey);
    }
    keyIndex[i] = k;
    placedAtMs[i] = order.placedAtMs;
    amountMinor[i] = order.amountMinor;
  }
  const job: FitJob = { keys, keyIndex, placedAtMs, amountMinor, options: fitOptions };
  const worker = new Worker(new URL('./fit-worker.ts', import.meta.url), {
    workerData: job,
    transferList: [keyIndex.buffer, placedAtMs.buffer, amountMinor.buffer],
  });
  try {
    return await new Promise<ChurnModels>((resolve, reject) => {
      worker.once('message', (models: ChurnModels) => resolve(models));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the model fit worker exited with code ${code} before answering`)));
    });
  } finally {
    await worker.terminate();
  }
}

import { Worker } from 'node:worker_threads';
import { type ChurnModelFitOptions, type ChurnModels, type CountedOrder, type PreparedOrders } from '@clvlens/core';
import type { FitSample } from './insights.ts';

/** Counted orders as columns: what the fit worker receives (typed arrays are moved to it, not copied). */
export interface CountedColumns {
  /**
   * The customers' keys, or null when there are too many to copy to the worker cheaply (a large shop's prepared
   * orders): the fit's result names no customer, so there they are only told apart, by index.
   */
  keys: string[] | null;
  keyIndex: Int32Array<ArrayBuffer>;
  placedAtMs: Float64Array<ArrayBuffer>;
  amountMinor: Float64Array<ArrayBuffer>;
}

/** What the fit worker receives. */
export interface FitJob {
  columns: CountedColumns;
  options: ChurnModelFitOptions;
}

/**
 * From this many counted orders a fit gets a worker thread of its own (started for it, about 0.2 s of CPU); below it,
 * fits go to the process's shared fit thread, one at a time, so a large shop's fit never makes small shops' wait. A
 * fit that struggles (a shop whose orders the MBG/NBD describes badly, retried with penalties before the cadence rule)
 * took 1.2 s of one thread at 100,000 orders and 5.3 s at 1,000,000; small shops' fits are mostly milliseconds, but
 * not always (a 193-order shop's took 0.7 s, and minutes before the Pareto/NBD quadrature was fixed), which is why
 * none runs on the thread that answers webhooks.
 */
export const OFF_THREAD_MIN_ORDERS = 20_000;

/**
 * Customers the churn fit of a full run sees at most: past this, an even sample of them (every k-th customer in the
 * prepared order, numeric ids ascending then guests; k = ⌈n / this⌉). The fit's candidates, backtest, calibration and
 * tiers are shop-level estimates, and 250,000 customers pin them down (core already fits the transaction models on
 * 100,000 and compares candidates on 50,000); every customer is still scored with the models. Without it the fit grew
 * with the shop: 26 s of a thread for 1,270,000 customers, most of it per-customer summaries of the whole population,
 * and every counted order of a 10,000,000-order shop as an object on the fit thread.
 */
export const FIT_SAMPLE_CUSTOMERS = 250_000;

/**
 * The counted orders of a shop's prepared dataset as columns, customer by customer (the dataset's order: numeric ids
 * ascending, then guests), of every customer or of an even sample of at most `maxCustomers` ({@link
 * FIT_SAMPLE_CUSTOMERS}), the customers by index ({@link CountedColumns.keys} null): core prepares exactly the counted
 * orders the fit takes (up to asOf, counted, with a customer key, net of refunds). The arrays are copies: `data`
 * stays usable.
 */
export function preparedCountedColumns(data: PreparedOrders, maxCustomers = FIT_SAMPLE_CUSTOMERS): CountedColumns {
  const customers = data.customerKeys.length;
  const stride = sampleStride(customers, maxCustomers);
  let n = 0;
  for (let c = 0; c < customers; c += stride) n += data.customerStart[c + 1]! - data.customerStart[c]!;
  const keyIndex = new Int32Array(n);
  const placedAtMs = new Float64Array(n);
  const amountMinor = new Float64Array(n);
  let at = 0;
  for (let c = 0, k = 0; c < customers; c += stride, k++) {
    const from = data.customerStart[c]!;
    const to = data.customerStart[c + 1]!;
    keyIndex.fill(k, at, at + to - from);
    placedAtMs.set(data.orderAtMs.subarray(from, to), at);
    amountMinor.set(data.orderNetMinor.subarray(from, to), at);
    at += to - from;
  }
  return { keys: null, keyIndex, placedAtMs, amountMinor };
}

/**
 * The sample {@link preparedCountedColumns} takes of a dataset of `customers` customers: null when it takes every one
 * (at most `maxCustomers`), else how many of them it takes.
 */
export function fitSampleOf(customers: number, maxCustomers = FIT_SAMPLE_CUSTOMERS): FitSample | null {
  const stride = sampleStride(customers, maxCustomers);
  return stride === 1 ? null : { customers: Math.ceil(customers / stride), ofCustomers: customers };
}

/** Every k-th customer: k = ⌈customers / maxCustomers⌉, at least 1. */
function sampleStride(customers: number, maxCustomers: number): number {
  return Math.max(1, Math.ceil(customers / maxCustomers));
}

/** The counted orders back from columns, in their original order. */
export function ordersOfColumns(columns: CountedColumns): CountedOrder[] {
  const keys = columns.keys ?? indexKeys(columns.keyIndex);
  const orders: CountedOrder[] = new Array(columns.keyIndex.length);
  for (let i = 0; i < orders.length; i++) {
    orders[i] = { customerKey: keys[columns.keyIndex[i]!]!, placedAtMs: columns.placedAtMs[i]!, amountMinor: columns.amountMinor[i]! };
  }
  return orders;
}

/** One key per customer index ("0", "1", ...): one string per customer, shared by their orders. */
function indexKeys(keyIndex: Int32Array): string[] {
  let customers = 0;
  for (let i = 0; i < keyIndex.length; i++) if (keyIndex[i]! >= customers) customers = keyIndex[i]! + 1;
  return Array.from({ length: customers }, (_, k) => String(k));
}

/** A fit request to the shared fit thread, and its answer. */
export interface FitRequest {
  id: number;
  job: FitJob;
}
export type FitAnswer = { id: number; models: ChurnModels } | { id: number; error: string };

/**
 * The process's shared fit thread: started at its first fit and kept, one fit at a time, unref'd while idle (it never
 * keeps the process alive, only an awaited fit does). A thread that dies (an exception outside a fit, out of memory) fails the fits it held and is started
 * again by the next.
 */
function createSharedFitThread(): (job: FitJob, transfer: ArrayBuffer[]) => Promise<ChurnModels> {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve(models: ChurnModels): void; reject(error: Error): void }>();
  let queue: Promise<unknown> = Promise.resolve();
  const start = (): Worker => {
    const started = new Worker(new URL('./fit-worker.ts', import.meta.url));
    started.on('message', (answer: FitAnswer) => {
      const waiting = pending.get(answer.id);
      pending.delete(answer.id);
      if (pending.size === 0) started.unref();
      if ('error' in answer) waiting?.reject(new Error(answer.error));
      else waiting?.resolve(answer.models);
    });
    const fail = (error: Error): void => {
      if (worker === started) worker = null;
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    };
    started.on('error', fail);
    started.on('exit', (code) => fail(new Error(`the shared model fit thread exited with code ${code}`)));
    return started;
  };
  return (job, transfer) => {
    const run = queue.then(
      () =>
        new Promise<ChurnModels>((resolve, reject) => {
          worker ??= start();
          const id = nextId++;
          pending.set(id, { resolve, reject });
          // Ref'd while a fit is out (an awaited fit keeps the process alive), unref'd when idle (its 'message'
          // listener refs the port, and a thread kept that way held every process that ever fitted a small shop
          // from exiting: a finished benchmark hung on it).
          worker.ref();
          worker.postMessage({ id, job } satisfies FitRequest, transfer);
        }),
    );
    queue = run.catch(() => undefined);
    return run;
  };
}

const sharedFit = createSharedFitThread();

/**
 * core's `fitChurnModels` on a worker thread, so no shop's fit holds the thread that answers webhooks and API reads
 * (the embedded database and HTTP share it): from {@link OFF_THREAD_MIN_ORDERS} counted orders (or `minOrdersOffThread`)
 * on a thread of its own, below on the process's shared fit thread. Same code, same input order: the same models as in
 * place. The columns' arrays are moved to the worker (unusable here afterwards).
 */
export async function fitChurnModelsOffThread(columns: CountedColumns, options: ChurnModelFitOptions & { minOrdersOffThread?: number }): Promise<ChurnModels> {
  const { minOrdersOffThread, ...fitOptions } = options;
  const job: FitJob = { columns, options: fitOptions };
  const transfer = [columns.keyIndex.buffer, columns.placedAtMs.buffer, columns.amountMinor.buffer];
  if (columns.keyIndex.length < (minOrdersOffThread ?? OFF_THREAD_MIN_ORDERS)) return sharedFit(job, transfer);
  const worker = new Worker(new URL('./fit-worker.ts', import.meta.url), { workerData: job, transferList: transfer });
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

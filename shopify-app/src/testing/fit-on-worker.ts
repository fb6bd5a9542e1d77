// A child for compile-cache.test.ts: the app's compile cache enabled as the production entry enables it, then one fit
// on a worker thread of its own (fitChurnModelsOffThread forced off this thread), so the worker loads its modules.
import { enableCompileCacheForThreads } from '../ops/compile-cache.ts';

const directory = enableCompileCacheForThreads();
const { fitChurnModelsOffThread } = await import('../compute/fit-off-thread.ts');
const day = 86_400_000;
const models = await fitChurnModelsOffThread(
  { keys: null, keyIndex: Int32Array.of(0, 0, 1), placedAtMs: Float64Array.of(0, 30 * day, 10 * day), amountMinor: Float64Array.of(1000, 2000, 1500) },
  { asOfMs: 100 * day, timeZone: 'UTC', horizonDays: 90, minOrdersOffThread: 0 },
);
console.log(JSON.stringify({ directory, fitted: typeof models === 'object' && models !== null }));

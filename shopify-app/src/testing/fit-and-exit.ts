// Child process of fit-off-thread.test.ts: one small fit on the process's shared fit thread, then nothing: the process
// must exit by itself (the idle thread does not keep it alive).
import { fitChurnModelsOffThread } from '../compute/fit-off-thread.ts';

const n = 300;
const keyIndex = new Int32Array(n);
const placedAtMs = new Float64Array(n);
const amountMinor = new Float64Array(n);
for (let i = 0; i < n; i++) {
  keyIndex[i] = i % 100;
  placedAtMs[i] = Date.UTC(2026, 0, 1) + i * 86_400_000;
  amountMinor[i] = 1000;
}
const models = await fitChurnModelsOffThread({ keys: null, keyIndex, placedAtMs, amountMinor }, { asOfMs: Date.UTC(2026, 11, 1), timeZone: 'UTC' });
console.log(`fitted ${models.method}`);

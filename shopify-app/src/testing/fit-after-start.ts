// Child process of test/src/runtime/maglev-off.test.ts, run with --trace-opt: with argument `start`, starts the app server first (as
// every app process does), then fits a shop's churn models on a worker thread and in place, as a full run does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitChurnModels } from '@clvlens/core';
import { fitChurnModelsOffThread, ordersOfColumns, type CountedColumns } from '../compute/fit-off-thread.ts';
import { silentLogger } from '../log.ts';
import { startAppServer } from '../start.ts';
import { TEST_KEY, TEST_SECRET } from './http-server.ts';

const dataDir = process.argv[2] === 'start' ? mkdtempSync(join(tmpdir(), 'clvlens-fit-after-start-')) : null;
const server =
  dataDir !== null
    ? await startAppServer({
        apiKey: 'test-key',
        apiSecretKey: TEST_SECRET,
        appUrl: 'https://app.example.com',
        encryptionKey: TEST_KEY,
        dataDir,
        port: 0,
        log: silentLogger,
      })
    : null;

/** 200 customers with 1-5 orders each over two years, from a fixed linear congruential sequence. */
function columns(): CountedColumns {
  let seed = 99;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const keys: number[] = [];
  const at: number[] = [];
  const amounts: number[] = [];
  for (let c = 0; c < 200; c++) {
    let t = Date.UTC(2024, 10, 1) + Math.floor(next() * 300) * 86_400_000;
    for (let k = 0, n = 1 + Math.floor(next() * 5); k < n; k++, t += Math.floor(20 + next() * 120) * 86_400_000) {
      keys.push(c);
      at.push(t);
      amounts.push(500 + Math.floor(next() * 9_000));
    }
  }
  return { keys: null, keyIndex: Int32Array.from(keys), placedAtMs: Float64Array.from(at), amountMinor: Float64Array.from(amounts) };
}

const options = { asOfMs: Date.UTC(2026, 10, 20), timeZone: 'UTC' };
const inPlace = fitChurnModels(ordersOfColumns(columns()), options);
const offThread = await fitChurnModelsOffThread(columns(), { ...options, minOrdersOffThread: 0 });
await server?.stop();
if (dataDir !== null) rmSync(dataDir, { recursive: true, force: true });
console.log(`RESULT ${JSON.stringify({ method: inPlace.method, same: JSON.stringify(inPlace) === JSON.stringify(offThread) })}`);

// Worker-thread entry of readShopifyOrdersExport (shopify-orders.ts): reads the tail of a large export and sends its
// orders back as columns, their buffers transferred rather than copied.
import { parentPort, workerData } from 'node:worker_threads';
import { readExportTail, transferablesOf, type TailOptions } from './shopify-orders.ts';

const { path, file, options, split } = workerData as { path: string; file: string; options: TailOptions; split: number };
const tail = readExportTail(path, file, options, split);
parentPort?.postMessage(tail, tail.ok ? [...transferablesOf(tail.orders), tail.names.bits.buffer as ArrayBuffer] : []);

import { PassThrough } from 'node:stream';
import type { ShopSource } from './generate.ts';
import { writeShopifyOrdersExport, type OrdersExportOptions } from './shopify-export.ts';
import { writeTransactionLog } from './truth.ts';

/** Collects everything written to a stream as one string (for tests). */
export async function captureText(write: (out: PassThrough) => Promise<unknown>): Promise<string> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (chunk: Buffer) => parts.push(chunk));
  await write(out);
  out.end();
  await new Promise<void>((resolve) => out.on('end', () => resolve()));
  return Buffer.concat(parts).toString('utf8');
}

/** The orders export of `source` as a string. */
export function exportText(source: ShopSource, options: OrdersExportOptions = {}): Promise<string> {
  return captureText((out) => writeShopifyOrdersExport(source, out, options));
}

/** The transaction log of `source` as a string. */
export function transactionLogText(source: ShopSource): Promise<string> {
  return captureText((out) => writeTransactionLog(source, out));
}

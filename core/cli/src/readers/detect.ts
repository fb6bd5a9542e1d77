import { CliError, CliErrorCode } from '../errors.ts';
import { readFirstLine } from './csv-rows.ts';
import type { OrdersReader, ReadOrdersOptions, ReadOrdersResult } from './reader.ts';
import { shopifyOrdersReader } from './shopify-orders.ts';
import { transactionLogReader } from './transaction-log.ts';

/**
 * Every orders format, in detection order: the first whose `detect` accepts the file's first line reads it.
 * Headers are matched by column name, so the Shopify export (Name, Created at, Total) and the transaction log
 * (customer_id, date, amount) cannot be confused.
 */
export const READERS: readonly OrdersReader[] = [shopifyOrdersReader, transactionLogReader];

/** The reader for a file's first line, or a `unknown-format` error listing what each format's header looks like. */
export function detectReader(firstLine: string, file: string): OrdersReader {
  const reader = READERS.find((candidate) => candidate.detect(firstLine));
  if (reader !== undefined) return reader;
  const shown = firstLine.length > 120 ? `${firstLine.slice(0, 120)}...` : firstLine;
  throw new CliError(
    CliErrorCode.unknownFormat,
    `the first line ${JSON.stringify(shown)} matches no input format. Expected one of:\n` +
      READERS.map((candidate) => `  - ${candidate.description}`).join('\n'),
    { location: { file, line: 1 } },
  );
}

/** Detects the format of `path` from its first line and reads all its orders. */
export async function readOrdersFile(path: string, file: string, options: ReadOrdersOptions): Promise<ReadOrdersResult> {
  const reader = detectReader(await readFirstLine(path, file), file);
  return await reader.read(path, file, options);
}

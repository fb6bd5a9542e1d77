import { readFile } from 'node:fs/promises';
import { createTranslator, type Locale } from '@clvlens/core/i18n';
import { CliError, CliErrorCode } from '../errors.ts';
import { looksLikeCdnow, readCdnow, type CdnowLog } from './cdnow.ts';
import { describeIoError, firstLineOf, readHead, textOptionsOf, type TextOptions } from './csv-rows.ts';
import { decodeText } from './text-decoding.ts';
import { InputFormat, paidOrder, type OrdersReader, type ReadOrdersOptions, type ReadOrdersResult } from './reader.ts';
import { shopifyOrdersReader } from './shopify-orders.ts';
import { transactionLogReader } from './transaction-log.ts';

/**
 * Reads a whole CDNOW log (a few MB). CDNOW amounts are US dollars, so a `--currency` other than USD is a
 * `mixed-currency` error; an unreadable file is `file-unreadable`.
 */
export async function readCdnowFile(path: string, file: string, currency: string | null, options: TextOptions = {}): Promise<CdnowLog> {
  if (currency !== null && currency !== 'USD') {
    throw new CliError(CliErrorCode.mixedCurrency, `${file} is a CDNOW log in USD; --currency ${currency} does not apply.`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause });
  }
  return readCdnow(decodeText(bytes, file, options.encoding ?? 'utf8', options.locale ?? 'en'), file);
}

/**
 * The CLV-models engineer's CDNOW reader (cdnow.ts) behind the common interface, for `report` on CDNOW_sample.txt
 * and CDNOW_master.txt: whitespace-separated, no CSV header, amounts in US dollars, read whole (the files are a few
 * MB). Each line becomes one order `cdnow:<n>` of its customer; there are no test, cancelled or refunded orders.
 */
export const cdnowOrdersReader: OrdersReader = {
  format: InputFormat.cdnow,
  description: 'CDNOW log (whitespace-separated: [master_id] customer_id yyyymmdd cds dollars)',
  detect: (head) => looksLikeCdnow(head),
  async read(path, file, options): Promise<ReadOrdersResult> {
    const log = await readCdnowFile(path, file, options.currency, textOptionsOf(options));
    return {
      format: InputFormat.cdnow,
      file,
      orders: log.orders.map((order, i) => paidOrder(`cdnow:${i + 1}`, order.customerKey, order.placedAtMs, log.currency, order.amountMinor)),
      dataRows: log.orders.length,
      skippedByReason: {},
    };
  },
};

/**
 * Every orders format, in detection order: the first whose `detect` accepts the start of the file reads it.
 * Headers are matched by column name, so the Shopify export (Name, Created at, Total) and the transaction log
 * (customer_id, date, amount) cannot be confused; CDNOW has no CSV header and is recognised by its data lines.
 */
export const READERS: readonly OrdersReader[] = [shopifyOrdersReader, transactionLogReader, cdnowOrdersReader];

/**
 * The reader for a file whose first 64 KiB are `head` (BOM removed); an `empty-file` error when it holds nothing but
 * white space, or an `unknown-format` error listing what each format looks like.
 */
export function detectReader(head: string, file: string, locale: Locale = 'en'): OrdersReader {
  if (head.trim() === '') throw new CliError(CliErrorCode.emptyFile, createTranslator(locale).t('cli.error.emptyFile', { file }));
  const reader = READERS.find((candidate) => candidate.detect(head));
  if (reader !== undefined) return reader;
  const firstLine = firstLineOf(head);
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
  const reader = detectReader(await readHead(path, file, textOptionsOf(options)), file, options.locale ?? 'en');
  return await reader.read(path, file, options);
}

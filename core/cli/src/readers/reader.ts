import type { OrderRecord } from '@clvlens/core';
import type { Locale } from '@clvlens/core/i18n';
import type { Progress } from '../progress.ts';
import type { TextEncoding } from './text-decoding.ts';

/** Input formats `clvlens` reads; see README "Input formats" for how each is detected. */
export const InputFormat = {
  shopifyOrdersExport: 'shopify-orders-export',
  transactionLog: 'transaction-log',
  cdnow: 'cdnow',
} as const;
export type InputFormat = (typeof InputFormat)[keyof typeof InputFormat];

/** Options every orders reader takes. */
export interface ReadOrdersOptions {
  /** The shop's IANA time zone: dates and datetimes without an offset are wall-clock time there. */
  timeZone: string;
  /**
   * ISO 4217 code given with `--currency`, or null. Files without a currency column use it (the transaction log
   * defaults to USD); files with one must agree with it.
   */
  currency: string | null;
  /** Count rows with invalid values by reason and go on, instead of stopping at the first with an error. */
  skipInvalid: boolean;
  /** Where reading progress goes (a no-op unless stderr is a terminal or `--progress` is given). */
  progress: Progress;
  /** The file's text encoding (`--encoding`). Default: utf8, checked (invalid UTF-8 is an error naming the line). */
  encoding?: TextEncoding;
  /** Language of messages about the input (`--lang`). Default: en. */
  locale?: Locale;
}

/** Orders read from one file, with everything that was not turned into an order counted by reason. */
export interface ReadOrdersResult {
  format: InputFormat;
  /** The file as the user named it, for messages. */
  file: string;
  orders: OrderRecord[];
  /** CSV data rows read (header and blank lines excluded); a Shopify order spans one row per line item. */
  dataRows: number;
  /**
   * Data that did not become an order, by reason (`duplicate-order`, `missing-order-row`, `invalid-created-at`...).
   * Orders core does not count (test, cancelled, net <= 0) are not here: they are orders, and core counts them.
   */
  skippedByReason: Record<string, number>;
  /**
   * UTC offsets the file's datetimes carry (`-0400`, `+0000`; at most a few distinct ones), when the format has
   * them: lets `report` warn that the export is from a shop outside `--timezone`.
   */
  timeOffsets?: string[];
}

/**
 * One input format. `detect` sees the start of the file (up to 64 KiB, UTF-8 BOM removed) and says whether it is
 * this format; readers are tried in the order of `READERS` in detect.ts, and the first match reads the whole file.
 */
export interface OrdersReader {
  format: InputFormat;
  /** One line for `--help` and error messages: what the format is and how it is recognised. */
  description: string;
  detect(head: string): boolean;
  read(path: string, file: string, options: ReadOrdersOptions): Promise<ReadOrdersResult>;
}

/** Adds one to `counts[reason]`. */
export function countSkip(counts: Record<string, number>, reason: string): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}

/**
 * An order from a format that records only who paid how much when (transaction logs, CDNOW): no email, refunds,
 * cancellation, test flag or subscription.
 */
export function paidOrder(orderId: string, customerId: string | null, placedAtMs: number, currency: string, totalMinor: number): OrderRecord {
  return { orderId, customerId, email: null, placedAtMs, currency, totalMinor, refundedMinor: 0, cancelled: false, test: false, subscription: false };
}

import type { ShopReport } from '@clvlens/core';
import type { InputFormat, ReadOrdersResult } from '../readers/reader.ts';

/**
 * What `clvlens report --json` prints: core's {@link ShopReport} unchanged (every metric, as core computed it), with
 * `orders.skippedByReason` also counting what the reader could not turn into orders, plus `input` describing the
 * files read. Top-level keys of issue 2: asOf, currency, orders{counted, unattributed, skippedByReason}, customers,
 * repeatPurchaseRate{windowDays, value}, returningCustomerRate, averageOrderValueMinor, churn{d30, d60, d90}.
 */
export interface ReportDocument extends Omit<ShopReport, 'orders'> {
  orders: Omit<ShopReport['orders'], 'skippedByReason'> & {
    /** Core's reasons (test, cancelled, refunded) and the reader's (duplicate-order, missing-order-row, ...). */
    skippedByReason: Record<string, number>;
  };
  input: {
    file: string;
    format: InputFormat;
    /** CSV data rows read; a Shopify order spans one row per line item. */
    dataRows: number;
    /** Orders read and passed to core. */
    ordersRead: number;
    /** The reader's share of `orders.skippedByReason`. */
    skippedByReason: Record<string, number>;
    /** How `asOf` was chosen. */
    asOfSource: 'option' | 'last-order-day';
    surveysFile: string | null;
    spendFile: string | null;
  };
}

/** Joins core's report with what the reader skipped. Reader reasons never collide with core's (checked). */
export function buildReportDocument(
  report: ShopReport,
  read: ReadOrdersResult,
  extra: { asOfSource: 'option' | 'last-order-day'; surveysFile: string | null; spendFile: string | null },
): ReportDocument {
  const skippedByReason: Record<string, number> = { ...report.orders.skippedByReason };
  for (const [reason, count] of Object.entries(read.skippedByReason)) {
    skippedByReason[reason] = (skippedByReason[reason] ?? 0) + count;
  }
  return {
    ...report,
    orders: { ...report.orders, skippedByReason },
    input: {
      file: read.file,
      format: read.format,
      dataRows: read.dataRows,
      ordersRead: read.orders.length,
      skippedByReason: read.skippedByReason,
      ...extra,
    },
  };
}

import type { OrderRecord } from '@clvlens/core';
import { indexHeader, invalidCell, InvalidCellError, locateColumns, parseAmountCell } from './columns.ts';
import { firstLineOf, readCsvRows, splitCsvLine, textOptionsOf } from './csv-rows.ts';
import { parseDateTimeMs } from './datetime.ts';
import { countSkip, InputFormat, paidOrder, type OrdersReader, type ReadOrdersOptions, type ReadOrdersResult } from './reader.ts';

const FORMAT_NAME = 'transaction log';
const REQUIRED = ['customer_id', 'date', 'amount'] as const;

/** Currency of a transaction log when `--currency` is not given. */
export const DEFAULT_LOG_CURRENCY = 'USD';

/**
 * Reads a plain transaction log: a CSV with the header `customer_id,date,amount[,order_id]` (any order, extra
 * columns ignored), one order per row. `date` is `YYYY-MM-DD` (start of that day in the shop zone) or an ISO 8601
 * datetime; `amount` a plain decimal in the `--currency` (default USD), >= 0. An empty `customer_id` makes an
 * unattributed order. Without `order_id` each row is its own order (id `line:<n>`); a repeated `order_id` is
 * skipped as `duplicate-order`. Orders are never test, cancelled, refunded or subscription orders.
 */
export const transactionLogReader: OrdersReader = {
  format: InputFormat.transactionLog,
  description: 'transaction log CSV (header customer_id,date,amount[,order_id])',
  detect(head) {
    const index = indexHeader(splitCsvLine(firstLineOf(head)));
    return REQUIRED.every((name) => index.has(name));
  },
  read: readTransactionLog,
};

/** See {@link transactionLogReader}. */
export async function readTransactionLog(path: string, file: string, options: ReadOrdersOptions): Promise<ReadOrdersResult> {
  const orders: OrderRecord[] = [];
  const skippedByReason: Record<string, number> = {};
  const seenOrderIds = new Set<string>();
  const currency = options.currency ?? DEFAULT_LOG_CURRENCY;
  let header: readonly string[] = [];
  let customerCol = -1;
  let dateCol = -1;
  let amountCol = -1;
  let orderCol = -1;

  const dataRows = await readCsvRows(
    path,
    file,
    {
      header(fields, line) {
        const column = locateColumns(fields, REQUIRED, file, line, FORMAT_NAME);
        header = fields;
        customerCol = column('customer_id');
        dateCol = column('date');
        amountCol = column('amount');
        orderCol = column('order_id');
      },
      row(fields, line) {
        try {
          const dateText = fields[dateCol] ?? '';
          const placedAtMs = parseDateTimeMs(dateText, options.timeZone);
          if (placedAtMs === null) {
            throw invalidCell(
              file,
              line,
              dateCol,
              header[dateCol] ?? 'date',
              `${JSON.stringify(dateText)} is not a date like 2025-10-02 or an ISO datetime like 2025-10-02T17:09:34Z.`,
            );
          }
          const amountText = fields[amountCol] ?? '';
          const totalMinor = parseAmountCell(amountText, currency, file, line, amountCol, header[amountCol] ?? 'amount');
          if (totalMinor < 0) {
            throw invalidCell(
              file,
              line,
              amountCol,
              header[amountCol] ?? 'amount',
              `${JSON.stringify(amountText)} is negative; a transaction log lists order amounts >= 0.`,
            );
          }
          const orderText = orderCol < 0 ? '' : (fields[orderCol] ?? '').trim();
          if (orderText !== '') {
            if (seenOrderIds.has(orderText)) {
              countSkip(skippedByReason, 'duplicate-order');
              return;
            }
            seenOrderIds.add(orderText);
          }
          const customerText = (fields[customerCol] ?? '').trim();
          orders.push(paidOrder(orderText === '' ? `line:${line}` : orderText, customerText === '' ? null : customerText, placedAtMs, currency, totalMinor));
        } catch (error) {
          if (!options.skipInvalid || !(error instanceof InvalidCellError)) throw error;
          countSkip(skippedByReason, error.skipReason);
        }
      },
    },
    options.progress,
    textOptionsOf(options),
  );
  return { format: InputFormat.transactionLog, file, orders, dataRows, skippedByReason };
}

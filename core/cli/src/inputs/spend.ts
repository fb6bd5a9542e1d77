import type { MonthlySpend } from '@clvlens/core';
import { CliError, CliErrorCode } from '../errors.ts';
import { invalidCell, InvalidCellError, locateColumns, parseAmountCell } from '../readers/columns.ts';
import { readCsvSource, type CsvSource } from '../readers/csv-rows.ts';
import type { Progress } from '../progress.ts';
import { rejectRow } from './surveys.ts';

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** What {@link readSpendRows} calls per row. */
export interface SpendRowHandler {
  /** A valid row and the 1-based line it starts on. */
  spend(entry: MonthlySpend, line: number): void;
  /** A row's value error (naming file, line, column and field) instead of stopping the read; without it, it throws. */
  invalid?(error: CliError): void;
}

/**
 * Reads marketing-spend rows: header `month,amount` (extra columns ignored), `month` as `YYYY-MM` in the shop time
 * zone, `amount` a plain decimal in the shop currency (>= 0). An optional `currency` column must equal the shop
 * currency. Resolves to the number of data rows.
 */
export async function readSpendRows(source: CsvSource, file: string, currency: string, progress: Progress, handler: SpendRowHandler): Promise<number> {
  let header: readonly string[] = [];
  let monthCol = -1;
  let amountCol = -1;
  let currencyCol = -1;
  return await readCsvSource(
    source,
    file,
    {
      header(fields, line) {
        const column = locateColumns(fields, ['month', 'amount'], file, line, 'marketing spend');
        header = fields;
        monthCol = column('month');
        amountCol = column('amount');
        currencyCol = column('currency');
      },
      row(fields, line) {
        const month = (fields[monthCol] ?? '').trim();
        if (!MONTH_RE.test(month)) {
          return rejectRow(
            handler,
            invalidCell(file, line, monthCol, header[monthCol] ?? 'month', `${JSON.stringify(month)} is not a month like 2025-10.`, {
              reason: 'month',
              value: month,
            }),
          );
        }
        if (currencyCol >= 0) {
          const rowCurrency = (fields[currencyCol] ?? '').trim().toUpperCase();
          if (rowCurrency !== '' && rowCurrency !== currency) {
            return rejectRow(
              handler,
              new InvalidCellError(
                file,
                line,
                currencyCol,
                header[currencyCol] ?? 'currency',
                `spend is in ${rowCurrency} but the orders are in ${currency}; convert the spend to the shop currency.`,
                CliErrorCode.mixedCurrency,
                { reason: 'other-currency', value: rowCurrency, params: { currency } },
              ),
            );
          }
        }
        const amountText = fields[amountCol] ?? '';
        let amountMinor: number;
        try {
          amountMinor = parseAmountCell(amountText, currency, file, line, amountCol, header[amountCol] ?? 'amount');
        } catch (error) {
          if (error instanceof CliError) return rejectRow(handler, error);
          throw error;
        }
        if (amountMinor < 0) {
          return rejectRow(
            handler,
            invalidCell(file, line, amountCol, header[amountCol] ?? 'amount', `${JSON.stringify(amountText)} is negative; spend is >= 0.`, {
              reason: 'amount-negative',
              value: amountText,
            }),
          );
        }
        handler.spend({ month, amountMinor, currency }, line);
      },
    },
    progress,
  );
}

/**
 * Reads a marketing-spend CSV for `--spend` ({@link readSpendRows}'s format), stopping at the first bad row. A month
 * listed twice is summed (core's rule).
 */
export async function readMonthlySpend(path: string, file: string, currency: string, progress: Progress): Promise<MonthlySpend[]> {
  const spend: MonthlySpend[] = [];
  await readSpendRows({ path }, file, currency, progress, { spend: (entry) => spend.push(entry) });
  return spend;
}

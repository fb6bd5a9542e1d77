import type { MonthlySpend } from '@clvlens/core';
import { CliError, CliErrorCode } from '../errors.ts';
import { invalidCell, locateColumns, parseAmountCell } from '../readers/columns.ts';
import { readCsvRows } from '../readers/csv-rows.ts';
import type { Progress } from '../progress.ts';

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Reads a marketing-spend CSV for `--spend`: header `month,amount` (extra columns ignored), `month` as `YYYY-MM` in
 * the shop time zone, `amount` a plain decimal in the shop currency (>= 0). An optional `currency` column must equal
 * the shop currency. A month listed twice is summed (core's rule).
 */
export async function readMonthlySpend(path: string, file: string, currency: string, progress: Progress): Promise<MonthlySpend[]> {
  const spend: MonthlySpend[] = [];
  let header: readonly string[] = [];
  let monthCol = -1;
  let amountCol = -1;
  let currencyCol = -1;
  await readCsvRows(
    path,
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
          throw invalidCell(file, line, monthCol, header[monthCol] ?? 'month', `${JSON.stringify(month)} is not a month like 2025-10.`);
        }
        if (currencyCol >= 0) {
          const rowCurrency = (fields[currencyCol] ?? '').trim().toUpperCase();
          if (rowCurrency !== '' && rowCurrency !== currency) {
            throw new CliError(
              CliErrorCode.mixedCurrency,
              `spend is in ${rowCurrency} but the orders are in ${currency}; convert the spend to the shop currency.`,
              {
                location: { file, line, column: currencyCol + 1, field: header[currencyCol] ?? 'currency' },
              },
            );
          }
        }
        const amountText = fields[amountCol] ?? '';
        const amountMinor = parseAmountCell(amountText, currency, file, line, amountCol, header[amountCol] ?? 'amount');
        if (amountMinor < 0) {
          throw invalidCell(file, line, amountCol, header[amountCol] ?? 'amount', `${JSON.stringify(amountText)} is negative; spend is >= 0.`);
        }
        spend.push({ month, amountMinor, currency });
      },
    },
    progress,
  );
  return spend;
}

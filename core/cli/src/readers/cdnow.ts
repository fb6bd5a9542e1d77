import { dayNumberFromCivil, DAY_MS } from '@clvlens/core';
import type { CountedOrder } from '@clvlens/core';
import { CliError, CliErrorCode } from '../errors.ts';

/**
 * Reader for the two CDNOW transaction logs (../shared/data/cdnow/PROVENANCE.md): whitespace-separated columns,
 * leading spaces, CRLF line ends, amounts in US dollars.
 *
 * The format is detected from the column count of the first data line:
 * - 5 columns: `CDNOW_sample.txt` (`master_id sample_id yyyymmdd cds dollars`); the customer key is the SECOND
 *   column, `sample_id`, the ID the published summaries and spot values use.
 * - 4 columns: `CDNOW_master.txt` (`customer_id yyyymmdd cds dollars`); the key is the first column. Its header line
 *   (`customer_id  date number_of_cds  dollar_value`) is recognised and skipped.
 * Dates are calendar days; they become UTC midnight (CDNOW has no time of day or zone).
 */
export const CdnowFormat = { sample: 'cdnow-sample', master: 'cdnow-master' } as const;
export type CdnowFormat = (typeof CdnowFormat)[keyof typeof CdnowFormat];

export interface CdnowLog {
  format: CdnowFormat;
  /** One per data row (same-day rows are kept; the summary counts a customer-day once). Amounts in US cents. */
  orders: CountedOrder[];
  currency: 'USD';
  /** Lines skipped, by reason: the header line and blank lines (nothing else is ever skipped). */
  skipped: { header: number; blank: number };
}

const DATE_RE = /^(\d{4})(\d{2})(\d{2})$/;
const AMOUNT_RE = /^\d+(?:\.\d{1,2})?$/;

/** True when `text` looks like a CDNOW log: the first data line has 4 or 5 whitespace-separated columns, a yyyymmdd date. */
export function looksLikeCdnow(text: string): boolean {
  for (const line of text.slice(0, 4096).split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') continue;
    if (fields[0] === 'customer_id') continue;
    if (fields.length === 5) return DATE_RE.test(fields[2]!);
    if (fields.length === 4) return DATE_RE.test(fields[1]!);
    return false;
  }
  return false;
}

/** Parses a CDNOW log. Throws `CliError` naming file and line for any row it cannot read; never drops a data row. */
export function readCdnow(text: string, file: string): CdnowLog {
  const lines = text.split('\n');
  const orders: CountedOrder[] = [];
  const skipped = { header: 0, blank: 0 };
  let format: CdnowFormat | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') {
      skipped.blank++;
      continue;
    }
    const fields = line.split(/\s+/);
    if (format === null) {
      if (fields[0] === 'customer_id' && orders.length === 0 && skipped.header === 0) {
        skipped.header++;
        continue;
      }
      if (fields.length === 5) format = CdnowFormat.sample;
      else if (fields.length === 4) format = CdnowFormat.master;
      else {
        throw new CliError(CliErrorCode.unknownFormat, `expected 4 columns (CDNOW_master) or 5 columns (CDNOW_sample), found ${fields.length}.`, {
          location: { file, line: i + 1 },
        });
      }
    }
    const expected = format === CdnowFormat.sample ? 5 : 4;
    if (fields.length !== expected) {
      throw new CliError(CliErrorCode.invalidValue, `expected ${expected} whitespace-separated columns (${format}), found ${fields.length}.`, {
        location: { file, line: i + 1 },
      });
    }
    const offset = format === CdnowFormat.sample ? 1 : 0;
    const customerKey = fields[offset]!;
    const dateText = fields[offset + 1]!;
    const amountText = fields[offset + 3]!;
    const date = DATE_RE.exec(dateText);
    const year = Number(date?.[1]);
    const month = Number(date?.[2]);
    const day = Number(date?.[3]);
    if (date === null || month < 1 || month > 12 || day < 1 || day > 31) {
      throw new CliError(CliErrorCode.invalidValue, `date ${JSON.stringify(dateText)} is not yyyymmdd.`, {
        location: { file, line: i + 1, column: offset + 2, field: 'date' },
      });
    }
    if (!AMOUNT_RE.test(amountText)) {
      throw new CliError(CliErrorCode.invalidValue, `dollar_value ${JSON.stringify(amountText)} is not a non-negative amount with at most 2 decimals.`, {
        location: { file, line: i + 1, column: offset + 4, field: 'dollar_value' },
      });
    }
    orders.push({
      customerKey,
      placedAtMs: dayNumberFromCivil(year, month, day) * DAY_MS,
      amountMinor: Math.round(Number(amountText) * 100),
    });
  }
  if (format === null) throw new CliError(CliErrorCode.noOrders, 'the file holds no CDNOW data rows.', { location: { file } });
  return { format, orders, currency: 'USD', skipped };
}

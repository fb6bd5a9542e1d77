import { dayNumberFromCivil, DAY_MS } from '@clvlens/core/basics';
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

/**
 * Parses a CDNOW log. Throws `CliError` naming file and line for any row it cannot read; never drops a data row.
 * Lines are cut into tokens by character codes rather than `split(/\s+/)` and regular expressions: CDNOW_master
 * replicated tenfold is 700,000 lines, and the per-line strings and arrays were most of `predict`'s reading time.
 */
export function readCdnow(text: string, file: string): CdnowLog {
  const orders: CountedOrder[] = [];
  const skipped = { header: 0, blank: 0 };
  let format: CdnowFormat | null = null;
  // Token boundaries of the current line: up to 6 kept (one more than any format has, to report a wrong count).
  const starts = [0, 0, 0, 0, 0, 0];
  const ends = [0, 0, 0, 0, 0, 0];
  let lineStart = 0;
  for (let i = 0; lineStart <= text.length; i++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    let n = 0;
    let p = lineStart;
    while (p < lineEnd) {
      while (p < lineEnd && isSpace(text.charCodeAt(p))) p++;
      if (p >= lineEnd) break;
      const from = p;
      while (p < lineEnd && !isSpace(text.charCodeAt(p))) p++;
      if (n < 6) {
        starts[n] = from;
        ends[n] = p;
      }
      n++;
    }
    const lineNumber = i + 1;
    const token = (k: number) => text.slice(starts[k]!, ends[k]!);
    lineStart = lineEnd + 1;
    if (n === 0) {
      // As with split('\n'), the empty text after a final line end counts as a blank line.
      skipped.blank++;
      continue;
    }
    if (format === null) {
      if (token(0) === 'customer_id' && orders.length === 0 && skipped.header === 0) {
        skipped.header++;
        continue;
      }
      if (n === 5) format = CdnowFormat.sample;
      else if (n === 4) format = CdnowFormat.master;
      else {
        throw new CliError(CliErrorCode.unknownFormat, `expected 4 columns (CDNOW_master) or 5 columns (CDNOW_sample), found ${n}.`, {
          location: { file, line: lineNumber },
        });
      }
    }
    const expected = format === CdnowFormat.sample ? 5 : 4;
    if (n !== expected) {
      throw new CliError(CliErrorCode.invalidValue, `expected ${expected} whitespace-separated columns (${format}), found ${n}.`, {
        location: { file, line: lineNumber },
      });
    }
    const offset = format === CdnowFormat.sample ? 1 : 0;
    const day = civilDay(text, starts[offset + 1]!, ends[offset + 1]!);
    if (day === null) {
      throw new CliError(CliErrorCode.invalidValue, `date ${JSON.stringify(token(offset + 1))} is not yyyymmdd.`, {
        location: { file, line: lineNumber, column: offset + 2, field: 'date' },
      });
    }
    const amountMinor = centsOf(text, starts[offset + 3]!, ends[offset + 3]!);
    if (amountMinor === null) {
      throw new CliError(CliErrorCode.invalidValue, `dollar_value ${JSON.stringify(token(offset + 3))} is not a non-negative amount with at most 2 decimals.`, {
        location: { file, line: lineNumber, column: offset + 4, field: 'dollar_value' },
      });
    }
    orders.push({ customerKey: token(offset), placedAtMs: day * DAY_MS, amountMinor });
  }
  if (format === null) throw new CliError(CliErrorCode.noOrders, 'the file holds no CDNOW data rows.', { location: { file } });
  return { format, orders, currency: 'USD', skipped };
}

/** Space, tab, carriage return, vertical tab, form feed: the separators of `\s` that occur in these files. */
function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

/** The day number of `yyyymmdd` in text[from, to) (month 1-12, day 1-31), or null. */
function civilDay(text: string, from: number, to: number): number | null {
  if (to - from !== 8) return null;
  let value = 0;
  for (let k = from; k < to; k++) {
    const digit = text.charCodeAt(k) - 48;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  const year = Math.floor(value / 10_000);
  const month = Math.floor(value / 100) % 100;
  const day = value % 100;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return dayNumberFromCivil(year, month, day);
}

/** Cents of a non-negative dollar amount with at most 2 decimals in text[from, to) (`12`, `12.3`, `12.34`), or null. */
function centsOf(text: string, from: number, to: number): number | null {
  let dollars = 0;
  let k = from;
  while (k < to && text.charCodeAt(k) !== 46) {
    const digit = text.charCodeAt(k) - 48;
    if (digit < 0 || digit > 9) return null;
    dollars = dollars * 10 + digit;
    k++;
  }
  if (k === from) return null;
  if (k === to) return dollars * 100;
  const decimals = to - k - 1;
  if (decimals < 1 || decimals > 2) return null;
  let cents = 0;
  for (let d = k + 1; d < to; d++) {
    const digit = text.charCodeAt(d) - 48;
    if (digit < 0 || digit > 9) return null;
    cents = cents * 10 + digit;
  }
  return dollars * 100 + (decimals === 1 ? cents * 10 : cents);
}

import { isUtf8 } from 'node:buffer';
import type { Locale } from '@clvlens/core/i18n';
import { CliError, CliErrorCode } from '../errors.ts';
import { firstInvalidUtf8, invalidUtf8Error, type TextEncoding } from './text-decoding.ts';

/**
 * One data row of a CSV file, its fields decoded only when asked for. A 70-column Shopify export row has about ten
 * columns a reader needs, and a line-item row only its `Name`: turning every field into a string (what a general
 * parser does) made the strings and their garbage collection the larger part of reading a large export.
 *
 * The object is reused for the next row: read what you need inside the handler, never keep the row.
 */
export interface CsvRow {
  /** Number of fields in the row. */
  readonly length: number;
  /** Field `index` (0-based) decoded, `""` quotes unescaped; `''` past the row's end. */
  get(index: number): string;
  /** Whether field `index` is empty (no bytes between its delimiters or quotes), without decoding it. */
  isEmpty(index: number): boolean;
  /**
   * Whether field `index`'s raw bytes equal the first `length` (default: all) of `bytes` (e.g. those of
   * {@link CsvRow.bytes} or {@link CsvRow.copy} for an earlier row).
   */
  matches(index: number, bytes: Uint8Array, length?: number): boolean;
  /**
   * Copies field `index`'s raw bytes (as {@link CsvRow.bytes}) to the start of `into` when they fit, and returns their
   * length either way: a reused buffer instead of an allocation per row.
   */
  copy(index: number, into: Uint8Array): number;
  /** A copy of field `index`'s raw bytes (quotes removed, `""` not unescaped), to compare later rows with. */
  bytes(index: number): Uint8Array;
}

/** Receives a CSV file's rows in order. Either callback may throw a `CliError` to stop reading. */
export interface CsvScanHandler {
  /** The first non-blank row, BOM removed. `line` is 1-based. */
  header(fields: string[], line: number): void;
  /**
   * A data row, the 1-based line it starts on (quoted fields may span lines) and the byte offset in the file where it
   * starts. Blank lines are not passed.
   */
  row(row: CsvRow, line: number, offset: number): void;
}

/** Where {@link scanCsv} gets bytes from: fills `into` from `offset` and returns how many bytes it wrote (0 at end). */
export type ByteSource = (into: Uint8Array, offset: number, length: number) => number;
/** A {@link ByteSource} that may wait. */
export type AsyncByteSource = (into: Uint8Array, offset: number, length: number) => Promise<number>;

/** Options of {@link scanCsv}. */
export interface ScanOptions {
  /** File name used in messages. */
  file: string;
  encoding: TextEncoding;
  locale: Locale;
  /** Called after each buffer of input with the bytes consumed so far and the data rows passed. */
  onProgress?: (bytesConsumed: number, dataRows: number) => void;
  /** First buffer size in bytes; it doubles when one row does not fit. Default 4 MiB. */
  bufferBytes?: number;
  /**
   * Where the source's first byte is in the file, its line and whether it starts mid-file, for reading a part of a
   * file from a row boundary: then every row is a data row (no header, no BOM) and lines and offsets count from
   * `line` and `offset`. Default: the file's start (line 1, offset 0).
   */
  from?: { offset: number; line: number };
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** Windows-1252, what `--encoding latin1` means (see text-decoding.ts). */
const latin1 = new TextDecoder('latin1');

/** The scanner behind {@link scanCsv}: the caller fills `space()` and reports how many bytes it wrote. */
interface CsvScanner {
  space(): { bytes: Uint8Array; offset: number; length: number };
  /** `got` bytes were written at the offset `space()` gave (0: end of input); passes every complete row. */
  filled(got: number): void;
  /** After `filled(0)`: the number of data rows, or the empty-file error. */
  finish(): number;
}

function createCsvScanner(handler: CsvScanHandler, options: ScanOptions): CsvScanner {
  const { file, encoding, locale } = options;
  let buffer = Buffer.allocUnsafe(options.bufferBytes ?? 1 << 22);
  let view = buffer.subarray(0, 0); // the filled part of `buffer`, for searches that must not see past `end`
  let start = 0; // first byte not yet consumed
  let end = 0; // end of the bytes in the buffer
  let validEnd = 0; // bytes before this offset are known to be valid UTF-8 (or are Latin-1)
  let eof = false;
  let consumedBefore = options.from?.offset ?? 0; // file offset of buffer[0]
  let line = options.from?.line ?? 1;
  let dataRows = 0;
  let sawHeader = options.from !== undefined;
  let firstFill = options.from === undefined;

  // Field boundaries of the current row; grown when a row has more fields.
  let starts = new Int32Array(256);
  let ends = new Int32Array(256);
  let escaped = new Uint8Array(256);
  let count = 0;

  // A row without quotes is split lazily: `lazyEnd` is its end (line end excluded) and `splitAt` where splitting
  // stopped; -1 when the row was split whole by the quote-aware scan.
  let lazyEnd = -1;
  let splitAt = 0;

  const decode = (from: number, to: number): string => (encoding === 'utf8' ? buffer.toString('utf8', from, to) : latin1.decode(buffer.subarray(from, to)));
  /** Splits a quote-free row up to field `index` (or whole when `index` is Infinity). Locals keep the loop tight. */
  const splitTo = (index: number) => {
    const bytes = buffer;
    const stop = lazyEnd;
    let p = splitAt;
    let n = count;
    while (n <= index && p <= stop) {
      if (n === starts.length) {
        count = n;
        grow();
      }
      const from = p;
      while (p < stop && bytes[p] !== COMMA) p++;
      starts[n] = from;
      ends[n] = p;
      escaped[n] = 0;
      n++;
      p++;
    }
    count = n;
    splitAt = p;
  };
  const field = (index: number): string => {
    if (lazyEnd >= 0 && index >= count) splitTo(index);
    if (index < 0 || index >= count) return '';
    const from = starts[index] as number;
    const to = ends[index] as number;
    if (from === to) return '';
    const text = decode(from, to);
    return escaped[index] === 1 ? text.replaceAll('""', '"') : text;
  };
  const row: CsvRow = {
    get length() {
      if (lazyEnd >= 0) splitTo(Number.POSITIVE_INFINITY);
      return count;
    },
    get: field,
    isEmpty(index) {
      if (lazyEnd >= 0 && index >= count) splitTo(index);
      return index < 0 || index >= count || starts[index] === ends[index];
    },
    matches(index, bytes, length = bytes.length) {
      if (lazyEnd >= 0 && index >= count) splitTo(index);
      if (index < 0 || index >= count) return length === 0;
      const from = starts[index] as number;
      if ((ends[index] as number) - from !== length) return false;
      for (let i = 0; i < length; i++) if (buffer[from + i] !== bytes[i]) return false;
      return true;
    },
    copy(index, into) {
      if (lazyEnd >= 0 && index >= count) splitTo(index);
      if (index < 0 || index >= count) return 0;
      const from = starts[index] as number;
      const length = (ends[index] as number) - from;
      if (length <= into.length) for (let i = 0; i < length; i++) into[i] = buffer[from + i] as number;
      return length;
    },
    bytes(index) {
      if (lazyEnd >= 0 && index >= count) splitTo(index);
      if (index < 0 || index >= count) return new Uint8Array(0);
      return Uint8Array.prototype.slice.call(buffer, starts[index] as number, ends[index] as number);
    },
  };

  function grow() {
    const larger = <T extends Int32Array | Uint8Array>(old: T, next: T): T => (next.set(old), next);
    starts = larger(starts, new Int32Array(count * 2));
    ends = larger(ends, new Int32Array(count * 2));
    escaped = larger(escaped, new Uint8Array(count * 2));
  }
  const push = (from: number, to: number, hasEscapes: boolean) => {
    if (count === starts.length) grow();
    starts[count] = from;
    ends[count] = to;
    escaped[count] = hasEscapes ? 1 : 0;
    count++;
  };

  const malformed = (message: string, atLine: number) =>
    new CliError(CliErrorCode.malformedCsv, `${message}; fix the quoting of this row.`, { location: { file, line: atLine } });

  /** Line ends in buffer[from, to): `\r\n`, `\n` and a lone `\r` each count once. */
  const lineEnds = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i++) {
      const c = buffer[i];
      if (c === LF) n++;
      else if (c === CR && buffer[i + 1] !== LF) n++;
    }
    return n;
  };

  /**
   * Scans one row starting at `start`. Returns the offset after its line end, or -1 when the buffer ends before the
   * row does (and more input may come). Fills the field arrays and `rowLines` (physical lines the row spans).
   */
  let rowLines = 1;
  // Next quote, `\r` and `\n` at or after `start` (-1: none in the buffer); reset when the buffer changes.
  let nextQuote = -2;
  let nextCr = -2;
  let nextLf = -2;
  const after = (byte: number, cached: number): number => (cached === -1 || cached >= start ? cached : view.indexOf(byte, start));

  const scanRow = (): number => {
    count = 0;
    rowLines = 1;
    lazyEnd = -1;
    // Fast path: a row whose `\n` comes before any quote or lone `\r` is split only as far as the reader asks.
    nextLf = after(LF, nextLf);
    if (nextLf !== -1) {
      nextQuote = after(QUOTE, nextQuote);
      nextCr = after(CR, nextCr);
      if ((nextQuote === -1 || nextQuote > nextLf) && (nextCr === -1 || nextCr >= nextLf - 1)) {
        lazyEnd = nextCr !== -1 && nextCr === nextLf - 1 ? nextLf - 1 : nextLf;
        splitAt = start;
        return nextLf + 1;
      }
    }
    let p = start;
    for (;;) {
      if (p >= end) {
        if (!eof) return -1;
        push(p, p, false);
        return p;
      }
      if (buffer[p] === QUOTE) {
        const open = p;
        let q = p + 1;
        let hasEscapes = false;
        let close: number;
        for (;;) {
          const k = view.indexOf(QUOTE, q);
          if (k === -1 || k >= end) {
            if (!eof) return -1;
            throw malformed('quoted field unterminated: a field opened with " has no closing "', line);
          }
          if (k + 1 >= end && !eof) return -1;
          if (k + 1 < end && buffer[k + 1] === QUOTE) {
            hasEscapes = true;
            q = k + 2;
            continue;
          }
          close = k;
          break;
        }
        rowLines += lineEnds(open + 1, close);
        push(open + 1, close, hasEscapes);
        p = close + 1;
        while (p < end && (buffer[p] === SPACE || buffer[p] === TAB)) p++;
        if (p >= end) {
          if (!eof) return -1;
          return p;
        }
        const c = buffer[p];
        if (c === COMMA) {
          p++;
          continue;
        }
        if (c === LF) return p + 1;
        if (c === CR) {
          if (p + 1 >= end && !eof) return -1;
          return p + 1 < end && buffer[p + 1] === LF ? p + 2 : p + 1;
        }
        throw malformed(`text after the closing quote of field ${count}`, line);
      }
      const from = p;
      let c = 0;
      while (p < end) {
        c = buffer[p] as number;
        if (c === COMMA || c === LF || c === CR) break;
        p++;
      }
      push(from, p, false);
      if (p >= end) {
        if (!eof) return -1;
        return p;
      }
      if (c === COMMA) {
        p++;
        continue;
      }
      if (c === LF) return p + 1;
      if (p + 1 >= end && !eof) return -1;
      return p + 1 < end && buffer[p + 1] === LF ? p + 2 : p + 1;
    }
  };

  /** Checks the UTF-8 of whole lines in [validEnd, end): up to the last line end, or everything at the end of input. */
  const checkEncoding = () => {
    if (encoding !== 'utf8') {
      validEnd = end;
      return;
    }
    if (validEnd >= end) return;
    let upTo = end;
    if (!eof) {
      // Line ends are ASCII, so a buffer cut after one never splits a UTF-8 sequence.
      const lastEnd = Math.max(view.lastIndexOf(LF), view.lastIndexOf(CR));
      if (lastEnd < validEnd) return;
      upTo = lastEnd + 1;
    }
    const bytes = buffer.subarray(validEnd, upTo);
    if (!isUtf8(bytes)) {
      // Lines before validEnd are counted from `start` (the current row's line); the error counts the rest.
      const lineAtValidEnd = line + countLf(buffer, start, validEnd);
      throw invalidUtf8Error(file, bytes, firstInvalidUtf8(bytes), lineAtValidEnd, locale);
    }
    validEnd = upTo;
  };

  return {
    space() {
      nextQuote = nextCr = nextLf = -2;
      if (start > 0) {
        buffer.copyWithin(0, start, end);
        consumedBefore += start;
        end -= start;
        validEnd = Math.max(0, validEnd - start);
        start = 0;
      }
      if (end === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, end);
        buffer = bigger;
      }
      return { bytes: buffer, offset: end, length: buffer.length - end };
    },
    filled(got) {
      if (got === 0) eof = true;
      end += got;
      view = buffer.subarray(0, end);
      if (firstFill && (end >= 3 || eof)) {
        firstFill = false;
        if (encoding === 'utf8' && end >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) {
          start = 3;
          validEnd = 3;
        }
      }
      checkEncoding();
      while (start < end) {
        const next = scanRow();
        // Rows are passed only once their bytes are checked (a row always ends at a line end, so this holds but for
        // the last row before more input).
        if (next === -1 || (next > validEnd && !eof)) break;
        const rowLine = line;
        const blank = lazyEnd >= 0 ? lazyEnd === start : count === 1 && starts[0] === ends[0];
        if (!blank) {
          if (!sawHeader) {
            sawHeader = true;
            const fields: string[] = [];
            for (let i = 0; i < row.length; i++) fields.push(field(i));
            handler.header(fields, rowLine);
          } else {
            dataRows++;
            handler.row(row, rowLine, consumedBefore + start);
          }
        }
        line += rowLines;
        start = next;
      }
      options.onProgress?.(consumedBefore + start, dataRows);
    },
    finish() {
      if (!sawHeader) throw new CliError(CliErrorCode.unknownFormat, `${file} is empty: expected a header row.`);
      return dataRows;
    },
  };
}

/**
 * Reads RFC 4180 CSV (comma delimiter; `"` quoting with `""` for a quote; `\n`, `\r\n` or `\r` line ends; a quote
 * inside an unquoted field is kept as text) straight from bytes, in buffers, and passes each row to `handler` with its
 * fields decoded on demand. UTF-8 is checked a buffer at a time before its rows are passed: the first invalid byte is
 * an `invalid-encoding` error naming its line. An unterminated quoted field, or text after a closing quote, is a
 * `malformed-csv` error naming the row's line. Returns the number of data rows.
 *
 * Memory is one buffer (the largest row decides its size), whatever the file size.
 */
export function scanCsv(read: ByteSource, handler: CsvScanHandler, options: ScanOptions): number {
  const scanner = createCsvScanner(handler, options);
  for (;;) {
    const { bytes, offset, length } = scanner.space();
    const got = read(bytes, offset, length);
    scanner.filled(got);
    if (got === 0) return scanner.finish();
  }
}

/** {@link scanCsv} reading from an asynchronous source, such as an upload's byte stream ({@link streamByteSource}). */
export async function scanCsvAsync(read: AsyncByteSource, handler: CsvScanHandler, options: ScanOptions): Promise<number> {
  const scanner = createCsvScanner(handler, options);
  for (;;) {
    const { bytes, offset, length } = scanner.space();
    const got = await read(bytes, offset, length);
    scanner.filled(got);
    if (got === 0) return scanner.finish();
  }
}

/** An {@link AsyncByteSource} over a byte stream: its chunks copied into the scanner's buffer as they come. */
export function streamByteSource(stream: AsyncIterable<Uint8Array | string>): AsyncByteSource {
  const chunks = stream[Symbol.asyncIterator]();
  let pending: Uint8Array = new Uint8Array(0);
  return async (into, offset, length) => {
    while (pending.length === 0) {
      const next = await chunks.next();
      if (next.done) return 0;
      pending = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    }
    const n = Math.min(length, pending.length);
    into.set(pending.subarray(0, n), offset);
    pending = pending.subarray(n);
    return n;
  };
}

function countLf(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (bytes[i] === LF) n++;
  return n;
}

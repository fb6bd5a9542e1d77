import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Locale } from '@clvlens/core/i18n';
import { CliError, CliErrorCode } from '../errors.ts';
import type { Progress } from '../progress.ts';
import type { Readable } from 'node:stream';
import { scanCsv, scanCsvAsync, streamByteSource, type CsvRow, type CsvScanHandler, type ScanOptions } from './csv-scan.ts';
import { decodeHead, type TextEncoding } from './text-decoding.ts';

export type { CsvRow, CsvScanHandler };

/** How a file's bytes become text, and the language of the messages about it. */
export interface TextOptions {
  /** Default utf8 (checked: invalid UTF-8 is an `invalid-encoding` error naming the line). */
  encoding?: TextEncoding;
  locale?: Locale;
}

/** Receives a CSV file's rows in order. Either callback may throw a `CliError` to stop reading. */
export interface CsvRowHandler {
  /** The first row, BOM removed. `line` is 1-based. */
  header(fields: string[], line: number): void;
  /** A data row and the 1-based line it starts on (quoted fields may span lines). Blank lines are not passed. */
  row(fields: string[], line: number): void;
}

/** The encoding and message language of reader options, without absent keys. */
export function textOptionsOf(options: TextOptions): TextOptions {
  return { ...(options.encoding ? { encoding: options.encoding } : {}), ...(options.locale ? { locale: options.locale } : {}) };
}

/**
 * Streams a comma-separated file (see {@link scanCsv} for the dialect) and calls `handler` per row with every field
 * as a string, never holding the whole file in memory. Resolves to the number of data rows. `file` is the name used
 * in messages; `path` the resolved path. Readers of wide files use {@link scanCsvRows} to decode only what they need.
 */
export async function readCsvRows(path: string, file: string, handler: CsvRowHandler, progress: Progress, text: TextOptions = {}): Promise<number> {
  return await scanCsvRows(path, file, allFields(handler), progress, text);
}

/** Where a CSV input comes from: a file on disk (the CLI) or a byte stream (an upload to the app). */
export type CsvSource = { path: string } | { stream: Readable };

/** {@link readCsvRows} or {@link readCsvStream}, whichever `source` asks for. */
export function readCsvSource(source: CsvSource, file: string, handler: CsvRowHandler, progress: Progress, text: TextOptions = {}): Promise<number> {
  return 'path' in source ? readCsvRows(source.path, file, handler, progress, text) : readCsvStream(source.stream, file, handler, progress, text);
}

/**
 * {@link readCsvRows} on a byte stream (an HTTP upload): the same decoding checks, quoting rules, BOM removal and
 * messages, and the stream is read as the rows are handled, never held whole. `sizeBytes` is only for progress.
 */
export async function readCsvStream(
  stream: Readable,
  file: string,
  handler: CsvRowHandler,
  progress: Progress,
  text: TextOptions = {},
  sizeBytes = 0,
): Promise<number> {
  const rows = await scanCsvAsync(streamByteSource(stream), allFields(handler), scanOptions(file, text, progress, sizeBytes));
  progress.done(sizeBytes, rows);
  return rows;
}

function scanOptions(file: string, text: TextOptions, progress: Progress, sizeBytes: number): ScanOptions {
  return {
    file,
    encoding: text.encoding ?? 'utf8',
    locale: text.locale ?? 'en',
    onProgress: (bytes, dataRows) => progress.update(bytes, sizeBytes, dataRows),
  };
}

/** A scan handler passing every field of each row as a string. */
function allFields(handler: CsvRowHandler): CsvScanHandler {
  return {
    header: (fields, line) => handler.header(fields, line),
    row(row, line) {
      const fields: string[] = new Array<string>(row.length);
      for (let i = 0; i < row.length; i++) fields[i] = row.get(i);
      handler.row(fields, line);
    },
  };
}

/**
 * Like {@link readCsvRows}, but each row's fields are decoded only when the handler asks for them ({@link CsvRow}).
 * Reading is synchronous in buffers of a few MiB: the CLI reads one file at a time, and a read call per buffer costs
 * less than a stream's events. With `from`, reading starts at that byte offset, which must be a row start, with its
 * line number: every row there is a data row (see {@link ScanOptions.from}).
 */
export async function scanCsvRows(
  path: string,
  file: string,
  handler: CsvScanHandler,
  progress: Progress,
  text: TextOptions = {},
  from?: { offset: number; line: number },
): Promise<number> {
  return scanCsvFile(path, file, handler, progress, text, from);
}

/** {@link scanCsvRows}, synchronously: for a worker thread or a caller that reads a part of a file in between. */
export function scanCsvFile(
  path: string,
  file: string,
  handler: CsvScanHandler,
  progress: Progress,
  text: TextOptions = {},
  from?: { offset: number; line: number },
): number {
  let fd: number;
  let sizeBytes: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause });
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) {
      throw new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: not a regular file.`);
    }
    sizeBytes = info.size;
    let position = from?.offset ?? 0;
    const read = (into: Uint8Array, offset: number, length: number): number => {
      try {
        const got = readSync(fd, into, offset, length, position);
        position += got;
        return got;
      } catch (cause) {
        throw new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause });
      }
    };
    const options = scanOptions(file, text, progress, sizeBytes);
    if (from !== undefined) options.from = from;
    const rows = scanCsv(read, handler, options);
    progress.done(sizeBytes, rows);
    return rows;
  } finally {
    closeSync(fd);
  }
}

/** The user-facing part of a Node I/O error (`ENOENT: no such file or directory`), without the stack. */
export function describeIoError(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    if (code === 'EISDIR') return 'it is a directory';
    return cause.message;
  }
  return String(cause);
}

/**
 * Reads the start of a file (at most `maxBytes`, default 64 KiB), BOM removed, for format detection. Invalid UTF-8
 * in it is already an `invalid-encoding` error naming the line.
 */
export async function readHead(path: string, file: string, text: TextOptions = {}, maxBytes = 65_536): Promise<string> {
  let bytes: Uint8Array;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(maxBytes);
      const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause });
  }
  const head = decodeHead(bytes, file, text.encoding ?? 'utf8', text.locale ?? 'en');
  return head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
}

/** The first line of `text`, without its line end. */
export function firstLineOf(text: string): string {
  const end = text.search(/[\r\n]/);
  return end === -1 ? text : text.slice(0, end);
}

/** Splits one CSV line into fields with the same scanner the readers use. */
export function splitCsvLine(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  let fields: string[] = [];
  let done = false;
  try {
    scanCsv(
      (into, offset, length) => {
        if (done) return 0;
        done = true;
        const n = Math.min(length, bytes.length);
        bytes.copy(into, offset, 0, n);
        return n;
      },
      {
        header: (row) => {
          fields = row;
          throw stopAfterHeader;
        },
        row: () => {},
      },
      { file: 'line', encoding: 'utf8', locale: 'en', bufferBytes: Math.max(64, bytes.length + 1) },
    );
  } catch (error) {
    // Detection reads the first line only; a line that is not CSV matches no format (the read then names the problem).
    if (error !== stopAfterHeader && !(error instanceof CliError)) throw error;
  }
  return fields;
}

const stopAfterHeader = Symbol('header read');

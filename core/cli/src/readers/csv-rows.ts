import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { stat } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import Papa from 'papaparse';
import type { Locale } from '@clvlens/core/i18n';
import { CliError, CliErrorCode } from '../errors.ts';
import type { Progress } from '../progress.ts';
import { createDecodingStream, decodeHead, type TextEncoding } from './text-decoding.ts';

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

const CHUNK_BYTES = 1 << 20;

/**
 * Streams a comma-separated UTF-8 file through Papa Parse (RFC 4180 quoting; `\n`, `\r\n` or `\r` line ends) and
 * calls `handler` per row, never holding the whole file in memory. Resolves to the number of data rows.
 * `file` is the name used in messages; `path` the resolved path.
 */
export async function readCsvRows(path: string, file: string, handler: CsvRowHandler, progress: Progress, text: TextOptions = {}): Promise<number> {
  let sizeBytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    sizeBytes = info.size;
  } catch (cause) {
    throw new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause });
  }
  return readCsvStream(createReadStream(path, { highWaterMark: CHUNK_BYTES }), file, handler, progress, text, sizeBytes);
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
  stream: Readable & { bytesRead?: number },
  file: string,
  handler: CsvRowHandler,
  progress: Progress,
  text: TextOptions = {},
  sizeBytes = 0,
): Promise<number> {
  const decoded = stream.pipe(createDecodingStream(file, text.encoding ?? 'utf8', text.locale ?? 'en'));
  let line = 1;
  let dataRows = 0;
  let sawHeader = false;

  return await new Promise<number>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown, parser?: Papa.Parser) => {
      if (settled) return;
      settled = true;
      parser?.abort();
      stream.destroy();
      decoded.destroy();
      reject(error);
    };
    stream.on('error', (cause) => fail(new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause })));
    decoded.on('error', (error) => fail(error));
    Papa.parse<string[]>(decoded, {
      delimiter: ',',
      skipEmptyLines: false,
      chunk(results, parser) {
        if (settled) return;
        const rows = results.data;
        // Papa Parse reports quote errors with the row index inside this chunk.
        const firstError = results.errors[0];
        const errorRow = firstError?.row ?? -1;
        try {
          for (let r = 0; r < rows.length; r++) {
            const fields = rows[r];
            if (fields === undefined) continue;
            const rowLine = line;
            line += 1 + embeddedNewlines(fields, results.meta.linebreak);
            if (r === errorRow && firstError !== undefined) {
              throw new CliError(CliErrorCode.malformedCsv, `${firstError.message}; fix the quoting of this row.`, {
                location: { file, line: rowLine },
              });
            }
            if (fields.length === 1 && fields[0] === '') continue;
            if (!sawHeader) {
              sawHeader = true;
              const first = fields[0];
              if (first !== undefined && first.charCodeAt(0) === 0xfeff) fields[0] = first.slice(1);
              handler.header(fields, rowLine);
              continue;
            }
            dataRows++;
            handler.row(fields, rowLine);
          }
          if (firstError !== undefined && errorRow < 0) {
            throw new CliError(CliErrorCode.malformedCsv, `${firstError.message}.`, { location: { file, line } });
          }
        } catch (error) {
          fail(error, parser);
          return;
        }
        progress.update(stream.bytesRead ?? 0, sizeBytes, dataRows);
      },
      complete() {
        if (settled) return;
        settled = true;
        if (!sawHeader) {
          reject(new CliError(CliErrorCode.unknownFormat, `${file} is empty: expected a header row.`));
          return;
        }
        progress.done(sizeBytes, dataRows);
        resolve(dataRows);
      },
      error(cause) {
        fail(new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause }));
      },
    });
  });
}

// Line ends inside quoted fields: each `\n` (which also covers `\r\n`) ends one physical line, or each `\r` in a
// file whose rows end in a lone `\r`. One indexOf per non-empty field keeps this off the profile.
function embeddedNewlines(fields: string[], lineEnd: string): number {
  const mark = lineEnd === '\r' ? '\r' : '\n';
  let count = 0;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field.length === 0) continue;
    let at = field.indexOf(mark);
    while (at !== -1) {
      count++;
      at = field.indexOf(mark, at + 1);
    }
  }
  return count;
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

/** Splits one CSV line into fields with the same parser the readers use. */
export function splitCsvLine(text: string): string[] {
  return Papa.parse<string[]>(text, { delimiter: ',' }).data[0] ?? [];
}

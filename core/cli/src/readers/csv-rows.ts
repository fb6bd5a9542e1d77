import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import Papa from 'papaparse';
import { CliError, CliErrorCode } from '../errors.ts';
import type { Progress } from '../progress.ts';

/** Receives a CSV file's rows in order. Either callback may throw a `CliError` to stop reading. */
export interface CsvRowHandler {
  /** The first row, BOM removed. `line` is 1-based. */
  header(fields: string[], line: number): void;
  /** A data row and the 1-based line it starts on (quoted fields may span lines). Blank lines are not passed. */
  row(fields: string[], line: number): void;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Streams a comma-separated UTF-8 file through Papa Parse (RFC 4180 quoting; `\n`, `\r\n` or `\r` line ends) and
 * calls `handler` per row, never holding the whole file in memory. Resolves to the number of data rows.
 * `file` is the name used in messages; `path` the resolved path.
 */
export async function readCsvRows(path: string, file: string, handler: CsvRowHandler, progress: Progress): Promise<number> {
  let sizeBytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    sizeBytes = info.size;
  } catch (cause) {
    throw new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause });
  }
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
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
      reject(error);
    };
    stream.on('error', (cause) =>
      fail(new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause })),
    );
    Papa.parse<string[]>(stream, {
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
        progress.update(stream.bytesRead, sizeBytes, dataRows);
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

/** Reads the start of a file (at most 64 KiB, whole lines where possible), BOM removed, for format detection. */
export async function readHead(path: string, file: string): Promise<string> {
  const stream = createReadStream(path, { encoding: 'utf8', start: 0, end: 65_535 });
  let text = '';
  try {
    for await (const chunk of stream) text += chunk as string;
  } catch (cause) {
    throw new CliError(CliErrorCode.fileUnreadable, `cannot read ${file}: ${describeIoError(cause)}.`, { cause });
  } finally {
    stream.destroy();
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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

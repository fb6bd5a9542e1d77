/** UTF-8 byte order mark: Excel reads a CSV as UTF-8 only with it (without, Korean and Arabic come out garbled). */
export const UTF8_BOM = '\uFEFF';

/** A cell: text is escaped against formula injection; numbers are written as is (machine-readable, `.` decimals). */
export type CsvCell = string | number | null;

// OWASP "CSV Injection": a cell a spreadsheet would read as a formula starts with one of these (tab and carriage
// return too: some programs strip them and read what follows).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): `null` is empty; a number is written in plain decimal notation; text that starts like a
 * formula gets a leading `'` so spreadsheets show it as text, and text with a comma, quote or line break is quoted.
 */
export function csvField(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) throw new RangeError(`csvField: ${cell} is not a finite number`);
    return String(cell);
  }
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record ending in CRLF (RFC 4180). */
export function csvRecord(cells: readonly CsvCell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/**
 * A CSV file as a byte stream: the BOM and header first, then each batch of rows `nextRows` yields, asked for only
 * when the reader wants more (backpressure), so a 200,000-row export holds one batch in memory, not the file.
 * `nextRows` returns null when there are no more rows. Cancelling the stream (the client went away) stops asking.
 */
export function createCsvStream(header: readonly string[], nextRows: () => Promise<CsvCell[][] | null>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(UTF8_BOM + csvRecord(header)));
          return;
        }
        const rows = await nextRows();
        if (rows === null) {
          controller.close();
          return;
        }
        let text = '';
        for (const row of rows) text += csvRecord(row);
        controller.enqueue(encoder.encode(text));
      },
    },
    // One batch queued ahead at most.
    { highWaterMark: 1 },
  );
}

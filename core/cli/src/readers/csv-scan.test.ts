import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CliError, CliErrorCode } from '../errors.ts';
import { Readable } from 'node:stream';
import { scanCsv, scanCsvAsync, streamByteSource, type CsvScanHandler } from './csv-scan.ts';
import type { TextEncoding } from './text-decoding.ts';

interface Scanned {
  header: string[] | null;
  rows: { fields: string[]; line: number }[];
}

/** Scans `bytes` handing them over `chunk` bytes per read, with a first buffer of `bufferBytes`. */
function scan(bytes: Uint8Array, options: { chunk?: number; bufferBytes?: number; encoding?: TextEncoding; lazy?: number[] } = {}): Scanned {
  const out: Scanned = { header: null, rows: [] };
  let at = 0;
  const handler: CsvScanHandler = {
    header(fields, line) {
      out.header = fields;
      out.rows.push({ fields, line });
    },
    row(row, line) {
      // Asking for some fields first, then all, checks that lazy splitting gives the same answer in any order.
      for (const index of options.lazy ?? []) row.get(index);
      const fields: string[] = [];
      for (let i = 0; i < row.length; i++) fields.push(row.get(i));
      out.rows.push({ fields, line });
    },
  };
  scanCsv(
    (into, offset, length) => {
      const n = Math.min(length, options.chunk ?? length, bytes.length - at);
      into.set(bytes.subarray(at, at + n), offset);
      at += n;
      return n;
    },
    handler,
    { file: 'in.csv', encoding: options.encoding ?? 'utf8', locale: 'en', ...(options.bufferBytes ? { bufferBytes: options.bufferBytes } : {}) },
  );
  return out;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function scanError(text: string | Uint8Array, options: { chunk?: number; bufferBytes?: number } = {}): CliError {
  try {
    scan(typeof text === 'string' ? utf8(text) : text, options);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe('scanCsv', () => {
  it('reads quoted fields, escaped quotes, embedded line ends and every line-end style', () => {
    const text = 'a,b,c\r\n1,"x, ""y""",\r\n\r\n2,"multi\nline",z\n3,plain"quote,w';
    const { rows } = scan(utf8(text));
    expect(rows).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', 'x, "y"', ''], line: 2 },
      { fields: ['2', 'multi\nline', 'z'], line: 4 },
      { fields: ['3', 'plain"quote', 'w'], line: 6 },
    ]);
    expect(scan(utf8('h\rx\ry\r')).rows.map((r) => r.fields[0])).toEqual(['h', 'x', 'y']);
  });

  it('drops a UTF-8 BOM and keeps a trailing empty field', () => {
    const { rows } = scan(utf8('\uFEFFName,Total\n#1,\n'));
    expect(rows).toEqual([
      { fields: ['Name', 'Total'], line: 1 },
      { fields: ['#1', ''], line: 2 },
    ]);
  });

  it('names the line of an unterminated quote and of text after a closing quote', () => {
    const open = scanError('a,b\n1,2\n3,"never closed\n4,5\n');
    expect(open.code).toBe(CliErrorCode.malformedCsv);
    expect(open.location).toEqual({ file: 'in.csv', line: 3 });
    const after = scanError('a,b\n1,"x"y\n');
    expect(after.code).toBe(CliErrorCode.malformedCsv);
    expect(after.location).toEqual({ file: 'in.csv', line: 2 });
  });

  it('names the line of invalid UTF-8 however the bytes are cut into buffers, and accepts a sequence cut in two', () => {
    const good = utf8('name,city\nJosé,서울\nMona,القاهرة\n');
    for (const chunk of [1, 2, 3, 5, 64]) {
      expect(scan(good, { chunk, bufferBytes: 8 }).rows.map((r) => r.fields)).toEqual([
        ['name', 'city'],
        ['José', '서울'],
        ['Mona', 'القاهرة'],
      ]);
    }
    const bad = new Uint8Array([...utf8('name,city\nA,B\n"C\nD",x\nJos'), 0xe9, ...utf8(',Lyon\n')]);
    for (const chunk of [1, 4, 7, 1000]) {
      const error = scanError(bad, { chunk, bufferBytes: 8 });
      expect(error.code).toBe(CliErrorCode.invalidEncoding);
      expect(error.message).toMatch(/^in\.csv:5: /);
    }
    expect(scan(bad, { encoding: 'latin1' }).rows.at(-1)?.fields).toEqual(['José', 'Lyon']);
  });

  it('reads a byte stream the same way, whatever its chunks', async () => {
    const text = 'name,note\r\n"Kim, J","line one\nline two"\r\n서울,"x ""y"""\r\n';
    const bytes = utf8(text);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const got: string[][] = [];
    const rows = await scanCsvAsync(
      streamByteSource(Readable.from(chunks)),
      { header: (fields) => got.push(fields), row: (row) => got.push(Array.from({ length: row.length }, (_, i) => row.get(i))) },
      { file: 'upload.csv', encoding: 'utf8', locale: 'en', bufferBytes: 8 },
    );
    expect(rows).toBe(2);
    expect(got).toEqual([
      ['name', 'note'],
      ['Kim, J', 'line one\nline two'],
      ['서울', 'x "y"'],
    ]);
  });

  it('says an empty file is empty', () => {
    expect(scanError('').code).toBe(CliErrorCode.unknownFormat);
    expect(scanError('\n\n').message).toContain('is empty');
  });

  // Papa Parse, a widely used RFC 4180 parser, is the oracle: same fields for any well-formed file, whatever the
  // buffer sizes and the order in which fields are asked for.
  it('matches Papa Parse on generated files', () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-z0-9 .#@'-]{0,8}$/),
      fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é', '한', 'ع'), maxLength: 8 }).map((s) => `"${s.replaceAll('"', '""')}"`),
    );
    const file = fc.record({
      rows: fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 }),
      lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
      finalLineEnd: fc.boolean(),
      chunk: fc.integer({ min: 1, max: 40 }),
      bufferBytes: fc.integer({ min: 4, max: 64 }),
      lazy: fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(file, ({ rows, lineEnd, finalLineEnd, chunk, bufferBytes, lazy }) => {
        const text = rows.map((r) => r.join(',')).join(lineEnd) + (finalLineEnd ? lineEnd : '');
        const expected = Papa.parse<string[]>(text, { delimiter: ',', newline: lineEnd as '\n' | '\r\n' | '\r' }).data.filter(
          (r) => !(r.length === 1 && r[0] === ''),
        );
        if (expected.length === 0) {
          expect(scanError(text, { chunk, bufferBytes }).code).toBe(CliErrorCode.unknownFormat);
          return;
        }
        const got = scan(utf8(text), { chunk, bufferBytes, lazy }).rows.map((r) => r.fields);
        expect(got).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('scanCsv from a row start', () => {
  it('passes every row as data, with lines and byte offsets counted from the start given', () => {
    const bytes = utf8('h1,h2\n"a\nb",1\r\nc,2\n');
    const seen: { fields: string[]; line: number; offset: number; copied: string; matches: boolean }[] = [];
    const into = new Uint8Array(1);
    let at = 6;
    scanCsv(
      (target, offset, length) => {
        const n = Math.min(length, bytes.length - at);
        target.set(bytes.subarray(at, at + n), offset);
        at += n;
        return n;
      },
      {
        header: () => expect.unreachable('no header mid-file'),
        row(row, line, offset) {
          // `copy` reports the length even when it does not fit; `matches` then compares that many bytes.
          const length = row.copy(0, into);
          const big = new Uint8Array(length);
          row.copy(0, big);
          seen.push({ fields: [row.get(0), row.get(1)], line, offset, copied: Buffer.from(big).toString(), matches: row.matches(0, big, length) });
        },
      },
      { file: 'in.csv', encoding: 'utf8', locale: 'en', from: { offset: 6, line: 2 } },
    );
    expect(seen).toEqual([
      { fields: ['a\nb', '1'], line: 2, offset: 6, copied: 'a\nb', matches: true },
      { fields: ['c', '2'], line: 4, offset: 15, copied: 'c', matches: true },
    ]);
  });
});

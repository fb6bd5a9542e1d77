import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { noProgress, quoteCsv, tempDir } from '../testing/temp-files.ts';
import type { ReadOrdersOptions } from './reader.ts';
import {
  PARALLEL_MIN_BYTES,
  readExportInTwoParts,
  readExportSequentially,
  readExportTail,
  readShopifyOrdersExport,
  readTailOffThread,
  splitIn,
  type TailReader,
} from './shopify-orders.ts';

const files = tempDir();
const options: ReadOrdersOptions = { timeZone: 'UTC', currency: null, skipInvalid: false, progress: noProgress };
const HEADER = ['Name', 'Email', 'Financial Status', 'Currency', 'Total', 'Created at', 'Lineitem name', 'Cancelled at', 'Refunded Amount', 'Id', 'Tags'];

/** An export with CRLF line ends and a BOM, written from rows of named cells. */
function exportOf(rows: Record<string, string>[]): string {
  const lines = [HEADER.join(','), ...rows.map((row) => HEADER.map((name) => quoteCsv(row[name] ?? '')).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Orders of one to three rows; a line-item name holds a line end followed by text that looks like an order row. */
function tricky(): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  const zones = ['+0000', '-0300', '+0530', '-0500', '+0100', '+0900', '-0800', '+1000', '-0700', '+0200'];
  for (let n = 1; n <= 14; n++) {
    const name = `#${1000 + n}`;
    rows.push({
      Name: name,
      // One non-ASCII e-mail: tails with it come back as one string, the others as ASCII bytes.
      Email: n % 4 === 0 ? '' : n === 13 ? 'Jürgen@Example.com' : `Buyer${n % 5}@Example.com`,
      'Financial Status': n === 6 ? 'refunded' : 'paid',
      Currency: 'USD',
      Total: `${n}.50`,
      'Created at': `2025-0${1 + (n % 9)}-1${n % 10} 10:00:00 ${zones[n % zones.length]}`,
      'Lineitem name': n % 3 === 0 ? `Spoon\r\n#${1001 + n},late@example.com,paid,USD,1.00` : 'Mug',
      Id: String(5000 + n),
      Tags: n === 7 ? 'Subscription' : '',
    });
    // Line items; an order without email on its first row takes the first one given here.
    for (let k = 0; k < n % 3; k++) rows.push({ Name: name, Email: n % 4 === 0 ? `late${n}@example.com` : '', 'Lineitem name': `"Item ${k}"\n` });
  }
  return rows;
}

/** The outcome of a read as plain data: its result, or its error's code, message and location. */
async function outcome(read: Promise<unknown>): Promise<unknown> {
  try {
    return await read;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { code: error.code, message: error.message, location: error.location };
  }
}

/** Tails read on this thread; `joinable` counts those that found a handoff row. */
let joinable = 0;
const inProcess =
  (path: string, file: string, readOptions: ReadOrdersOptions): TailReader =>
  (split) => {
    const { progress: _progress, ...plain } = readOptions;
    const tail = readExportTail(path, file, plain, split);
    if (tail.ok) joinable++;
    return { tail: Promise.resolve(tail), stop: () => {} };
  };

/** Reads `text` sequentially and split at every byte offset, and expects the same outcome each time. */
async function expectSameAtEverySplit(name: string, text: string | Uint8Array, readOptions: ReadOrdersOptions = options): Promise<unknown> {
  const path = files.write(name, text);
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  const expected = await outcome(readExportSequentially(path, name, readOptions));
  joinable = 0;
  for (let split = 0; split <= size; split++) {
    const got = await outcome(readExportInTwoParts(path, name, readOptions, split, inProcess(path, name, readOptions)));
    if (JSON.stringify(got) !== JSON.stringify(expected)) expect({ split, got }).toEqual({ split, got: expected });
  }
  return expected;
}

describe('readExportInTwoParts', () => {
  it('gives the sequential result at every split point (BOM, CRLF, quoted line ends, orders of several rows)', async () => {
    const expected = (await expectSameAtEverySplit('tricky.csv', exportOf(tricky()))) as { orders: unknown[]; timeOffsets: string[] };
    // The parts were joined at every row start but those of the last order (read whole by the head).
    expect(joinable).toBeGreaterThan(20);
    expect(expected.orders).toHaveLength(14);
    // More distinct offsets than listed: the list is the first 8 seen, sorted, in either part.
    expect(expected.timeOffsets).toHaveLength(8);
  });

  it('reports a bad cell after the split with the file and line of a sequential read', async () => {
    const rows = tricky();
    rows.push({ Name: '#2000', Currency: 'USD', Total: '5.00', 'Created at': '2025-13-40 10:00' });
    const text = exportOf(rows);
    const expected = (await expectSameAtEverySplit('bad-date.csv', text)) as { code: string; location: { line: number } };
    expect(expected.code).toBe('invalid-value');
    const before = text.slice(0, text.indexOf('#2000'));
    expect(expected.location.line).toBe(before.split(/\r\n|\n/).length);
  });

  it('reports malformed quoting and a second currency after the split as a sequential read does', async () => {
    const unterminated = `${exportOf(tricky())}"#3000,x\r\n`;
    expect(await expectSameAtEverySplit('quote.csv', unterminated)).toMatchObject({ code: 'malformed-csv' });
    const rows = [...tricky(), { Name: '#2001', Currency: 'EUR', Total: '1.00', 'Created at': '2025-01-01 10:00:00 +0000' }];
    expect(await expectSameAtEverySplit('mixed.csv', exportOf(rows))).toMatchObject({ code: 'mixed-currency' });
    const badByte = Buffer.concat([Buffer.from(exportOf(tricky())), Buffer.from([0x23, 0x33, 0xff, 0x0d, 0x0a])]);
    expect(await expectSameAtEverySplit('latin1.csv', badByte)).toMatchObject({ code: 'invalid-encoding' });
  });

  it('counts the same skips with --skip-invalid, a name repeated across the split included', async () => {
    const rows = tricky();
    rows.splice(5, 0, { Name: '', Currency: 'USD', Total: '1.00', 'Created at': '2025-01-01 10:00:00 +0000' });
    rows.push(
      { Name: '#1001', Currency: 'USD', Total: '9.00', 'Created at': '2025-01-01 10:00:00 +0000' },
      { Name: '#2002', 'Lineitem name': 'orphan line item' },
      { Name: '#2003', Currency: 'EUR', Total: '1.00', 'Created at': '2025-01-01 10:00:00 +0000' },
      { Name: '#2004', Currency: 'USD', Total: '1,000.00', 'Created at': '2025-01-01 10:00:00 +0000' },
      { Name: '#2005', Currency: 'USD', Total: '2.00', 'Created at': '2025-01-01 10:00:00 +0000' },
    );
    const expected = (await expectSameAtEverySplit('skips.csv', exportOf(rows), { ...options, skipInvalid: true })) as {
      skippedByReason: Record<string, number>;
    };
    expect(expected.skippedByReason).toEqual({
      'missing-order-name': 1,
      'duplicate-order': 1,
      'missing-order-row': 1,
      'other-currency': 1,
      'invalid-total': 1,
    });
  });

  it('gives the sequential result with the tail read by a worker thread', async () => {
    const text = exportOf(tricky());
    const path = files.write('worker.csv', text);
    const expected = await readExportSequentially(path, 'worker.csv', options);
    const middle = splitIn(Buffer.from(text).subarray(text.length >> 1), text.length >> 1);
    expect(middle).not.toBeNull();
    const got = await readExportInTwoParts(path, 'worker.csv', options, middle as number, (split) => readTailOffThread(path, 'worker.csv', options, split));
    expect(got).toEqual(expected);
  });
});

describe('readShopifyOrdersExport', () => {
  it('reads a file larger than the two-thread threshold as one thread does', async () => {
    const rows: Record<string, string>[] = [];
    for (let n = 1; n <= 70_000; n++) {
      rows.push({ Name: `#${n}`, Email: `c${n % 9000}@example.com`, Currency: 'USD', Total: '12.00', 'Created at': '2025-03-01 10:00:00 -0400' });
      rows.push({ Name: `#${n}`, 'Lineitem name': 'A fairly long line item name, quoted, so that the file passes 8 MiB' });
    }
    const path = files.write('large.csv', exportOf(rows));
    expect(statSync(path).size).toBeGreaterThanOrEqual(PARALLEL_MIN_BYTES);
    const got = await readShopifyOrdersExport(path, 'large.csv', options);
    expect(got).toEqual(await readExportSequentially(path, 'large.csv', options));
    expect(got.orders).toHaveLength(70_000);
  });
});

describe('splitIn', () => {
  it('picks the first line start that is not blank and does not open a quote', () => {
    expect(splitIn(Buffer.from('ab\n\r\n"x\nyz'), 100)).toBe(108);
    expect(splitIn(Buffer.from('no line end'), 0)).toBeNull();
  });
});

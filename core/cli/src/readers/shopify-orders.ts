import type { OrderRecord } from '@clvlens/core';
import { CliError, CliErrorCode } from '../errors.ts';
import { indexHeader, InvalidCellError, invalidCell, isKnownCurrency, locateColumns, normalizeHeaderName, parseAmountCell } from './columns.ts';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { createProgress } from '../progress.ts';
import { firstLineOf, scanCsvFile, splitCsvLine, textOptionsOf, type CsvRow, type CsvScanHandler } from './csv-rows.ts';
import { parseDateTimeMs } from './datetime.ts';
import { countSkip, InputFormat, type OrdersReader, type ReadOrdersOptions, type ReadOrdersResult } from './reader.ts';

const FORMAT_NAME = 'Shopify orders export';
const REQUIRED = ['Name', 'Created at', 'Total'] as const;

/** Financial statuses meaning no money changed hands: the order is treated as cancelled. */
const VOID_STATUSES = new Set(['voided']);

/**
 * Reads an Admin › Orders › Export CSV: one row per line item, grouped into orders by `Name`; order-level columns are
 * read from the order's first row (the one with `Total`). Columns are matched by header name (case and spacing
 * ignored), so extra, reordered or missing optional columns are fine; a UTF-8 BOM is ignored. Rules (README):
 * - `placedAtMs` from `Created at`; a time without an offset is wall time in the shop zone.
 * - `refundedMinor` from `Refunded Amount`; when that column is absent or empty and `Financial Status` is
 *   `refunded`, the whole total.
 * - cancelled when `Cancelled at` is set or `Financial Status` is `voided`.
 * - test when `Payment Method` or `Gateway` names Shopify's Bogus Gateway (`bogus`), or a `Test` column is `true`.
 * - subscription when a tag contains "subscription", or `Source` contains "subscription" or "recharge".
 * - identity: a `Customer ID` column when present, else `Email` (the standard export has no customer id).
 * - `orderId` from `Id`, else `Name`.
 * A group whose first row has no order-level columns is skipped as `missing-order-row`; a second group with an
 * already-seen name and order-level columns as `duplicate-order`.
 */
export const shopifyOrdersReader: OrdersReader = {
  format: InputFormat.shopifyOrdersExport,
  description: 'Shopify Admin orders export (header has "Name", "Created at" and "Total")',
  detect(head) {
    const index = indexHeader(splitCsvLine(firstLineOf(head)));
    return REQUIRED.every((name) => index.has(normalizeHeaderName(name)));
  },
  read: readShopifyOrdersExport,
};

interface Columns {
  name: number;
  createdAt: number;
  total: number;
  email: number;
  currency: number;
  id: number;
  cancelledAt: number;
  refundedAmount: number;
  financialStatus: number;
  tags: number;
  source: number;
  paymentMethod: number;
  gateway: number;
  test: number;
  customerId: number;
}

/** See {@link shopifyOrdersReader}. Files of {@link PARALLEL_MIN_BYTES} or more are read by two threads. */
export async function readShopifyOrdersExport(path: string, file: string, options: ReadOrdersOptions): Promise<ReadOrdersResult> {
  const split = await chooseSplit(path);
  if (split === null) return readExportSequentially(path, file, options);
  return readExportInTwoParts(path, file, options, split, (at) => readTailOffThread(path, file, options, at));
}

/** {@link readExportTail} in a worker thread; `stop` ends the worker when its result is not needed. */
export function readTailOffThread(path: string, file: string, options: ReadOrdersOptions, split: number): TailReading {
  const { progress: _progress, ...plain } = options;
  const worker = new Worker(new URL('./shopify-orders-worker.ts', import.meta.url), { workerData: { path, file, options: plain, split } });
  const tail = new Promise<ExportTail>((resolve) => {
    worker.once('message', (message: ExportTail) => resolve(message));
    // A worker that fails to start or dies leaves the tail to this thread.
    worker.once('error', () => resolve({ ok: false }));
    worker.once('exit', () => resolve({ ok: false }));
  });
  return { tail, stop: () => void worker.terminate() };
}

/** Reads the whole export on this thread. */
export async function readExportSequentially(path: string, file: string, options: ReadOrdersOptions): Promise<ReadOrdersResult> {
  const reader = createExportReader(file, options);
  scanCsvFile(path, file, reader.handler, options.progress, textOptionsOf(options));
  return reader.result();
}

/** Reads the part of an export after `split` (see {@link readExportInTwoParts}) somewhere else, e.g. a worker thread. */
export type TailReader = (split: number) => TailReading;
/** A tail being read; `stop` when it is no longer needed. */
export interface TailReading {
  tail: Promise<ExportTail>;
  stop(): void;
}

/**
 * Reads an export in two parts at once: this thread from the start, `readTail` from `split` (the start of a line
 * after the file's middle), and joins them so that the result equals {@link readExportSequentially}'s.
 *
 * A quoted field may hold a line end, so `split` is only a guess at a row start: this thread checks it when it gets
 * there, and when no row starts at `split`, ignores the tail and reads on. The parts meet at the *handoff row*: the
 * first row after `split` whose order name differs from that of the first named row after `split`. Both sides find
 * it alone, and no order spans it (a Shopify order's rows are consecutive). The tail's orders are kept only when
 * nothing in them depends on the head (no order name seen in both parts, one shop currency); otherwise this thread
 * reads the tail itself from the handoff row, with the head's state, so skips are exactly those of a sequential read.
 * When the tail met an error, this thread reads the whole file again, so the error is the one a sequential read
 * reports first, with its line.
 */
export async function readExportInTwoParts(
  path: string,
  file: string,
  options: ReadOrdersOptions,
  split: number,
  readTail: TailReader,
): Promise<ReadOrdersResult> {
  const reading = readTail(split);
  const reader = createExportReader(file, options);
  const findHandoff = createHandoffFinder(split, (fields) => reader.nameOf(fields));
  let handoff: { offset: number; line: number } | null = null;
  const head: CsvScanHandler = {
    header: reader.handler.header,
    row(fields, line, offset) {
      if (findHandoff(fields, offset) === 'handoff') {
        handoff = { offset, line };
        throw STOP;
      }
      reader.handler.row(fields, line, offset);
    },
  };
  let rest: ExportTail;
  try {
    try {
      scanCsvFile(path, file, head, options.progress, textOptionsOf(options));
    } catch (error) {
      if (error !== STOP) throw error;
    }
    if (handoff === null) return reader.result();
    rest = await reading.tail;
  } finally {
    reading.stop();
  }
  const at = handoff as { offset: number; line: number };
  // The tail met an error (or its thread died): read the file again on this thread, so that the error reported is
  // the one a sequential read meets first, also when a bad byte and a bad cell are close (UTF-8 is checked a buffer
  // ahead of the rows, and buffers are cut where the read starts).
  if (!rest.ok) return readExportSequentially(path, file, options);
  if (!reader.canJoin(rest, at.offset)) {
    scanCsvFile(path, file, reader.handler, options.progress, textOptionsOf(options), at);
    return reader.result();
  }
  return reader.join(rest);
}

/**
 * Reads the tail of an export from `split` (see {@link readExportInTwoParts}): the header from the file's start, then
 * the rows from the handoff row on, as if the file began there. Any error ends it as `{ ok: false }`: the head then
 * reads the tail itself and reports the error with its line.
 */
export function readExportTail(path: string, file: string, options: TailOptions, split: number): ExportTail {
  try {
    const reader = createExportReader(file, { ...options, progress: noProgress });
    const text = textOptionsOf(options);
    try {
      scanCsvFile(
        path,
        file,
        {
          header: reader.handler.header,
          row: () => {
            throw STOP;
          },
        },
        noProgress,
        text,
      );
    } catch (error) {
      if (error !== STOP) throw error;
    }
    const findHandoff = createHandoffFinder(split, (fields) => reader.nameOf(fields));
    let handoff = -1;
    scanCsvFile(
      path,
      file,
      {
        header() {},
        row(fields, line, offset) {
          if (handoff < 0) {
            if (findHandoff(fields, offset) !== 'handoff') return;
            handoff = offset;
          }
          reader.handler.row(fields, line, offset);
        },
      },
      noProgress,
      text,
      { offset: split, line: 1 },
    );
    if (handoff < 0) return { ok: false };
    return reader.tail(handoff);
  } catch {
    return { ok: false };
  }
}

/** What {@link readExportTail} needs of {@link ReadOrdersOptions}: the plain values a worker thread can receive. */
export type TailOptions = Omit<ReadOrdersOptions, 'progress'>;

/** The tail of an export read from its handoff row on; orders in columns, so a worker sends them without cloning objects. */
export type ExportTail =
  | {
      ok: true;
      /** Byte offset of the handoff row. */
      handoff: number;
      orders: OrderColumns;
      dataRows: number;
      skippedByReason: Record<string, number>;
      /** The order names seen ({@link OrderNameSet.snapshot}). */
      names: OrderNameSnapshot;
      /** The currency of the tail's first order (null: none, or `--currency`). */
      shopCurrency: string | null;
      /** UTC offsets in the order first seen, at most 16. */
      timeOffsets: string[];
    }
  | { ok: false };

/** Splits reading at a line start near the middle of files of at least {@link PARALLEL_MIN_BYTES}; null: one thread. */
async function chooseSplit(path: string): Promise<number | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    // The read names the problem.
    return null;
  }
  try {
    const { size } = await handle.stat();
    if (size < PARALLEL_MIN_BYTES) return null;
    const window = Buffer.alloc(SPLIT_WINDOW_BYTES);
    const from = Math.floor(size * HEAD_SHARE);
    const { bytesRead } = await handle.read(window, 0, window.length, from);
    return splitIn(window.subarray(0, bytesRead), from);
  } finally {
    await handle.close();
  }
}

/**
 * The offset after the first `\n` in `bytes` that is followed by a byte other than a line end or a quote, or null.
 * Such a line is never blank, so when it is a row start the head passes it as a row and can check the guess.
 */
export function splitIn(bytes: Uint8Array, offsetOfBytes: number): number | null {
  for (let i = bytes.indexOf(0x0a); i >= 0 && i + 1 < bytes.length; i = bytes.indexOf(0x0a, i + 1)) {
    const next = bytes[i + 1];
    if (next !== 0x0a && next !== 0x0d && next !== 0x22) return offsetOfBytes + i + 1;
  }
  return null;
}

/** Files at least this large are read by two threads: below it, starting a worker costs more than it saves. */
export const PARALLEL_MIN_BYTES = 8 << 20;
/**
 * Share of the file read by this thread: over half, as the worker starts later and its orders are rebuilt here.
 * 0.56 on the 2-core VM of 2026-12-05 (1M-order export, alternating runs): with 0.52 this thread waited 0.3-0.5 s for
 * the worker; with 0.56 the two finish within 0.1-0.2 s of each other; 0.60 made this thread the later one.
 */
const HEAD_SHARE = 0.56;
const SPLIT_WINDOW_BYTES = 1 << 16;

const STOP = Symbol('stop reading');
const noProgress = createProgress({ write: () => {} }, false, '');

/**
 * Says for each row at or after `split` whether it is the handoff row (see {@link readExportInTwoParts}); `invalid`
 * when the first row at or after `split` does not start there (the guess was inside a quoted field).
 */
function createHandoffFinder(split: number, nameOf: (fields: CsvRow) => string): (fields: CsvRow, offset: number) => 'before' | 'handoff' | 'invalid' {
  let checked = false;
  let valid = true;
  let firstName: string | null = null;
  return (fields, offset) => {
    if (offset < split) return 'before';
    if (!checked) {
      checked = true;
      valid = offset === split;
    }
    if (!valid) return 'invalid';
    const name = nameOf(fields);
    if (name === '') return 'before';
    if (firstName === null) {
      firstName = name;
      return 'before';
    }
    return name === firstName ? 'before' : 'handoff';
  };
}

/** Orders as columns: strings joined into one (cut by code-unit ends), numbers in typed arrays. */
export interface OrderColumns {
  count: number;
  /** orderId, customerId and email of each order, in that order, joined; '' when in `ascii`. */
  text: string;
  /**
   * The same text as bytes when it is all ASCII (as exports usually are), or null. The receiver then makes flat strings
   * of it: slices of one large string sort and hash about half as fast, and core sorts and maps every e-mail.
   */
  ascii: Uint8Array | null;
  /** End of each of the 3 × count strings in `text`; -1 for a null customerId or email (which is empty there). */
  textEnds: Int32Array;
  placedAtMs: Float64Array;
  totalMinor: Float64Array;
  refundedMinor: Float64Array;
  /** Bit 0 cancelled, 1 test, 2 subscription. */
  flags: Uint8Array;
  /** Index into `currencies` per order. */
  currency: Uint8Array;
  currencies: string[];
}

/** The buffers of `columns`, to transfer rather than copy to another thread. */
export function transferablesOf(columns: OrderColumns): ArrayBuffer[] {
  const arrays = [columns.textEnds, columns.placedAtMs, columns.totalMinor, columns.refundedMinor, columns.flags, columns.currency];
  if (columns.ascii !== null) arrays.push(columns.ascii);
  return arrays.map((array) => array.buffer as ArrayBuffer);
}

function toColumns(orders: readonly OrderRecord[]): OrderColumns {
  const count = orders.length;
  const parts: string[] = [];
  const textEnds = new Int32Array(3 * count);
  const placedAtMs = new Float64Array(count);
  const totalMinor = new Float64Array(count);
  const refundedMinor = new Float64Array(count);
  const flags = new Uint8Array(count);
  const currency = new Uint8Array(count);
  const currencies: string[] = [];
  let length = 0;
  const put = (k: number, text: string | null) => {
    if (text === null) {
      textEnds[k] = -1;
      return;
    }
    parts.push(text);
    length += text.length;
    textEnds[k] = length;
  };
  for (let i = 0; i < count; i++) {
    const order = orders[i] as OrderRecord;
    put(3 * i, order.orderId);
    put(3 * i + 1, order.customerId);
    put(3 * i + 2, order.email);
    placedAtMs[i] = order.placedAtMs;
    totalMinor[i] = order.totalMinor;
    refundedMinor[i] = order.refundedMinor;
    flags[i] = (order.cancelled ? 1 : 0) | (order.test ? 2 : 0) | (order.subscription ? 4 : 0);
    let c = currencies.indexOf(order.currency);
    if (c < 0) c = currencies.push(order.currency) - 1;
    currency[i] = c;
  }
  // Only the shop currency is kept (others are errors or skips), so one entry: far from the 256 a byte holds.
  const text = parts.join('');
  let ascii: Uint8Array | null = null;
  if (/^[\x00-\x7f]*$/.test(text)) {
    ascii = new Uint8Array(text.length);
    Buffer.from(ascii.buffer).write(text, 'latin1');
  }
  return { count, text: ascii === null ? text : '', ascii, textEnds, placedAtMs, totalMinor, refundedMinor, flags, currency, currencies };
}

function fromColumns(columns: OrderColumns, into: OrderRecord[]): void {
  const { text, textEnds } = columns;
  const ascii = columns.ascii === null ? null : Buffer.from(columns.ascii.buffer, columns.ascii.byteOffset, columns.ascii.length);
  let from = 0;
  const take = (k: number): string | null => {
    const to = textEnds[k] as number;
    if (to < 0) return null;
    const value = ascii === null ? text.slice(from, to) : ascii.toString('latin1', from, to);
    from = to;
    return value;
  };
  for (let i = 0; i < columns.count; i++) {
    const flags = columns.flags[i] as number;
    into.push({
      orderId: take(3 * i) as string,
      customerId: take(3 * i + 1),
      email: take(3 * i + 2),
      placedAtMs: columns.placedAtMs[i] as number,
      currency: columns.currencies[columns.currency[i] as number] as string,
      totalMinor: small(columns.totalMinor[i] as number),
      refundedMinor: small(columns.refundedMinor[i] as number),
      cancelled: (flags & 1) !== 0,
      test: (flags & 2) !== 0,
      subscription: (flags & 4) !== 0,
    });
  }
}

/**
 * An integer read from a Float64Array as V8 keeps the same integer parsed from text: a small integer where it fits.
 * Order records whose amounts are stored as doubles get another hidden class than the main thread's own records, and
 * migrating a million of them made the first pass over the joined orders take most of a second.
 */
function small(value: number): number {
  return value === (value | 0) ? value | 0 : value;
}

/** Reading one export: the rows' handler and what the rows made so far, carried from one part of the file to the next. */
interface ExportReader {
  handler: CsvScanHandler;
  /** The trimmed order name of a row. */
  nameOf(fields: CsvRow): string;
  result(): ReadOrdersResult;
  /** This reader's output as the tail from `handoff` on. */
  tail(handoff: number): ExportTail;
  /** Whether the tail read elsewhere can be appended to what this reader read before `handoff`. */
  canJoin(tail: ExportTail, handoff: number): tail is Extract<ExportTail, { ok: true }>;
  join(tail: Extract<ExportTail, { ok: true }>): ReadOrdersResult;
}

function createExportReader(file: string, options: ReadOrdersOptions): ExportReader {
  const orders: OrderRecord[] = [];
  const skippedByReason: Record<string, number> = {};
  const seenNames = createOrderNameSet();
  let dataRows = 0;
  let header: readonly string[] = [];
  let col: Columns | undefined;
  let currentName: string | null = null;
  let currentNameBytes = new Uint8Array(64);
  let currentNameLength = 0;
  let currentOrder: OrderRecord | null = null;
  let shopCurrency = options.currency;
  let firstCurrency: string | null = null;
  // In the order first seen; the result lists at most 8 (sorted), a tail keeps 16 so that its join can list the same.
  const timeOffsets: string[] = [];
  const timeOffsetLimit = 16;
  const cell = (fields: CsvRow, index: number): string => fields.get(index);
  // Columns with a few distinct values: their strings are made once, not once per order.
  const currencies = createCellCache((text) => text.trim().toUpperCase());
  const statuses = createCellCache((text) => text.trim().toLowerCase());
  const paymentMethods = createCellCache((text) => text);
  const gateways = createCellCache((text) => text);
  const tests = createCellCache((text) => text.trim().toLowerCase());
  const tags = createCellCache((text) => text);
  const sources = createCellCache((text) => text);
  // The last pair of cells and what it gave: consecutive orders mostly share them (the cached strings compare by identity).
  let lastPayment: [string, string, boolean] = ['', '', false];
  let lastSubscription: [string, string, boolean] = ['', '', false];
  let lastOffset = '';

  const buildOrder = (fields: CsvRow, line: number, c: Columns, name: string, totalText: string): OrderRecord => {
    const at = (index: number, problem: string) => invalidCell(file, line, index, header[index] ?? '', problem);

    const createdText = cell(fields, c.createdAt);
    const placedAtMs = parseDateTimeMs(createdText, options.timeZone);
    // A time ending like the last one has its offset, already listed.
    if (timeOffsets.length < timeOffsetLimit && (lastOffset === '' || !createdText.endsWith(lastOffset))) {
      const offset = /[+-]\d{2}:?\d{2}$|Z$/.exec(createdText.trim());
      if (offset !== null) {
        lastOffset = offset[0];
        const text = offset[0] === 'Z' ? '+0000' : offset[0].replace(':', '');
        if (!timeOffsets.includes(text)) timeOffsets.push(text);
      }
    }
    if (placedAtMs === null) {
      throw at(c.createdAt, `${JSON.stringify(createdText)} is not a date-time like "2025-10-02 17:09:34 -0300".`);
    }

    let currency: string;
    if (c.currency >= 0) {
      currency = currencies(fields, c.currency);
      if (!isKnownCurrency(currency)) {
        throw at(c.currency, `${JSON.stringify(cell(fields, c.currency))} is not an ISO 4217 currency code like "USD".`);
      }
    } else {
      // The header check guarantees --currency when the column is missing.
      currency = options.currency as string;
    }
    if (shopCurrency === null) shopCurrency = firstCurrency = currency;
    else if (currency !== shopCurrency) {
      throw new InvalidCellError(
        file,
        line,
        c.currency,
        header[c.currency] ?? 'Currency',
        `order ${name} is in ${currency} but the shop currency is ${shopCurrency} (${options.currency === null ? 'from earlier orders' : 'from --currency'}); CLV Lens reports in one currency and never adds two. ` +
          'Export in the shop currency, or pass --skip-invalid to count such orders as skipped.',
        CliErrorCode.mixedCurrency,
      );
    }

    const totalMinor = parseAmountCell(totalText, currency, file, line, c.total, header[c.total] ?? 'Total');
    if (totalMinor < 0) throw at(c.total, `${JSON.stringify(totalText)} is negative; an order total is >= 0.`);

    const financialStatus = statuses(fields, c.financialStatus);
    const refundedText = cell(fields, c.refundedAmount);
    let refundedMinor = 0;
    if (refundedText.trim() !== '') {
      refundedMinor = parseAmountCell(refundedText, currency, file, line, c.refundedAmount, header[c.refundedAmount] ?? '');
      if (refundedMinor < 0) throw at(c.refundedAmount, `${JSON.stringify(refundedText)} is negative; refunds are listed as positive amounts.`);
    } else if (financialStatus === 'refunded') {
      refundedMinor = totalMinor;
    }

    const cancelledText = cell(fields, c.cancelledAt);
    if (cancelledText.trim() !== '' && parseDateTimeMs(cancelledText, options.timeZone) === null) {
      throw at(c.cancelledAt, `${JSON.stringify(cancelledText)} is not a date-time like "2025-10-02 17:09:34 -0300".`);
    }
    const cancelled = cancelledText.trim() !== '' || VOID_STATUSES.has(financialStatus);

    const emailText = cell(fields, c.email).trim().toLowerCase();
    const customerText = stripApostrophe(cell(fields, c.customerId));
    const idText = stripApostrophe(cell(fields, c.id));
    const paymentMethod = paymentMethods(fields, c.paymentMethod);
    const gateway = gateways(fields, c.gateway);
    if (paymentMethod !== lastPayment[0] || gateway !== lastPayment[1]) {
      lastPayment = [paymentMethod, gateway, `${paymentMethod} ${gateway}`.toLowerCase().includes('bogus')];
    }
    const tagsText = tags(fields, c.tags);
    const sourceText = sources(fields, c.source);
    if (tagsText !== lastSubscription[0] || sourceText !== lastSubscription[1]) {
      lastSubscription = [tagsText, sourceText, isSubscription(tagsText, sourceText)];
    }
    const testText = tests(fields, c.test);
    return {
      orderId: idText === '' ? name : idText,
      customerId: customerText === '' ? null : customerText,
      email: emailText === '' ? null : emailText,
      placedAtMs,
      currency,
      totalMinor,
      refundedMinor,
      cancelled,
      test: lastPayment[2] || testText === 'true' || testText === 'yes',
      subscription: lastSubscription[2],
    };
  };

  const handler: CsvScanHandler = {
    header(fields, line) {
      const find = locateColumns(fields, REQUIRED, file, line, FORMAT_NAME);
      if (find('Currency') < 0 && options.currency === null) {
        throw new CliError(CliErrorCode.missingColumn, 'the header has no "Currency" column: name the shop currency with --currency XXX.', {
          location: { file, line },
        });
      }
      header = fields;
      col = {
        name: find('Name'),
        createdAt: find('Created at'),
        total: find('Total'),
        email: find('Email'),
        currency: find('Currency'),
        id: find('Id'),
        cancelledAt: find('Cancelled at'),
        refundedAmount: find('Refunded Amount'),
        financialStatus: find('Financial Status'),
        tags: find('Tags'),
        source: find('Source', 'Source name'),
        paymentMethod: find('Payment Method'),
        gateway: find('Gateway', 'Payment Gateway'),
        test: find('Test'),
        customerId: find('Customer ID', 'Customer Id'),
      };
    },
    row(fields, line) {
      dataRows++;
      const c = col as Columns;
      // Line-item rows repeat their order's Name: compare bytes, and decode only the first row of each order.
      if (currentName !== null && fields.matches(c.name, currentNameBytes, currentNameLength)) {
        if (currentOrder !== null && currentOrder.email === null) {
          const email = cell(fields, c.email).trim().toLowerCase();
          if (email !== '') currentOrder.email = email;
        }
        return;
      }
      currentNameLength = fields.copy(c.name, currentNameBytes);
      if (currentNameLength > currentNameBytes.length) {
        currentNameBytes = new Uint8Array(2 * currentNameLength);
        fields.copy(c.name, currentNameBytes);
      }
      const name = cell(fields, c.name).trim();
      if (name === '') {
        const error = invalidCell(file, line, c.name, header[c.name] ?? 'Name', 'is empty: every row of an orders export names its order.');
        if (!options.skipInvalid) throw error;
        countSkip(skippedByReason, 'missing-order-name');
        return;
      }
      if (name === currentName) {
        // A line-item row. Exports may repeat Email only here when the order row lacks it.
        if (currentOrder !== null && currentOrder.email === null) {
          const email = cell(fields, c.email).trim().toLowerCase();
          if (email !== '') currentOrder.email = email;
        }
        return;
      }
      currentName = name;
      currentOrder = null;
      const totalText = cell(fields, c.total);
      const isOrderRow = totalText.trim() !== '' || cell(fields, c.id).trim() !== '' || cell(fields, c.financialStatus).trim() !== '';
      if (!seenNames.add(name)) {
        // Rows of one order are contiguous in Shopify's export; a repeated name with order-level columns is the
        // same order exported twice (e.g. two exports concatenated), a repeated name without them a stray line item.
        if (isOrderRow) countSkip(skippedByReason, 'duplicate-order');
        return;
      }
      if (!isOrderRow) {
        countSkip(skippedByReason, 'missing-order-row');
        return;
      }
      try {
        currentOrder = buildOrder(fields, line, c, name, totalText);
      } catch (error) {
        if (!options.skipInvalid || !(error instanceof InvalidCellError)) throw error;
        countSkip(skippedByReason, error.code === CliErrorCode.mixedCurrency ? 'other-currency' : error.skipReason);
        return;
      }
      orders.push(currentOrder);
    },
  };
  const listedOffsets = (): string[] => timeOffsets.slice(0, 8).sort();
  return {
    handler,
    nameOf: (fields) => cell(fields, (col as Columns).name).trim(),
    result: () => ({ format: InputFormat.shopifyOrdersExport, file, orders, dataRows, skippedByReason, timeOffsets: listedOffsets() }),
    tail: (handoff) => ({
      ok: true,
      handoff,
      orders: toColumns(orders),
      dataRows,
      skippedByReason,
      names: seenNames.snapshot(),
      shopCurrency: firstCurrency,
      timeOffsets,
    }),
    canJoin(tail, handoff): tail is Extract<ExportTail, { ok: true }> {
      return (
        tail.ok &&
        tail.handoff === handoff &&
        (shopCurrency === null || tail.shopCurrency === null || tail.shopCurrency === shopCurrency) &&
        !seenNames.overlaps(tail.names)
      );
    },
    join(tail) {
      fromColumns(tail.orders, orders);
      dataRows += tail.dataRows;
      for (const [reason, n] of Object.entries(tail.skippedByReason)) skippedByReason[reason] = (skippedByReason[reason] ?? 0) + n;
      for (const offset of tail.timeOffsets) if (timeOffsets.length < timeOffsetLimit && !timeOffsets.includes(offset)) timeOffsets.push(offset);
      return this.result();
    },
  };
}

/**
 * Decodes cells of one column and derives a value from the text, reusing the value of an earlier cell with the same
 * bytes (among the first 16 distinct values seen). A cell with a quote is never kept: the same bytes read as different text quoted (`""` is `"`) and
 * unquoted.
 */
function createCellCache<T>(derive: (text: string) => T): (fields: CsvRow, index: number) => T {
  const bytes: Uint8Array[] = [];
  const values: T[] = [];
  const empty = derive('');
  return (fields, index) => {
    if (fields.isEmpty(index)) return empty;
    for (let i = 0; i < bytes.length; i++) if (fields.matches(index, bytes[i] as Uint8Array)) return values[i] as T;
    const text = fields.get(index);
    const value = derive(text);
    if (bytes.length < 16 && !text.includes('"')) {
      bytes.push(fields.bytes(index));
      values.push(value);
    }
    return value;
  };
}

/** Zip codes, phones and ids may carry a leading `'` so spreadsheets keep them as text. */
function stripApostrophe(text: string): string {
  const trimmed = text.trim();
  return trimmed.startsWith("'") ? trimmed.slice(1).trim() : trimmed;
}

/** The subscription rule (README): any tag containing "subscription", or a Source naming a subscription app. */
export function isSubscription(tags: string, source: string): boolean {
  if (tags !== '' && tags.toLowerCase().includes('subscription')) return true;
  const src = source.toLowerCase();
  return src.includes('subscription') || src.includes('recharge');
}

/** A set of order names whose `add` says whether the name is new. */
export interface OrderNameSet {
  add(name: string): boolean;
  /** The names as plain data, to send to another thread. */
  snapshot(): OrderNameSnapshot;
  /** Whether a name of `other` is in this set. */
  overlaps(other: OrderNameSnapshot): boolean;
}

/** An {@link OrderNameSet}'s names: `#n` names as bits of `bits` (bit n), any other name in `others`. */
export interface OrderNameSnapshot {
  bits: Uint8Array;
  others: string[];
}

const PLAIN_ORDER_NAME = /^#[1-9]\d{0,7}$/;

/**
 * Order names seen so far. Shopify's default names are `#` and a number counting up from 1001, so those are kept as
 * bits of a growable bitmap (an eighth of a byte each, nothing for the garbage collector), and any other name in a
 * string set: a string set of a million names cost more than the rest of reading the export. Distinct names stay
 * distinct: only `#` with a number without leading zeros takes the bitmap.
 */
export function createOrderNameSet(): OrderNameSet {
  let bits = new Uint8Array(1 << 17);
  const others = new Set<string>();
  return {
    add(name) {
      if (!PLAIN_ORDER_NAME.test(name)) {
        if (others.has(name)) return false;
        others.add(name);
        return true;
      }
      const n = Number(name.slice(1));
      const byte = n >>> 3;
      if (byte >= bits.length) {
        let size = bits.length * 2;
        while (size <= byte) size *= 2;
        const larger = new Uint8Array(size);
        larger.set(bits);
        bits = larger;
      }
      const mask = 1 << (n & 7);
      if ((bits[byte] as number) & mask) return false;
      bits[byte] = (bits[byte] as number) | mask;
      return true;
    },
    snapshot: () => ({ bits, others: [...others] }),
    overlaps(other) {
      const shared = Math.min(bits.length, other.bits.length);
      for (let i = 0; i < shared; i++) if (((bits[i] as number) & (other.bits[i] as number)) !== 0) return true;
      return other.others.some((name) => others.has(name));
    },
  };
}

import type { OrderRecord } from '@clvlens/core';
import { CliError, CliErrorCode } from '../errors.ts';
import { indexHeader, InvalidCellError, invalidCell, isKnownCurrency, locateColumns, normalizeHeaderName, parseAmountCell } from './columns.ts';
import { firstLineOf, scanCsvRows, splitCsvLine, textOptionsOf, type CsvRow } from './csv-rows.ts';
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

/** See {@link shopifyOrdersReader}. */
export async function readShopifyOrdersExport(path: string, file: string, options: ReadOrdersOptions): Promise<ReadOrdersResult> {
  const orders: OrderRecord[] = [];
  const skippedByReason: Record<string, number> = {};
  const seenNames = createOrderNameSet();
  let header: readonly string[] = [];
  let col: Columns | undefined;
  let currentName: string | null = null;
  let currentNameBytes: Uint8Array = new Uint8Array(0);
  let currentOrder: OrderRecord | null = null;
  let shopCurrency = options.currency;
  const timeOffsets = new Set<string>();

  const cell = (fields: CsvRow, index: number): string => fields.get(index);

  const buildOrder = (fields: CsvRow, line: number, c: Columns, name: string): OrderRecord => {
    const at = (index: number, problem: string) => invalidCell(file, line, index, header[index] ?? '', problem);

    const createdText = cell(fields, c.createdAt);
    const placedAtMs = parseDateTimeMs(createdText, options.timeZone);
    if (timeOffsets.size < 8) {
      const offset = /[+-]\d{2}:?\d{2}$|Z$/.exec(createdText.trim());
      if (offset !== null) timeOffsets.add(offset[0] === 'Z' ? '+0000' : offset[0].replace(':', ''));
    }
    if (placedAtMs === null) {
      throw at(c.createdAt, `${JSON.stringify(createdText)} is not a date-time like "2025-10-02 17:09:34 -0300".`);
    }

    let currency: string;
    if (c.currency >= 0) {
      currency = cell(fields, c.currency).trim().toUpperCase();
      if (!isKnownCurrency(currency)) {
        throw at(c.currency, `${JSON.stringify(cell(fields, c.currency))} is not an ISO 4217 currency code like "USD".`);
      }
    } else {
      // The header check guarantees --currency when the column is missing.
      currency = options.currency as string;
    }
    if (shopCurrency === null) shopCurrency = currency;
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

    const totalMinor = parseAmountCell(cell(fields, c.total), currency, file, line, c.total, header[c.total] ?? 'Total');
    if (totalMinor < 0) throw at(c.total, `${JSON.stringify(cell(fields, c.total))} is negative; an order total is >= 0.`);

    const financialStatus = cell(fields, c.financialStatus).trim().toLowerCase();
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
    const payment = `${cell(fields, c.paymentMethod)} ${cell(fields, c.gateway)}`.toLowerCase();
    const testText = cell(fields, c.test).trim().toLowerCase();
    return {
      orderId: idText === '' ? name : idText,
      customerId: customerText === '' ? null : customerText,
      email: emailText === '' ? null : emailText,
      placedAtMs,
      currency,
      totalMinor,
      refundedMinor,
      cancelled,
      test: payment.includes('bogus') || testText === 'true' || testText === 'yes',
      subscription: isSubscription(cell(fields, c.tags), cell(fields, c.source)),
    };
  };

  const dataRows = await scanCsvRows(
    path,
    file,
    {
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
        const c = col as Columns;
        // Line-item rows repeat their order's Name: compare bytes, and decode only the first row of each order.
        if (currentName !== null && fields.matches(c.name, currentNameBytes)) {
          if (currentOrder !== null && currentOrder.email === null) {
            const email = cell(fields, c.email).trim().toLowerCase();
            if (email !== '') currentOrder.email = email;
          }
          return;
        }
        currentNameBytes = fields.bytes(c.name);
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
        const isOrderRow = cell(fields, c.total).trim() !== '' || cell(fields, c.id).trim() !== '' || cell(fields, c.financialStatus).trim() !== '';
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
          currentOrder = buildOrder(fields, line, c, name);
        } catch (error) {
          if (!options.skipInvalid || !(error instanceof InvalidCellError)) throw error;
          countSkip(skippedByReason, error.code === CliErrorCode.mixedCurrency ? 'other-currency' : error.skipReason);
          return;
        }
        orders.push(currentOrder);
      },
    },
    options.progress,
    textOptionsOf(options),
  );
  return { format: InputFormat.shopifyOrdersExport, file, orders, dataRows, skippedByReason, timeOffsets: [...timeOffsets].sort() };
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
  };
}

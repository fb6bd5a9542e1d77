/**
 * Writes a shop as Shopify's Admin › Orders › Export CSV ("Plain CSV file"), column for column
 * (shopify-platform.md §5). Field mapping, shared with the CLI reader and the app:
 *
 * | export column | from the order |
 * |---|---|
 * | `Name`, `Email` | `name`, `email` (every row) |
 * | `Financial Status` | lower-cased display status: `paid`, `partially_refunded`, `refunded` (refunds reach the total), `voided` |
 * | `Paid at` | `processedAtMs` unless voided |
 * | `Fulfillment Status`, `Fulfilled at` | `fulfilled`/`unfulfilled`; `closedAtMs` of fulfilled orders |
 * | `Currency` | the shop currency (`shopMoney`); with `money: 'presentment'` the buyer's currency |
 * | `Subtotal` | `subtotalPriceSet` (line items after discounts) |
 * | `Shipping`, `Taxes`, `Total` | `totalShippingPriceSet` (after shipping discounts), `totalTaxSet`, `totalPriceSet` |
 * | `Discount Code`, `Discount Amount` | `discountCodes[].code`, `totalDiscountsSet` |
 * | `Created at`, `Cancelled at` | `createdAtMs`, `cancelledAtMs`, as `2025-10-02 17:09:34 -0300` in the shop zone |
 * | `Refunded Amount` | sum of `refunds[].totalRefundedSet` |
 * | `Payment Method` | `paymentGatewayNames` joined with ` + `; test orders use Shopify's Bogus Gateway, `bogus` |
 * | `Id` | numeric order id (`legacyResourceId`) |
 * | `Tags` | `tags` joined with `, `; subscription orders carry `Subscription` |
 * | `Source` | `sourceName` (`web`, `pos`, `subscription_contract`) |
 * | `Lineitem *`, `Vendor`, `Lineitem discount` | per line item (every row): quantity, `title - variantTitle`, unit price, sku, flags, `totalDiscountSet` |
 * | `Tax 1 Name`, `Tax 1 Value` | the order's tax line (name from the shipping address) and `totalTaxSet` |
 *
 * Order-level columns are filled on the first row of each order only; zips starting with 0 and phones carry a
 * leading `'` as Shopify writes them. Amounts are plain decimals with the currency's exponent.
 */
import { decimalToMinor, minorToDecimal } from '../shop-model/money.ts';
import type { Customer, LineItem, MailingAddress, MoneyBag, Order, Shop } from '../shop-model/types.ts';
import { ChunkedWriter, csvField, formatShopDateTime, type WritableLike } from './csv.ts';
import type { ShopSource } from './generate.ts';
import { shopCountryFor, taxFor } from './locale.ts';

/** The header of Shopify's orders export, in order (shopify-platform.md §5). */
export const SHOPIFY_ORDERS_EXPORT_HEADER = [
  'Name',
  'Email',
  'Financial Status',
  'Paid at',
  'Fulfillment Status',
  'Fulfilled at',
  'Accepts Marketing',
  'Currency',
  'Subtotal',
  'Shipping',
  'Taxes',
  'Total',
  'Discount Code',
  'Discount Amount',
  'Shipping Method',
  'Created at',
  'Lineitem quantity',
  'Lineitem name',
  'Lineitem price',
  'Lineitem compare at price',
  'Lineitem sku',
  'Lineitem requires shipping',
  'Lineitem taxable',
  'Lineitem fulfillment status',
  'Billing Name',
  'Billing Street',
  'Billing Address1',
  'Billing Address2',
  'Billing Company',
  'Billing City',
  'Billing Zip',
  'Billing Province',
  'Billing Country',
  'Billing Phone',
  'Shipping Name',
  'Shipping Street',
  'Shipping Address1',
  'Shipping Address2',
  'Shipping Company',
  'Shipping City',
  'Shipping Zip',
  'Shipping Province',
  'Shipping Country',
  'Shipping Phone',
  'Notes',
  'Note Attributes',
  'Cancelled at',
  'Payment Method',
  'Payment Reference',
  'Refunded Amount',
  'Vendor',
  'Outstanding Balance',
  'Employee',
  'Location',
  'Device ID',
  'Id',
  'Tags',
  'Risk Level',
  'Source',
  'Lineitem discount',
  'Tax 1 Name',
  'Tax 1 Value',
  'Tax 2 Name',
  'Tax 2 Value',
  'Tax 3 Name',
  'Tax 3 Value',
  'Tax 4 Name',
  'Tax 4 Value',
  'Tax 5 Name',
  'Tax 5 Value',
  'Phone',
  'Receipt Number',
  'Duties',
  'Billing Province Name',
  'Shipping Province Name',
  'Payment ID',
  'Payment Terms Name',
  'Next Payment Due At',
  'Payment References',
] as const;

/** Options of {@link writeShopifyOrdersExport}. */
export interface OrdersExportOptions {
  /**
   * Which amounts to write. `'shop'` (default): `shopMoney`, `Currency` = the shop currency, so every row is in one
   * currency. `'presentment'`: what the buyer paid, in their currency (mixed currencies, to test readers' handling).
   */
  money?: 'shop' | 'presentment';
}

/** What a writer wrote. */
export interface WriteSummary {
  orders: number;
  /** Data rows (line items; an order without line items still gets one row). */
  rows: number;
  /** UTF-16 characters written (equal to bytes for ASCII data). */
  chars: number;
}

/** Sum of refunds of an order in minor units of the shop (or presentment) currency. */
export function refundedMinorOf(order: Order, side: 'shop' | 'presentment' = 'shop'): number {
  let sum = 0;
  for (const r of order.refunds) {
    const m = side === 'shop' ? r.totalRefundedSet.shopMoney : r.totalRefundedSet.presentmentMoney;
    sum += decimalToMinor(m.amount, m.currencyCode);
  }
  return sum;
}

/** Shopify's lower-case `Financial Status` of the export, derived from refunds like `displayFinancialStatus`. */
export function exportFinancialStatus(order: Order): string {
  if (order.financialStatus === 'VOIDED') return 'voided';
  const refunded = refundedMinorOf(order);
  if (refunded > 0) {
    const total = decimalToMinor(order.totalPriceSet.shopMoney.amount, order.currencyCode);
    return refunded >= total ? 'refunded' : 'partially_refunded';
  }
  return order.financialStatus.toLowerCase();
}

function joinPresent(a: string | null, b: string | null, sep: string): string {
  const hasA = a !== null && a !== '';
  const hasB = b !== null && b !== '';
  return hasA && hasB ? `${a}${sep}${b}` : hasA ? (a as string) : hasB ? (b as string) : '';
}

function zip(z: string | null): string {
  return z !== null && z.startsWith('0') ? `'${z}` : (z ?? '');
}

function phone(p: string | null): string {
  return p === null || p === '' ? '' : `'${p}`;
}

/** The ten `Billing *` or `Shipping *` cells of an address, CSV-escaped and joined; cached per address object. */
const addressCache = new WeakMap<MailingAddress, string>();
const NO_ADDRESS = ','.repeat(9);
function addressCells(a: MailingAddress | null): string {
  if (a === null) return NO_ADDRESS;
  let text = addressCache.get(a);
  if (text === undefined) {
    text = [
      joinPresent(a.firstName, a.lastName, ' '),
      joinPresent(a.address1, a.address2, ', '),
      a.address1 ?? '',
      a.address2 ?? '',
      a.company ?? '',
      a.city ?? '',
      zip(a.zip),
      a.provinceCode ?? '',
      a.countryCode ?? '',
      phone(a.phone),
    ]
      .map(csvField)
      .join(',');
    addressCache.set(a, text);
  }
  return text;
}

/** `n` empty cells, with the commas that separate them from what follows. */
function empties(n: number): string {
  return ','.repeat(n);
}
const AFTER_EMAIL_EMPTY = empties(14);
const AFTER_LINE_EMPTY = empties(26);
const AFTER_VENDOR_EMPTY = empties(8);
const AFTER_DISCOUNT_EMPTY = empties(19);

/**
 * Writes `source` (a `ShopData` or a `generateShopStream` result) to `out` as Shopify's orders export CSV, header
 * first, one row per line item, CRLF line ends (RFC 4180). Honors back-pressure; does not end `out`.
 *
 * @example
 * const out = createWriteStream('orders_export.csv');
 * await writeShopifyOrdersExport(generateShop({ seed: 1, customers: 500, endMs }), out);
 * out.end();
 */
export async function writeShopifyOrdersExport(source: ShopSource, out: WritableLike, options: OrdersExportOptions = {}): Promise<WriteSummary> {
  const side = options.money ?? 'shop';
  const shop: Shop = source.shop;
  const tz = shop.ianaTimezone;
  const shopCountry = shopCountryFor(shop.currencyCode).code;
  const customers = new Map<number, Customer>();
  for (const c of source.customers ?? []) customers.set(c.id, c);
  const w = new ChunkedWriter(out);
  const money = (bag: MoneyBag) => (side === 'shop' ? bag.shopMoney.amount : bag.presentmentMoney.amount);
  const pending = w.push(`${SHOPIFY_ORDERS_EXPORT_HEADER.join(',')}\r\n`);
  if (pending !== null) await pending;
  let orders = 0;
  let rows = 0;
  for (const o of source.orders) {
    orders++;
    const currency = side === 'shop' ? o.currencyCode : o.presentmentCurrencyCode;
    const status = exportFinancialStatus(o);
    const fulfilled = o.fulfillmentStatus === 'FULFILLED';
    const customer = o.customerId === null ? undefined : customers.get(o.customerId);
    const tax = taxFor(
      shopCountry,
      o.shippingAddress?.countryCode ?? o.billingAddress?.countryCode ?? null,
      o.shippingAddress?.provinceCode ?? o.billingAddress?.provinceCode ?? null,
    );
    const hasTax = decimalToMinor(o.totalTaxSet.shopMoney.amount, o.currencyCode) > 0;
    const reference = o.test ? '' : `c${o.id}.1`;
    const items: (LineItem | null)[] = o.lineItems.length > 0 ? o.lineItems : [null];
    const name = csvField(o.name);
    const email = csvField(o.email ?? '');
    for (let i = 0; i < items.length; i++) {
      const li = items[i]!;
      const lineCells =
        li === null
          ? ',,,,,,,'
          : `${li.quantity},${csvField(li.variantTitle === null ? li.title : `${li.title} - ${li.variantTitle}`)},${money(li.originalUnitPriceSet)},,${csvField(li.sku ?? '')},${li.requiresShipping ? 'true' : 'false'},${li.taxable ? 'true' : 'false'},${fulfilled ? 'fulfilled' : 'pending'}`;
      const vendor = csvField(li?.vendor ?? '');
      const lineDiscount = li === null ? '' : money(li.totalDiscountSet);
      let row: string;
      if (i > 0) {
        // Continuation rows: only Name, Email and the line item columns.
        row = `${name},${email}${AFTER_EMAIL_EMPTY},${lineCells}${AFTER_LINE_EMPTY},${vendor}${AFTER_VENDOR_EMPTY},${lineDiscount}${AFTER_DISCOUNT_EMPTY}`;
      } else {
        const orderCells = [
          status,
          status !== 'voided' ? formatShopDateTime(o.processedAtMs, tz) : '',
          fulfilled ? 'fulfilled' : 'unfulfilled',
          fulfilled && o.closedAtMs !== null ? formatShopDateTime(o.closedAtMs, tz) : '',
          customer?.acceptsMarketing === true ? 'yes' : 'no',
          currency,
          money(o.subtotalPriceSet),
          money(o.totalShippingPriceSet),
          money(o.totalTaxSet),
          money(o.totalPriceSet),
          csvField(o.discountCodes.map((d) => d.code).join(', ')),
          money(o.totalDiscountsSet),
          csvField(o.shippingLine?.title ?? ''),
          formatShopDateTime(o.createdAtMs, tz),
        ].join(',');
        const tail = [
          csvField(o.note ?? ''),
          '',
          o.cancelledAtMs !== null ? formatShopDateTime(o.cancelledAtMs, tz) : '',
          csvField(o.paymentGatewayNames.join(' + ')),
          reference,
          minorToDecimal(refundedMinorOf(o, side), currency),
          vendor,
          minorToDecimal(0, currency),
          '',
          o.sourceName === 'pos' ? 'Main Store' : '',
          '',
          String(o.id),
          csvField(o.tags.join(', ')),
          'Low',
          csvField(o.sourceName),
          lineDiscount,
          hasTax && tax !== null ? csvField(tax.name) : '',
          hasTax ? money(o.totalTaxSet) : '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          csvField(phone(o.phone)),
          '',
          '',
          csvField(o.billingAddress?.province ?? ''),
          csvField(o.shippingAddress?.province ?? ''),
          reference,
          '',
          '',
          reference,
        ].join(',');
        row = `${name},${email},${orderCells},${lineCells},${addressCells(o.billingAddress)},${addressCells(o.shippingAddress)},${tail}`;
      }
      rows++;
      const p = w.push(`${row}\r\n`);
      if (p !== null) await p;
    }
  }
  const last = w.flush();
  if (last !== null) await last;
  return { orders, rows, chars: w.chars };
}

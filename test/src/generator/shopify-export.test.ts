import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { computeShopReport, endOfLocalDayMs, isCountedOrder, timeZoneOffsetMs } from '@clvlens/core';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalToMinor } from '../shop-model/money.ts';
import type { ShopData } from '../shop-model/types.ts';
import { formatShopDateTime } from './csv.ts';
import { generateShop } from './generate.ts';
import { exportFinancialStatus, refundedMinorOf, SHOPIFY_ORDERS_EXPORT_HEADER } from './shopify-export.ts';
import { exportText, transactionLogText } from './test-helpers.ts';
import { toOrderRecords, TRANSACTION_LOG_HEADER } from './truth.ts';

const END_MS = Date.UTC(2026, 10, 1);
const ORDER_LEVEL = ['Financial Status', 'Currency', 'Subtotal', 'Total', 'Refunded Amount', 'Id', 'Created at', 'Tags', 'Source'];

const data: ShopData = generateShop({ seed: 'export', customers: 1500, endMs: END_MS, timeZone: 'America/Sao_Paulo' });

function parseCsv(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
}

describe('writeShopifyOrdersExport', () => {
  it('writes the exact Shopify header and parses back by header name, one row per line item', async () => {
    const text = await exportText(data);
    const firstLine = text.slice(0, text.indexOf('\r\n'));
    expect(firstLine.split(',')).toEqual([...SHOPIFY_ORDERS_EXPORT_HEADER]);
    const rows = parseCsv(text);
    expect(rows.length).toBe(data.orders.reduce((s, o) => s + o.lineItems.length, 0));
    for (const row of rows) expect(Object.keys(row)).toHaveLength(SHOPIFY_ORDERS_EXPORT_HEADER.length);

    const byName = new Map<string, Record<string, string>[]>();
    let previous = '';
    for (const row of rows) {
      const name = row['Name']!;
      // Rows of one order are contiguous.
      if (name !== previous) expect(byName.has(name)).toBe(false);
      previous = name;
      byName.set(name, [...(byName.get(name) ?? []), row]);
    }
    expect(byName.size).toBe(data.orders.length);
    for (const order of data.orders) {
      const group = byName.get(order.name)!;
      const [first, ...rest] = group;
      expect(first!['Id']).toBe(String(order.id));
      expect(decimalToMinor(first!['Total']!, 'USD')).toBe(decimalToMinor(order.totalPriceSet.shopMoney.amount, 'USD'));
      expect(decimalToMinor(first!['Subtotal']!, 'USD')).toBe(decimalToMinor(order.subtotalPriceSet.shopMoney.amount, 'USD'));
      expect(decimalToMinor(first!['Refunded Amount']!, 'USD')).toBe(refundedMinorOf(order));
      expect(first!['Currency']).toBe('USD');
      expect(first!['Financial Status']).toBe(exportFinancialStatus(order));
      expect(first!['Cancelled at'] !== '').toBe(order.cancelledAtMs !== null);
      expect(first!['Email']).toBe(order.email);
      for (const row of rest) {
        expect(row['Email']).toBe(order.email);
        for (const column of ORDER_LEVEL) expect(row[column]).toBe('');
      }
      const lineSum = group.reduce(
        (s, row) => s + Number(row['Lineitem quantity']) * decimalToMinor(row['Lineitem price']!, 'USD') - decimalToMinor(row['Lineitem discount']!, 'USD'),
        0,
      );
      expect(lineSum).toBe(decimalToMinor(first!['Subtotal']!, 'USD'));
    }
  });

  it('prints datetimes like 2025-10-02 17:09:34 -0300 in the shop time zone', async () => {
    const rows = parseCsv(await exportText(data));
    const order = data.orders[0]!;
    const created = rows[0]!['Created at']!;
    expect(created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$/);
    expect(created.endsWith(' -0300')).toBe(true);
    const [date, time, offset] = created.split(' ') as [string, string, string];
    const sign = offset.startsWith('-') ? -1 : 1;
    const offsetMs = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3))) * 60_000;
    expect(Date.parse(`${date}T${time}Z`) - offsetMs).toBe(order.createdAtMs);
    expect(formatShopDateTime(Date.UTC(2025, 9, 2, 20, 9, 34), 'America/Sao_Paulo')).toBe('2025-10-02 17:09:34 -0300');
    // Zones with DST switch offsets through the year.
    expect(formatShopDateTime(Date.UTC(2026, 0, 15, 12), 'Europe/Paris')).toBe('2026-01-15 13:00:00 +0100');
    expect(formatShopDateTime(Date.UTC(2026, 6, 15, 12), 'Europe/Paris')).toBe('2026-07-15 14:00:00 +0200');
    expect(timeZoneOffsetMs(Date.UTC(2026, 6, 15), 'Asia/Kolkata')).toBe(19_800_000);
    expect(formatShopDateTime(Date.UTC(2026, 6, 15), 'Asia/Kolkata')).toBe('2026-07-15 05:30:00 +0530');
  });

  it('quotes fields per RFC 4180 so notes with commas, quotes and newlines survive', async () => {
    const rows = parseCsv(await exportText(data));
    const notes = data.orders.filter((o) => o.note !== null);
    expect(notes.some((o) => /[,"\n]/.test(o.note!))).toBe(true);
    for (const o of notes) expect(rows.find((r) => r['Name'] === o.name && r['Id'] !== '')?.['Notes']).toBe(o.note);
  });

  it('writes presentment amounts and currencies when asked', async () => {
    const eur = generateShop({ seed: 5, customers: 400, endMs: END_MS, currency: 'EUR', timeZone: 'Europe/Berlin' });
    const rows = parseCsv(await exportText(eur, { money: 'presentment' })).filter((r) => r['Id'] !== '');
    const currencies = new Set(rows.map((r) => r['Currency']));
    expect(currencies.size).toBeGreaterThan(1);
    for (const o of eur.orders) {
      const row = rows.find((r) => r['Id'] === String(o.id))!;
      expect(row['Currency']).toBe(o.presentmentCurrencyCode);
      expect(row['Total']).toBe(o.totalPriceSet.presentmentMoney.amount);
    }
  });
});

describe('writeTransactionLog', () => {
  it('lists every counted order once with its net amount and identity', async () => {
    const rows = parseCsv(await transactionLogText(data));
    const text = await transactionLogText(data);
    expect(text.slice(0, text.indexOf('\r\n'))).toBe(TRANSACTION_LOG_HEADER.join(','));
    const counted = toOrderRecords(data).filter(isCountedOrder);
    expect(rows).toHaveLength(counted.length);
    counted.forEach((r, i) => {
      const row = rows[i]!;
      expect(row['order_id']).toBe(r.orderId);
      expect(row['customer_id']).toBe(r.customerId ?? r.email!.toLowerCase());
      expect(Date.parse(row['date']!)).toBe(r.placedAtMs);
      expect(decimalToMinor(row['amount']!, 'USD')).toBe(r.totalMinor - r.refundedMinor);
    });
  });
});

/** Paths where two JSON values differ (numbers compared to 1e-9 relative). */
function differences(a: unknown, b: unknown, path = '$', out: string[] = []): string[] {
  if (out.length > 20) return out;
  if (typeof a === 'number' && typeof b === 'number') {
    if (!(a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)))) out.push(`${path}: ${a} != ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} != ${b.length}`);
    else a.forEach((x, i) => differences(x, b[i], `${path}[${i}]`, out));
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
  } else if (a !== b) {
    out.push(`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  }
  return out;
}

describe('round trip through `clvlens report`', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clvlens-generator-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function cliReport(file: string, timeZone: string, extra: string[] = []): Promise<Record<string, unknown>> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, 'core/cli/src/main.ts'), 'report', file, '--json', '--timezone', timeZone, ...extra],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const doc = JSON.parse(stdout) as Record<string, unknown>;
    delete doc['input'];
    return doc;
  }

  it('gives the same report from the export CSV as core computes from the generator truth', async () => {
    const tz = data.shop.ianaTimezone;
    const file = join(dir, 'orders_export.csv');
    await writeFile(file, await exportText(data));
    const fromCli = await cliReport(file, tz);
    const records = toOrderRecords(data);
    const lastPlacedMs = Math.max(...records.map((r) => r.placedAtMs));
    const truth = computeShopReport(records, { asOfMs: endOfLocalDayMs(lastPlacedMs, tz), timeZone: tz, currency: 'USD' });
    // Identity keys differ (customer ids in the truth, e-mails in the export), so floating-point sums may run in
    // another order: numbers agree to 1e-9 relative, everything else exactly.
    expect(differences(fromCli, JSON.parse(JSON.stringify(truth)))).toEqual([]);
    expect((fromCli['orders'] as { counted: number }).counted).toBeGreaterThan(2000);
  });

  it('gives the same customers, orders and revenue from the transaction log', async () => {
    const tz = data.shop.ianaTimezone;
    const file = join(dir, 'transactions.csv');
    await writeFile(file, await transactionLogText(data));
    const fromCli = await cliReport(file, tz, ['--currency', 'USD']);
    const records = toOrderRecords(data);
    const lastPlacedMs = Math.max(...records.filter(isCountedOrder).map((r) => r.placedAtMs));
    const truth = JSON.parse(
      JSON.stringify(computeShopReport(records, { asOfMs: endOfLocalDayMs(lastPlacedMs, tz), timeZone: tz, currency: 'USD' })),
    ) as Record<string, unknown>;
    for (const key of ['customers', 'repeatPurchaseRate', 'returningCustomerRate', 'averageOrderValueMinor', 'churn']) {
      expect(fromCli[key], key).toEqual(truth[key]);
    }
    expect((fromCli['orders'] as { counted: number }).counted).toBe((truth['orders'] as { counted: number }).counted);
  });
});

import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { noProgress, SHOPIFY_HEADER, shopifyRow, tempDir } from '../testing/temp-files.ts';
import { readOrdersFile } from './detect.ts';
import { createOrderNameSet, isSubscription, readShopifyOrdersExport } from './shopify-orders.ts';

const files = tempDir();
const options = { timeZone: 'UTC', currency: null, skipInvalid: false, progress: noProgress };

function exportOf(rows: Record<string, string>[], header = SHOPIFY_HEADER): string {
  return [header, ...rows.map((row) => shopifyRow(row, header))].join('\n') + '\n';
}

const order1001 = [
  {
    Name: '#1001',
    Email: 'Ann@Example.com',
    'Financial Status': 'paid',
    Currency: 'USD',
    Total: '104.95',
    'Created at': '2025-10-02 17:09:34 -0300',
    'Lineitem name': 'Mug, "blue"',
    Id: '5001',
    'Refunded Amount': '0.00',
  },
  { Name: '#1001', Email: 'Ann@Example.com', 'Created at': '2025-10-02 17:09:34 -0300', 'Lineitem name': 'Plate' },
  { Name: '#1001', 'Created at': '2025-10-02 17:09:34 -0300', 'Lineitem name': 'Spoon\nwith a note' },
];

describe('readShopifyOrdersExport', () => {
  it('groups line-item rows into one order by Name and reads order columns from the first row', async () => {
    const path = files.write(
      'multi.csv',
      exportOf([
        ...order1001,
        {
          Name: '#1002',
          Email: 'bob@example.com',
          'Financial Status': 'partially_refunded',
          Currency: 'USD',
          Total: '50.00',
          'Refunded Amount': '20.5',
          'Created at': '2025-10-03 09:00:00 +0000',
          Id: '5002',
          Tags: 'vip, Subscription Recurring Order',
        },
      ]),
    );
    const result = await readShopifyOrdersExport(path, 'multi.csv', options);
    expect(result.dataRows).toBe(4);
    expect(result.skippedByReason).toEqual({});
    expect(result.orders).toEqual([
      {
        orderId: '5001',
        customerId: null,
        email: 'ann@example.com',
        placedAtMs: Date.UTC(2025, 9, 2, 20, 9, 34),
        currency: 'USD',
        totalMinor: 10495,
        refundedMinor: 0,
        cancelled: false,
        test: false,
        subscription: false,
      },
      {
        orderId: '5002',
        customerId: null,
        email: 'bob@example.com',
        placedAtMs: Date.UTC(2025, 9, 3, 9),
        currency: 'USD',
        totalMinor: 5000,
        refundedMinor: 2050,
        cancelled: false,
        test: false,
        subscription: true,
      },
    ]);
  });

  it('ignores a UTF-8 BOM, extra and reordered columns, and works without optional columns', async () => {
    const header = 'Total,Extra Column,Created at,Name,Currency';
    const path = files.write(
      'bom.csv',
      `\uFEFF${exportOf([{ Name: '#1', Total: '10', 'Created at': '2025-01-01 00:00:00 +0100', Currency: 'JPY', 'Extra Column': 'x' }], header)}`,
    );
    const result = await readOrdersFile(path, 'bom.csv', options);
    expect(result.format).toBe('shopify-orders-export');
    expect(result.orders).toEqual([
      {
        orderId: '#1',
        customerId: null,
        email: null,
        placedAtMs: Date.UTC(2024, 11, 31, 23),
        currency: 'JPY',
        totalMinor: 10,
        refundedMinor: 0,
        cancelled: false,
        test: false,
        subscription: false,
      },
    ]);
  });

  it('keeps 64-bit ids above 2^53 exact (Id and a quoted Customer ID column are read as text)', async () => {
    const header = 'Name,Customer ID,Currency,Total,Created at,Id';
    const rows = [
      {
        Name: '#9999',
        'Customer ID': "'115310627314723954",
        Currency: 'USD',
        Total: '403.00',
        'Created at': '2021-12-31 19:00:00 -0500',
        Id: '820982911946154508',
      },
      {
        Name: '#9998',
        'Customer ID': "'115310627314723955",
        Currency: 'USD',
        Total: '1.00',
        'Created at': '2021-12-31 19:00:00 -0500',
        Id: '820982911946154509',
      },
    ];
    const result = await readOrdersFile(files.write('big-ids.csv', exportOf(rows, header)), 'big-ids.csv', options);
    expect(result.orders.map((o) => [o.orderId, o.customerId])).toEqual([
      ['820982911946154508', '115310627314723954'],
      ['820982911946154509', '115310627314723955'],
    ]);
  });

  it('names the missing required columns', async () => {
    const path = files.write('missing.csv', 'Name,Email,Total,Currency\n#1,a@b.c,1.00,USD\n');
    const error = await readShopifyOrdersExport(path, 'missing.csv', options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('missing-column');
    expect((error as CliError).message).toMatch(/^missing\.csv:1: .*"Created at"/);
  });

  it('asks for --currency when the Currency column is missing, and uses it when given', async () => {
    const path = files.write('nocur.csv', 'Name,Created at,Total\n#1,2025-01-01 10:00:00 +0000,12.5\n');
    await expect(readShopifyOrdersExport(path, 'nocur.csv', options)).rejects.toThrow(/--currency/);
    const result = await readShopifyOrdersExport(path, 'nocur.csv', { ...options, currency: 'EUR' });
    expect(result.orders[0]).toMatchObject({ currency: 'EUR', totalMinor: 1250 });
  });

  it('rejects a currency missing from the ISO 4217 table as a bad cell, not an internal error', async () => {
    const path = files.write('zzz.csv', exportOf([{ ...order1001[0]!, Currency: 'ZZZ' }]));
    const error = (await readShopifyOrdersExport(path, 'zzz.csv', options).catch((e: unknown) => e)) as CliError;
    expect(error).toBeInstanceOf(CliError);
    expect(error.code).toBe('invalid-value');
    expect(error.message).toContain('"ZZZ" is not an ISO 4217 currency code');
  });

  it('rejects a bad date with file, line, column and field name', async () => {
    const path = files.write('bad-date.csv', exportOf([...order1001, { Name: '#1002', Currency: 'USD', Total: '5.00', 'Created at': '2025-13-40 10:00' }]));
    const error = (await readShopifyOrdersExport(path, 'bad-date.csv', options).catch((e: unknown) => e)) as CliError;
    // Header is line 1; #1001 spans lines 2-5 because its third row has a quoted newline.
    expect(error.code).toBe('invalid-value');
    expect(error.location).toEqual({ file: 'bad-date.csv', line: 6, column: 16, field: 'Created at' });
    expect(error.message).toContain('bad-date.csv:6:16 (field "Created at")');
  });

  it('rejects an amount it cannot represent exactly instead of rounding it', async () => {
    const path = files.write('bad-amount.csv', exportOf([{ Name: '#1', Currency: 'USD', Total: '10.005', 'Created at': '2025-01-01 10:00:00 +0000' }]));
    await expect(readShopifyOrdersExport(path, 'bad-amount.csv', options)).rejects.toThrow(/bad-amount\.csv:2:12 \(field "Total"\).*more decimals than USD/);
  });

  it('counts skipped orders by reason and keeps going with --skip-invalid', async () => {
    const path = files.write(
      'skips.csv',
      exportOf([
        ...order1001,
        { Name: '#1002', Currency: 'USD', Total: '5.00', 'Created at': 'yesterday' },
        { Name: '#1003', 'Created at': '2025-10-02 17:09:34 -0300', 'Lineitem name': 'orphan line item' },
        { Name: '#1001', Currency: 'USD', Total: '104.95', 'Created at': '2025-10-02 17:09:34 -0300' },
        { Name: '#1004', Currency: 'EUR', Total: '1.00', 'Created at': '2025-10-04 10:00:00 +0000' },
        { Name: '#1005', Currency: 'USD', Total: '1,000.00', 'Created at': '2025-10-04 10:00:00 +0000' },
        { Name: '#1006', Currency: 'USD', Total: '7.00', 'Created at': '2025-10-04 10:00:00 +0000' },
      ]),
    );
    await expect(readShopifyOrdersExport(path, 'skips.csv', options)).rejects.toThrow(/skips\.csv:6:16/);
    const result = await readShopifyOrdersExport(path, 'skips.csv', { ...options, skipInvalid: true });
    expect(result.orders.map((order) => order.orderId)).toEqual(['5001', '#1006']);
    expect(result.skippedByReason).toEqual({
      'invalid-created-at': 1,
      'missing-order-row': 1,
      'duplicate-order': 1,
      'other-currency': 1,
      'invalid-total': 1,
    });
  });

  it('reads cancellations, full refunds, voided payments, test orders and subscription sources', async () => {
    const common = { Currency: 'USD', Total: '30.00', 'Created at': '2025-02-01 12:00:00 -0500' };
    const path = files.write(
      'flags.csv',
      exportOf([
        { ...common, Name: '#1', 'Cancelled at': '2025-02-02 08:00:00 -0500' },
        { ...common, Name: '#2', 'Financial Status': 'refunded' },
        { ...common, Name: '#3', 'Financial Status': 'voided' },
        { ...common, Name: '#4', 'Payment Method': 'Bogus Gateway' },
        { ...common, Name: '#5', Source: 'subscription_contract' },
      ]),
    );
    const orders = (await readShopifyOrdersExport(path, 'flags.csv', options)).orders;
    expect(orders.map((o) => [o.cancelled, o.refundedMinor, o.test, o.subscription])).toEqual([
      [true, 0, false, false],
      [false, 3000, false, false],
      [true, 0, false, false],
      [false, 0, true, false],
      [false, 0, false, true],
    ]);
  });

  it('refuses to mix currencies without --skip-invalid', async () => {
    const path = files.write(
      'mixed.csv',
      exportOf([
        { Name: '#1', Currency: 'USD', Total: '1.00', 'Created at': '2025-01-01 10:00:00 +0000' },
        { Name: '#2', Currency: 'EUR', Total: '1.00', 'Created at': '2025-01-01 10:00:00 +0000' },
      ]),
    );
    const error = (await readShopifyOrdersExport(path, 'mixed.csv', options).catch((e: unknown) => e)) as CliError;
    expect(error.code).toBe('mixed-currency');
    expect(error.location).toMatchObject({ line: 3, column: 8, field: 'Currency' });
  });

  it('reports an unclosed quote as malformed CSV with its line', async () => {
    const path = files.write(
      'quote.csv',
      `${exportOf(order1001)}${shopifyRow({ Name: '#9', Currency: 'USD', Total: '1', 'Created at': '2025-01-01 10:00:00 +0000' })}\n"#10,x\n`,
    );
    const error = (await readShopifyOrdersExport(path, 'quote.csv', options).catch((e: unknown) => e)) as CliError;
    expect(error.code).toBe('malformed-csv');
    expect(error.location?.line).toBe(7);
  });
});

describe('createOrderNameSet', () => {
  it('says whether each name is new, keeping names that differ only in prefix or leading zeros apart', () => {
    const seen = createOrderNameSet();
    const names = ['#1001', '#1002', '#01001', '1001', '#1001-A', 'SO1001', '#99999999', '#100000000', '#1'];
    for (const name of names) expect(seen.add(name)).toBe(true);
    for (const name of names) expect(seen.add(name)).toBe(false);
    expect(seen.add('#1003')).toBe(true);
  });
});

describe('isSubscription', () => {
  it('matches subscription tags and subscription-app sources only', () => {
    expect(isSubscription('Subscription First Order, vip', '')).toBe(true);
    expect(isSubscription('vip', 'ReCharge')).toBe(true);
    expect(isSubscription('vip, wholesale', 'web')).toBe(false);
  });
});

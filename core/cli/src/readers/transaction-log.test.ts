import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { noProgress, tempDir } from '../testing/temp-files.ts';
import { readOrdersFile } from './detect.ts';
import { readTransactionLog } from './transaction-log.ts';

const files = tempDir();
const options = { timeZone: 'UTC', currency: null, skipInvalid: false, progress: noProgress };

describe('readTransactionLog', () => {
  it('reads customer_id,date,amount[,order_id] with dates or datetimes, exactly to minor units', async () => {
    const path = files.write('log.csv', 'customer_id,date,amount,order_id\n42,2025-01-02,19.99,A1\n42,2025-02-03T10:00:00Z,5,A2\n,2025-02-04,0.10,A3\n');
    const result = await readOrdersFile(path, 'log.csv', options);
    expect(result.format).toBe('transaction-log');
    expect(result.orders).toEqual([
      {
        orderId: 'A1',
        customerId: '42',
        email: null,
        placedAtMs: Date.UTC(2025, 0, 2),
        currency: 'USD',
        totalMinor: 1999,
        refundedMinor: 0,
        cancelled: false,
        test: false,
        subscription: false,
      },
      {
        orderId: 'A2',
        customerId: '42',
        email: null,
        placedAtMs: Date.UTC(2025, 1, 3, 10),
        currency: 'USD',
        totalMinor: 500,
        refundedMinor: 0,
        cancelled: false,
        test: false,
        subscription: false,
      },
      {
        orderId: 'A3',
        customerId: null,
        email: null,
        placedAtMs: Date.UTC(2025, 1, 4),
        currency: 'USD',
        totalMinor: 10,
        refundedMinor: 0,
        cancelled: false,
        test: false,
        subscription: false,
      },
    ]);
  });

  it('uses --currency and its exponent, and numbers orders by line without order_id', async () => {
    const path = files.write('kwd.csv', 'date,amount,customer_id,channel\n2025-01-02,1.234,7,web\n');
    const result = await readTransactionLog(path, 'kwd.csv', { ...options, currency: 'KWD' });
    expect(result.orders[0]).toMatchObject({ orderId: 'line:2', customerId: '7', currency: 'KWD', totalMinor: 1234 });
  });

  it('rejects a bad amount with file, line, column and field', async () => {
    const path = files.write('bad.csv', 'customer_id,date,amount\n1,2025-01-01,10\n2,2025-01-01,$10\n');
    const error = (await readTransactionLog(path, 'bad.csv', options).catch((e: unknown) => e)) as CliError;
    expect(error).toBeInstanceOf(CliError);
    expect(error.location).toEqual({ file: 'bad.csv', line: 3, column: 3, field: 'amount' });
  });

  it('counts duplicates and, with --skip-invalid, invalid rows by reason', async () => {
    const path = files.write(
      'skips.csv',
      'customer_id,date,amount,order_id\n1,2025-01-01,10,X\n1,2025-01-01,10,X\n2,2025-01-32,10,Y\n3,2025-01-03,-4,Z\n4,2025-01-04,1,W\n',
    );
    await expect(readTransactionLog(path, 'skips.csv', options)).rejects.toThrow(/skips\.csv:4:2 \(field "date"\)/);
    const result = await readTransactionLog(path, 'skips.csv', { ...options, skipInvalid: true });
    expect(result.orders.map((o) => o.orderId)).toEqual(['X', 'W']);
    expect(result.skippedByReason).toEqual({ 'duplicate-order': 1, 'invalid-date': 1, 'invalid-amount': 1 });
    expect(result.dataRows).toBe(5);
  });

  it('names the missing columns of a header that is neither format', async () => {
    const path = files.write('other.csv', 'customer,when,how much\n1,2025-01-01,3\n');
    const error = (await readOrdersFile(path, 'other.csv', options).catch((e: unknown) => e)) as CliError;
    expect(error.code).toBe('unknown-format');
    expect(error.message).toMatch(/other\.csv:1: .*customer_id,date,amount/s);
  });
});

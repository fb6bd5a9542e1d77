import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { noProgress, SHOPIFY_HEADER, tempDir } from '../testing/temp-files.ts';
import { detectReader, readCdnowFile, readOrdersFile } from './detect.ts';

const files = tempDir();
const options = { timeZone: 'UTC', currency: null, skipInvalid: false, progress: noProgress };

describe('detectReader', () => {
  it('tells the formats apart by their header, or CDNOW by its data lines', () => {
    expect(detectReader(`${SHOPIFY_HEADER}\n#1,...`, 'f').format).toBe('shopify-orders-export');
    expect(detectReader('Name,Created at,Total\n', 'f').format).toBe('shopify-orders-export');
    expect(detectReader(' Customer_ID , DATE,amount,order_id\r\n', 'f').format).toBe('transaction-log');
    expect(detectReader('00001 00001 19970101 1 11.77\n', 'f').format).toBe('cdnow');
    expect(detectReader('customer_id  date number_of_cds  dollar_value\n00001 19970101 1 11.77\n', 'f').format).toBe('cdnow');
  });

  it('lists the expected formats when nothing matches', () => {
    expect(() => detectReader('id;when;total\n', 'x.csv')).toThrow(CliError);
    expect(() => detectReader('id;when;total\n', 'x.csv')).toThrow(/x\.csv:1: .*Shopify Admin orders export.*transaction log.*CDNOW/s);
  });
});

describe('readOrdersFile', () => {
  it('reads a CDNOW log through the CDNOW reader as USD orders keyed by sample_id', async () => {
    const path = files.write('cdnow.txt', '    4     1 19970101  2  29.33\r\n   18     2 19970112  1  12.00\r\n    4     1 19970218  1  11.77\r\n');
    const result = await readOrdersFile(path, 'cdnow.txt', options);
    expect(result.format).toBe('cdnow');
    expect(result.orders.map((o) => [o.customerId, o.placedAtMs, o.currency, o.totalMinor])).toEqual([
      ['1', Date.UTC(1997, 0, 1), 'USD', 2933],
      ['2', Date.UTC(1997, 0, 12), 'USD', 1200],
      ['1', Date.UTC(1997, 1, 18), 'USD', 1177],
    ]);
    expect(result.orders[1]).toEqual({
      orderId: 'cdnow:2',
      customerId: '2',
      email: null,
      placedAtMs: Date.UTC(1997, 0, 12),
      currency: 'USD',
      totalMinor: 1200,
      refundedMinor: 0,
      cancelled: false,
      test: false,
      subscription: false,
    });
  });
});

describe('readCdnowFile', () => {
  it('reads a whole CDNOW log in USD', async () => {
    const path = files.write('cdnow-whole.txt', '    4     1 19970101  2  29.33\r\n');
    const log = await readCdnowFile(path, 'cdnow-whole.txt', 'USD');
    expect(log.format).toBe('cdnow-sample');
    expect(log.orders).toHaveLength(1);
  });

  it('rejects a --currency other than USD and an unreadable file with their codes', async () => {
    const path = files.write('cdnow-eur.txt', '    4     1 19970101  2  29.33\r\n');
    await expect(readCdnowFile(path, 'cdnow-eur.txt', 'EUR')).rejects.toMatchObject({
      code: 'mixed-currency',
      message: 'cdnow-eur.txt is a CDNOW log in USD; --currency EUR does not apply.',
    });
    await expect(readCdnowFile(`${path}.missing`, 'missing.txt', null)).rejects.toMatchObject({ code: 'file-unreadable' });
  });
});

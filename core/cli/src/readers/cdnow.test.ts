import { describe, expect, it } from 'vitest';
import { looksLikeCdnow, readCdnow } from './cdnow.ts';

describe('readCdnow', () => {
  it('keys the 5-column sample by its second column and keeps same-day rows', () => {
    const log = readCdnow(' 00004 0001 19970101  2   29.33\r\n 00004 0001 19970101  1   10.00\r\n 00021 0002 19970102  3   63.34\r\n', 'sample.txt');
    expect(log.format).toBe('cdnow-sample');
    expect(log.orders).toEqual([
      { customerKey: '0001', placedAtMs: Date.UTC(1997, 0, 1), amountMinor: 2933 },
      { customerKey: '0001', placedAtMs: Date.UTC(1997, 0, 1), amountMinor: 1000 },
      { customerKey: '0002', placedAtMs: Date.UTC(1997, 0, 2), amountMinor: 6334 },
    ]);
  });

  it('skips the master header and keys the 4-column master by its first column', () => {
    const log = readCdnow(' customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n', 'master.txt');
    expect(log.format).toBe('cdnow-master');
    expect(log.skipped.header).toBe(1);
    expect(log.orders).toEqual([{ customerKey: '00001', placedAtMs: Date.UTC(1997, 0, 1), amountMinor: 1177 }]);
  });

  it('names file, line and field for a bad amount, and for a row with the wrong column count', () => {
    expect(() => readCdnow(' 00001 19970101  1   11.77\n 00002 19970101  1   abc\n', 'm.txt')).toThrow('m.txt:2:4 (field "dollar_value")');
    expect(() => readCdnow(' 00001 19970101  1   11.77\n 00002 19970101  1\n', 'm.txt')).toThrow('m.txt:2: expected 4 whitespace-separated columns');
  });

  it('is detected from the first data line, and a CSV transaction log is not', () => {
    expect(looksLikeCdnow(' customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n')).toBe(true);
    expect(looksLikeCdnow('customer_id,date,amount\na,2024-01-01,1.00\n')).toBe(false);
  });
});

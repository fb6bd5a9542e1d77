import { describe, expect, it } from 'vitest';
import { parseDateTimeMs } from './datetime.ts';

describe('parseDateTimeMs', () => {
  it("reads Shopify's export format with its offset", () => {
    expect(parseDateTimeMs('2025-10-02 17:09:34 -0300', 'UTC')).toBe(Date.UTC(2025, 9, 2, 20, 9, 34));
    expect(parseDateTimeMs('2025-10-02 17:09:34 +0530', 'Asia/Tokyo')).toBe(Date.UTC(2025, 9, 2, 11, 39, 34));
  });
  it('reads ISO 8601 datetimes with Z, colon offsets and fractions', () => {
    expect(parseDateTimeMs('2025-10-02T17:09:34Z', 'Europe/Paris')).toBe(Date.UTC(2025, 9, 2, 17, 9, 34));
    expect(parseDateTimeMs('2025-10-02T17:09:34.250+02:00', 'UTC')).toBe(Date.UTC(2025, 9, 2, 15, 9, 34, 250));
  });
  it('takes a date alone as the start of that day, and a time without offset as wall time, in the shop zone', () => {
    expect(parseDateTimeMs('2025-01-15', 'America/New_York')).toBe(Date.UTC(2025, 0, 15, 5));
    expect(parseDateTimeMs('2025-07-15 09:30', 'America/New_York')).toBe(Date.UTC(2025, 6, 15, 13, 30));
  });
  it('gives the same instant on the export fast path as an equivalent ISO string', () => {
    for (const [shopify, iso] of [
      ['2024-02-29 23:59:59 +1400', '2024-02-29T23:59:59+14:00'],
      ['1999-12-31 00:00:00 -0930', '1999-12-31T00:00:00-09:30'],
      ['2025-06-01 12:00:00 +0000', '2025-06-01T12:00:00Z'],
    ] as const) {
      expect(parseDateTimeMs(shopify, 'UTC')).toBe(parseDateTimeMs(iso, 'UTC'));
      expect(parseDateTimeMs(shopify, 'UTC')).toBe(Date.parse(iso));
    }
    expect(parseDateTimeMs('2025-02-29 10:00:00 +0000', 'UTC')).toBeNull();
    expect(parseDateTimeMs('2025-0a-01 10:00:00 +0000', 'UTC')).toBeNull();
  });

  it('rejects impossible or malformed dates', () => {
    for (const text of ['2025-02-29', '2025-13-01', '2025-10-02 24:00:00', '02/10/2025', '2025-10-02 17:09:34 -9900', '', 'yesterday']) {
      expect(parseDateTimeMs(text, 'UTC')).toBeNull();
    }
    expect(parseDateTimeMs('2024-02-29', 'UTC')).toBe(Date.UTC(2024, 1, 29));
  });
});

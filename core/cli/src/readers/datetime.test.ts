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
  it('rejects impossible or malformed dates', () => {
    for (const text of ['2025-02-29', '2025-13-01', '2025-10-02 24:00:00', '02/10/2025', '2025-10-02 17:09:34 -9900', '', 'yesterday']) {
      expect(parseDateTimeMs(text, 'UTC')).toBeNull();
    }
    expect(parseDateTimeMs('2024-02-29', 'UTC')).toBe(Date.UTC(2024, 1, 29));
  });
});

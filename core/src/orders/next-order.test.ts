import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../time/zone-offsets.ts';
import { expectedNextOrderAtMs, isOverdue } from './next-order.ts';

describe('expectedNextOrderAtMs', () => {
  it('adds the usual gap to the last order', () => {
    expect(expectedNextOrderAtMs(Date.UTC(2024, 0, 1), 30 * DAY_MS)).toBe(Date.UTC(2024, 0, 31));
  });

  it('returns null without a gap', () => {
    expect(expectedNextOrderAtMs(Date.UTC(2024, 0, 1), null)).toBeNull();
  });
});

describe('isOverdue', () => {
  it('is true only once asOf is past the expected date', () => {
    const next = Date.UTC(2024, 0, 31);
    expect(isOverdue(next, next - 1)).toBe(false);
    expect(isOverdue(next, next)).toBe(false);
    expect(isOverdue(next, next + 1)).toBe(true);
    expect(isOverdue(null, next)).toBe(false);
  });
});

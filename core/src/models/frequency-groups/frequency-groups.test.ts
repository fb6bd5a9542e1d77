import { describe, expect, it } from 'vitest';
import { groupByFrequency } from './frequency-groups.ts';

describe('groupByFrequency', () => {
  it('indexes distinct frequencies in order of first appearance and sums weights per frequency', () => {
    const groups = groupByFrequency(Float64Array.of(2, 0, 2, 5, 0), Float64Array.of(1, 3, 2, 0.5, 1));
    expect(Array.from(groups.distinctX)).toEqual([2, 0, 5]);
    expect(Array.from(groups.xIndex)).toEqual([0, 1, 0, 2, 1]);
    expect(Array.from(groups.distinctWeight)).toEqual([3, 4, 0.5]);
    expect(groups.totalWeight).toBe(7.5);
  });

  it('returns empty groups for no rows', () => {
    const groups = groupByFrequency(new Float64Array(0), new Float64Array(0));
    expect(groups.distinctX).toHaveLength(0);
    expect(groups.xIndex).toHaveLength(0);
    expect(groups.totalWeight).toBe(0);
  });
});

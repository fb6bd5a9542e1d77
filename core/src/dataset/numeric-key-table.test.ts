import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDecimalValue, NumericKeyTable } from './numeric-key-table.ts';

describe('NumericKeyTable', () => {
  it('gives each distinct key one dense index, in insertion order, across growth', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { maxLength: 3000 }), (keys) => {
        const table = new NumericKeyTable(4);
        const reference = new Map<number, number>();
        for (const key of keys) {
          if (!reference.has(key)) reference.set(key, reference.size);
          expect(table.indexOf(key)).toBe(reference.get(key));
        }
        expect(table.size).toBe(reference.size);
      }),
      { numRuns: 50 },
    );
  });
});

describe('canonicalDecimalValue', () => {
  it('accepts canonical decimal integers only', () => {
    expect(canonicalDecimalValue('6789012345')).toBe(6789012345);
    expect(canonicalDecimalValue('0')).toBe(0);
    expect(canonicalDecimalValue('007')).toBe(-1);
    expect(canonicalDecimalValue('12a')).toBe(-1);
    expect(canonicalDecimalValue('')).toBe(-1);
    expect(canonicalDecimalValue('1234567890123456')).toBe(-1);
    expect(canonicalDecimalValue('-5')).toBe(-1);
  });
});

describe('NumericKeyTable.indexOfDecimal', () => {
  it('indexes canonical decimal strings like their values and rejects the rest', () => {
    const table = new NumericKeyTable(2);
    expect(table.indexOfDecimal('6789012345')).toBe(0);
    expect(table.indexOfDecimal('7')).toBe(1);
    expect(table.indexOf(6789012345)).toBe(0);
    expect(table.indexOfDecimal('007')).toBe(-1);
    expect(table.indexOfDecimal('a@b.c')).toBe(-1);
    for (let k = 0; k < 5000; k++) table.indexOfDecimal(String(k * 7919));
    expect(Array.from(table.keys().subarray(0, 3))).toEqual([6789012345, 7, 0]);
    expect(table.keys()).toHaveLength(table.size);
  });
});

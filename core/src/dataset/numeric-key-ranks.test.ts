import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankNumericKeys } from './numeric-key-ranks.ts';

function reference(keys: number[]): { ranks: number[]; unique: number[] } {
  const unique = [...new Set(keys)].sort((a, b) => a - b);
  return { ranks: keys.map((k) => unique.indexOf(k)), unique };
}

function run(keys: number[]) {
  const n = keys.length;
  const keyArray = Float64Array.from(keys);
  const positions = Int32Array.from(keys.map((_, j) => j));
  const out = new Int32Array(n);
  const unique = rankNumericKeys(keyArray, positions, n, out, {
    byBucket: new Int32Array(n),
    bucketKey: new Float64Array(n),
    bucketLocal: new Int32Array(n),
    unique: new Float64Array(n),
  });
  return { ranks: Array.from(out), unique: Array.from(unique) };
}

describe('rankNumericKeys', () => {
  it('gives dense ascending ranks and the sorted distinct keys', () => {
    expect(run([7, 3, 7, 10, 3, 0])).toEqual({ ranks: [2, 1, 2, 3, 1, 0], unique: [0, 3, 7, 10] });
    expect(run([])).toEqual({ ranks: [], unique: [] });
  });
  it('matches a Set-and-sort reference on small and bucketed inputs (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }),
          fc.array(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { maxLength: 200 }),
          fc.integer({ min: 0, max: 2 ** 40 }).map((base) => Array.from({ length: 9000 }, (_, i) => base + ((i * 7919) % 3001) * 1_000_003)),
        ),
        (keys) => {
          expect(run(keys)).toEqual(reference(keys));
        },
      ),
      { numRuns: 60 },
    );
  });
  it('reads only the listed positions', () => {
    const keys = Float64Array.from([5, 99, 1, 99]);
    const out = new Int32Array(4).fill(-7);
    const unique = rankNumericKeys(keys, Int32Array.from([0, 2]), 2, out, {
      byBucket: new Int32Array(4),
      bucketKey: new Float64Array(4),
      bucketLocal: new Int32Array(4),
      unique: new Float64Array(4),
    });
    expect(Array.from(unique)).toEqual([1, 5]);
    expect(Array.from(out)).toEqual([1, -7, 0, -7]);
  });
});

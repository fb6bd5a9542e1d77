import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankTextKeys } from './text-key-ranks.ts';

/** Interning in a Map and sorting the distinct keys: what prepareOrders did before, and what it must still equal. */
function reference(keys: string[], offset: number): { ranks: number[]; distinct: string[] } {
  const distinct = [...new Set(keys)].sort();
  const rank = new Map(distinct.map((key, r) => [key, r]));
  return { ranks: keys.map((key) => offset + rank.get(key)!), distinct };
}

function run(keys: string[], offset = 0): { ranks: number[]; distinct: string[] } {
  const positions = Int32Array.from(keys, (_, j) => j);
  const out = new Int32Array(keys.length);
  const distinct = rankTextKeys(keys.slice(), positions, keys.length, out, offset);
  return { ranks: Array.from(out), distinct };
}

describe('rankTextKeys', () => {
  it('gives dense ranks in string order, from the offset, and the distinct keys', () => {
    expect(run(['b@x', 'a@x', 'b@x', 'ab', 'a', ''], 10)).toEqual({ ranks: [14, 12, 14, 13, 11, 10], distinct: ['', 'a', 'a@x', 'ab', 'b@x'] });
    expect(run([])).toEqual({ ranks: [], distinct: [] });
    expect(run(['only'])).toEqual({ ranks: [0], distinct: ['only'] });
  });

  it('orders by UTF-16 code units, as sort() does: upper case before lower, astral characters by their surrogates', () => {
    const keys = ['é@x', 'Z@x', 'z@x', '😀@x', '\uffff@x', '이@x', 'a'.repeat(40), 'a'.repeat(39)];
    expect(run(keys).distinct).toEqual(keys.slice().sort());
  });

  it('matches the Map-and-sort reference (property), with few distinct keys, shared prefixes and prefixes of each other', () => {
    const key = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('a', 'ab', 'abc', 'abcd', 'b', ''),
      fc.tuple(fc.constantFrom('ann.lee', 'ann.le', 'bo'), fc.nat(40)).map(([name, n]) => `${name}.${n}@example.com`),
      fc.string({ unit: 'binary', maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300 }), fc.nat(1000), (keys, offset) => {
        expect(run(keys, offset)).toEqual(reference(keys, offset));
      }),
    );
  });

  it('sorts large inputs with long equal runs and long shared prefixes', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `${'customer.'.repeat(i % 3)}${(i * 7919) % 9001}@example.org`);
    keys.push(...Array.from({ length: 5_000 }, () => 'same@example.org'));
    expect(run(keys)).toEqual(reference(keys, 0));
  });
});

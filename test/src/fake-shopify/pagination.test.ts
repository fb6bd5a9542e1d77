import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, paginate, sortByKey, type Page } from './pagination.ts';

interface Item {
  id: number;
  v: number;
}

function walkAll(sorted: Item[], size: number, reverse: boolean, pred: (x: Item) => boolean, bounds?: [number, number]): number[] {
  const out: number[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const page: Page<Item> = paginate(
      sorted,
      (x) => x.v,
      (x) => x.id,
      pred,
      { first: size, after, reverse },
      bounds,
    );
    out.push(...page.items.map((x) => x.id));
    if (!page.hasNextPage) return out;
    after = page.cursors[page.cursors.length - 1] ?? null;
  }
  throw new Error('pagination did not terminate');
}

describe('paginate', () => {
  it('visits every matching item exactly once, in order, forward and reversed, with and without key bounds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 20 }),
        (values, size, reverse, lo) => {
          const items = sortByKey(
            values.map((v, i) => ({ id: i + 1, v })),
            (x) => x.v,
            (x) => x.id,
          );
          const pred = (x: Item): boolean => x.id % 3 !== 0 && x.v >= lo;
          const want = items.filter(pred).map((x) => x.id);
          if (reverse) want.reverse();
          expect(walkAll(items, size, reverse, pred)).toEqual(want);
          expect(walkAll(items, size, reverse, pred, [lo, Infinity])).toEqual(want);
        },
      ),
    );
  });

  it('pages backwards with last/before', () => {
    const items = sortByKey(
      Array.from({ length: 10 }, (_, i) => ({ id: i + 1, v: i })),
      (x) => x.v,
      (x) => x.id,
    );
    const last = paginate(
      items,
      (x) => x.v,
      (x) => x.id,
      () => true,
      { last: 3 },
    );
    expect(last.items.map((x) => x.id)).toEqual([8, 9, 10]);
    expect(last.hasPreviousPage).toBe(true);
    const prev = paginate(
      items,
      (x) => x.v,
      (x) => x.id,
      () => true,
      { last: 3, before: last.cursors[0] ?? null },
    );
    expect(prev.items.map((x) => x.id)).toEqual([5, 6, 7]);
  });

  it('uses Shopify-like opaque cursors of last_id and last_value', () => {
    const page = paginate(
      [{ id: 4, v: 9 }],
      (x) => x.v,
      (x) => x.id,
      () => true,
      { first: 1 },
    );
    expect(decodeCursor(page.cursors[0] ?? '')).toEqual({ last_id: 4, last_value: 9 });
    expect(() =>
      paginate(
        [],
        (x: Item) => x.v,
        (x) => x.id,
        () => true,
        { first: 1, after: 'garbage' },
      ),
    ).toThrow(/Invalid cursor/);
  });
});

/**
 * Relay cursor pagination over a sorted array, as Shopify's connections do: opaque base64 cursors of
 * `{"last_id":..,"last_value":..}`, `first`/`after`, `last`/`before`, `reverse`.
 */

export type SortValue = number | string;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface Page<T> {
  items: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

interface CursorBody {
  last_id: number;
  last_value: SortValue;
}

export function encodeCursor(id: number, value: SortValue): string {
  return Buffer.from(JSON.stringify({ last_id: id, last_value: value } satisfies CursorBody)).toString('base64');
}

/** Decodes a cursor; null when it is not one of ours (Shopify answers such cursors with an error). */
export function decodeCursor(cursor: string): CursorBody | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as Partial<CursorBody>;
    if (typeof v.last_id !== 'number' || (typeof v.last_value !== 'number' && typeof v.last_value !== 'string')) {
      return null;
    }
    return { last_id: v.last_id, last_value: v.last_value };
  } catch {
    return null;
  }
}

function cmp(a: SortValue, ai: number, b: SortValue, bi: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return ai - bi;
}

/** Index of the first element strictly after (value, id) in ascending order. */
function upperBound<T>(sorted: readonly T[], key: (x: T) => SortValue, id: (x: T) => number, v: SortValue, i: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = sorted[mid] as T;
    if (cmp(key(x), id(x), v, i) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element whose key is >= v. */
function lowerBoundKey<T>(sorted: readonly T[], key: (x: T) => SortValue, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((key(sorted[mid] as T) as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CursorError extends Error {
  override name = 'CursorError';
}

/**
 * One page of `sorted` (ascending by key, then id) filtered by `matches`. `keyBounds` ([lo, hi) on a numeric key)
 * lets a range filter on the sort key skip straight to its slice; `matches` must still enforce it.
 */
export function paginate<T>(
  sorted: readonly T[],
  key: (x: T) => SortValue,
  id: (x: T) => number,
  matches: (x: T) => boolean,
  args: PageArgs,
  keyBounds: [number, number] = [-Infinity, Infinity],
): Page<T> {
  const size = args.first ?? args.last ?? sorted.length;
  // Walking "forward" means in display order; with `last`/`before` we walk backwards from `before` and flip.
  const backwards = args.last !== undefined && args.last !== null && (args.first === undefined || args.first === null);
  const descending = (args.reverse ?? false) !== backwards;
  const startCursor = backwards ? args.before : args.after;
  let start: number;
  let lo = 0;
  let hi = sorted.length;
  if (Number.isFinite(keyBounds[0])) lo = lowerBoundKey(sorted, key, keyBounds[0]);
  if (Number.isFinite(keyBounds[1])) hi = lowerBoundKey(sorted, key, keyBounds[1]);
  if (startCursor !== undefined && startCursor !== null) {
    const c = decodeCursor(startCursor);
    if (c === null) throw new CursorError(`Invalid cursor for current pagination sort.`);
    const after = upperBound(sorted, key, id, c.last_value, c.last_id);
    // `after` is the index just past the cursor element in ascending order.
    start = descending ? after - 1 - (after > 0 && cmp(key(sorted[after - 1] as T), id(sorted[after - 1] as T), c.last_value, c.last_id) === 0 ? 1 : 0) : after;
  } else {
    start = descending ? hi - 1 : lo;
  }
  start = descending ? Math.min(start, hi - 1) : Math.max(start, lo);
  const step = descending ? -1 : 1;
  const items: T[] = [];
  let more = false;
  for (let i = start; descending ? i >= lo : i < hi; i += step) {
    const x = sorted[i] as T;
    if (!matches(x)) continue;
    if (items.length === size) {
      more = true;
      break;
    }
    items.push(x);
  }
  // Whether anything matches before the start: scan the other way until the first match.
  let before = false;
  if (startCursor !== undefined && startCursor !== null) {
    for (let i = start - step; descending ? i < hi : i >= lo; i -= step) {
      if (i < 0 || i >= sorted.length) break;
      if (matches(sorted[i] as T)) {
        before = true;
        break;
      }
    }
  }
  const cursors = items.map((x) => encodeCursor(id(x), key(x)));
  if (backwards) {
    items.reverse();
    cursors.reverse();
    return { items, cursors, hasNextPage: before, hasPreviousPage: more };
  }
  return { items, cursors, hasNextPage: more, hasPreviousPage: before };
}

/** Sorts ascending by (key, id) in place and returns the array. */
export function sortByKey<T>(xs: T[], key: (x: T) => SortValue, id: (x: T) => number): T[] {
  return xs.sort((a, b) => cmp(key(a), id(a), key(b), id(b)));
}

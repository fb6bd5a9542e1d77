import { describe, expect, it } from 'vitest';
import { compileSearch, parseSearch, zonedMidnightMs, type FieldSpec } from './search-query.ts';

interface Row {
  id: number;
  at: number;
  tags: string[];
  email: string | null;
  test: boolean;
}
const FIELDS: Record<string, FieldSpec<Row>> = {
  id: { type: 'number', get: (r) => r.id },
  updated_at: { type: 'date', get: (r) => r.at },
  tag: { type: 'strings', get: (r) => r.tags },
  email: { type: 'string', get: (r) => r.email },
  test: { type: 'bool', get: (r) => r.test },
};
const rows: Row[] = [
  { id: 1, at: Date.UTC(2026, 0, 1), tags: ['vip'], email: 'a@x.com', test: false },
  { id: 2, at: Date.UTC(2026, 0, 2, 12), tags: [], email: 'b@x.com', test: true },
  { id: 3, at: Date.UTC(2026, 0, 3), tags: ['vip', 'wholesale'], email: null, test: false },
];
const ctx = { timeZone: 'UTC', nowMs: Date.UTC(2026, 5, 1) };
const ids = (q: string): number[] => {
  const c = compileSearch(q, FIELDS, (r, t) => r.email?.includes(t) ?? false, ctx);
  return rows.filter(c.matches).map((r) => r.id);
};

describe('parseSearch', () => {
  it('reads comparators, quotes, negation and boolean operators', () => {
    expect(parseSearch(`updated_at:>='2026-01-01T00:00:00Z'`)).toEqual({ kind: 'term', field: 'updated_at', op: '>=', value: '2026-01-01T00:00:00Z' });
    expect(parseSearch('-tag:vip')).toEqual({ kind: 'not', item: { kind: 'term', field: 'tag', op: ':', value: 'vip' } });
    expect(parseSearch('a:1 OR (b:2 AND NOT c:3)')).toMatchObject({ kind: 'or', items: [{ kind: 'term' }, { kind: 'and' }] });
  });
});

describe('compileSearch', () => {
  it('filters date ranges with inclusive and exclusive bounds', () => {
    expect(ids(`updated_at:>'2026-01-01T00:00:00Z'`)).toEqual([2, 3]);
    expect(ids(`updated_at:>=2026-01-01T00:00:00Z updated_at:<2026-01-03T00:00:00Z`)).toEqual([1, 2]);
    expect(ids('updated_at:2026-01-02')).toEqual([2]);
    expect(ids('updated_at:<=2026-01-02')).toEqual([1, 2]);
  });

  it('combines OR, NOT, tags, booleans and free text', () => {
    expect(ids('tag:vip AND -tag:wholesale')).toEqual([1]);
    expect(ids('test:true OR id:3')).toEqual([2, 3]);
    expect(ids('id:>1')).toEqual([2, 3]);
    expect(ids('b@x')).toEqual([2]);
    expect(ids('')).toEqual([1, 2, 3]);
  });

  it('ignores unknown fields with a warning instead of filtering everything out', () => {
    const c = compileSearch('nope:1 id:1', FIELDS, () => false, ctx);
    expect(rows.filter(c.matches).map((r) => r.id)).toEqual([1]);
    expect(c.warnings).toEqual([{ field: 'nope', message: 'Invalid search field for this query.' }]);
  });

  it('gives top-level bounds on a field for index range scans', () => {
    const c = compileSearch(`updated_at:>=2026-01-02T00:00:00Z updated_at:<2026-01-03T00:00:00Z`, FIELDS, () => false, ctx);
    expect(c.boundsOf('updated_at')).toEqual([Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 3)]);
    expect(compileSearch('a:1 OR updated_at:>2026-01-01', FIELDS, () => false, ctx).boundsOf('updated_at')).toEqual([-Infinity, Infinity]);
  });
});

describe('zonedMidnightMs', () => {
  it('returns midnight in the zone, across daylight saving time', () => {
    expect(zonedMidnightMs('2026-01-15', 'America/New_York')).toBe(Date.UTC(2026, 0, 15, 5));
    expect(zonedMidnightMs('2026-07-15', 'America/New_York')).toBe(Date.UTC(2026, 6, 15, 4));
    expect(zonedMidnightMs('2026-03-29', 'Europe/Paris')).toBe(Date.UTC(2026, 2, 28, 23));
  });
});

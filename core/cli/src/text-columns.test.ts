import { describe, expect, it } from 'vitest';
import { fitTable, padEnd, padStart, width } from './text-columns.ts';

describe('width', () => {
  it('counts terminal columns: Hangul two, the bidi marks around Arabic numbers none', () => {
    expect(width('abc')).toBe(3);
    expect(width('해당 없음')).toBe(9);
    expect(width('\u200e16.4\u200e%\u200e')).toBe(5);
    expect(padEnd('유지', 6)).toBe('유지  ');
    expect(padStart('유지', 6)).toBe('  유지');
  });
});

describe('fitTable', () => {
  it('makes each column as wide as its widest cell in terminal columns, at least its least width', () => {
    const columns = [
      { min: 4, align: 'start', gap: 1 },
      { min: 5, align: 'end', gap: 1 },
      { min: 0, align: 'start', gap: 2 },
    ] as const;
    expect(
      fitTable(columns, [
        ['a', '1.5', 'x'],
        ['bb', 'n/a', 'yy'],
      ]),
    ).toEqual(['  a      1.5  x', '  bb     n/a  yy']);
    // "해당 없음" takes 9 columns (Hangul is two wide): the column widens, and every row keeps its cells in line.
    expect(
      fitTable(columns, [
        ['a', '1.5', 'x'],
        ['bb', '해당 없음', 'yy'],
      ]),
    ).toEqual(['  a          1.5  x', '  bb   해당 없음  yy']);
  });
});

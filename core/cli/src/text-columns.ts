/**
 * Text in columns for the terminal, measured in terminal columns rather than UTF-16 units: a Korean syllable takes two,
 * the bidi marks around Arabic numbers none. The scorecard and `clvlens validate` print their tables with it.
 */

/** Display width of `text` in a terminal: Hangul and other wide characters take two columns. */
export function width(text: string): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    // Bidi marks Intl puts around Arabic numbers take no column.
    if (c === 0x200e || c === 0x200f || c === 0x061c) continue;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xff00 && c <= 0xff60)
        ? 2
        : 1;
  }
  return w;
}

/** `text` padded with spaces after it to `n` terminal columns. */
export const padEnd = (text: string, n: number): string => text + ' '.repeat(Math.max(0, n - width(text)));
/** `text` padded with spaces before it to `n` terminal columns. */
export const padStart = (text: string, n: number): string => ' '.repeat(Math.max(0, n - width(text))) + text;

/** One column of a {@link fitTable}: its least width, its side, and the spaces before it. */
export interface TableColumn {
  min: number;
  align: 'start' | 'end';
  gap: number;
}

/**
 * A table as text lines, each indented two columns: every column as wide as its widest cell in terminal columns (at
 * least its `min`), padded on its `align` side, after `gap` spaces; the last column is not padded. A cell wider than
 * its column would run into the next one: a Korean or Arabic "n/a" is wider than an English ratio.
 */
export function fitTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((c, i) => Math.max(c.min, ...rows.map((r) => width(r[i] ?? ''))));
  const last = columns.length - 1;
  return rows.map(
    (cells) =>
      '  ' +
      columns
        .map((c, i) => {
          const cell = cells[i] ?? '';
          const padded = i === last ? cell : c.align === 'start' ? padEnd(cell, widths[i]!) : padStart(cell, widths[i]!);
          return (i === 0 ? '' : ' '.repeat(c.gap)) + padded;
        })
        .join(''),
  );
}

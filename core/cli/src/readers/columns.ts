import { currencyExponent, parseMinorUnits } from '@clvlens/core/basics';
import { CliError, CliErrorCode } from '../errors.ts';

/**
 * Whether `code` is an ISO 4217 code with a minor unit in core's currency table (`USD`, `JPY`, `KWD`): amounts are
 * parsed with that table's exponent, so a code it lacks is refused at input rather than thrown from deep inside.
 */
export function isKnownCurrency(code: string): boolean {
  try {
    currencyExponent(code);
    return true;
  } catch {
    return false;
  }
}

/** A header name as matched: trimmed, lower-cased, inner whitespace collapsed (`" Created  At"` -> `created at`). */
export function normalizeHeaderName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** 0-based index of each normalised header name (first occurrence wins). */
export function indexHeader(fields: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  fields.forEach((name, i) => {
    const key = normalizeHeaderName(name);
    if (key !== '' && !index.has(key)) index.set(key, i);
  });
  return index;
}

/** Throws `missing-column` naming every required column the header lacks. */
export function requireColumns(index: ReadonlyMap<string, number>, required: readonly string[], file: string, line: number, formatName: string): void {
  const missing = required.filter((name) => !index.has(normalizeHeaderName(name)));
  if (missing.length === 0) return;
  throw new CliError(
    CliErrorCode.missingColumn,
    `the ${formatName} header lacks column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}. ` +
      'Columns are matched by name, in any order; add the missing one or export again with all columns.',
    { location: { file, line } },
  );
}

/** 0-based column of the first of `names` the header has (matched normalised), or -1 when it has none of them. */
export type ColumnLookup = (...names: string[]) => number;

/**
 * Indexes a CSV header row and checks its required columns (`missing-column` otherwise); returns the lookup the
 * reader takes its column positions from.
 */
export function locateColumns(fields: readonly string[], required: readonly string[], file: string, line: number, formatName: string): ColumnLookup {
  const index = indexHeader(fields);
  requireColumns(index, required, file, line, formatName);
  return (...names) => {
    for (const name of names) {
      const i = index.get(normalizeHeaderName(name));
      if (i !== undefined) return i;
    }
    return -1;
  };
}

/**
 * What is wrong with a cell, as data, for surfaces that word it in the user's language (the app's dashboard looks up
 * `import.problem.<reason>` in the catalog with `params`); the error's message stays the English wording.
 */
export interface CellProblem {
  /** Stable reason: `survey-type`, `survey-score`, `month`, `other-currency`, `amount-<ParseMoneyReason>`, `amount-negative`. */
  reason: string;
  /** The cell as read (trimmed where the check trims). */
  value: string;
  params?: Readonly<Record<string, string | number>>;
}

/** A value error at one cell, with the reason `--skip-invalid` counts it under (`invalid-created-at`). */
export function invalidCell(file: string, line: number, columnIndex: number, field: string, problem: string, detail?: CellProblem): CliError {
  return new InvalidCellError(file, line, columnIndex, field, problem, CliErrorCode.invalidValue, detail);
}

/** `invalid-value` raised for one cell; `skipReason` is what `--skip-invalid` counts it under. */
export class InvalidCellError extends CliError {
  readonly skipReason: string;
  /** The problem as data, where the reader gives it ({@link CellProblem}). */
  readonly problem: CellProblem | undefined;

  constructor(
    file: string,
    line: number,
    columnIndex: number,
    field: string,
    problem: string,
    code: CliErrorCode = CliErrorCode.invalidValue,
    detail?: CellProblem,
  ) {
    super(code, problem, { location: { file, line, column: columnIndex + 1, field } });
    this.skipReason = `invalid-${normalizeHeaderName(field).replace(/[^a-z0-9]+/g, '-')}`;
    this.problem = detail;
  }
}

/** Parses a decimal amount exactly to minor units of `currency`, or throws naming the cell. */
export function parseAmountCell(text: string, currency: string, file: string, line: number, columnIndex: number, field: string): number {
  const parsed = parseMinorUnits(text, currency);
  if (parsed.ok) return parsed.value;
  const why =
    parsed.reason === 'too-many-decimals'
      ? `has more decimals than ${currency} allows`
      : parsed.reason === 'empty'
        ? 'is empty'
        : parsed.reason === 'too-large'
          ? 'is too large'
          : 'is not a plain decimal amount like 1234.50 (no thousands separators or currency symbols)';
  throw invalidCell(file, line, columnIndex, field, `${JSON.stringify(text)} ${why}.`, {
    reason: `amount-${parsed.reason}`,
    value: text,
    params: { currency },
  });
}

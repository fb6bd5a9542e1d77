/**
 * Stable error codes of `@clvlens/cli` (listed with their exit codes in core/cli/README.md). Scripts switch on the
 * exit code; tests switch on `code`, never on the message.
 */
export const CliErrorCode = {
  /** Unknown command or option, missing or malformed argument. */
  usage: 'usage',
  /** An input file cannot be opened or read. */
  fileUnreadable: 'file-unreadable',
  /** The input file is empty (or only white space). */
  emptyFile: 'empty-file',
  /** The header matches none of the supported input formats. */
  unknownFormat: 'unknown-format',
  /** A required column is missing from the header. */
  missingColumn: 'missing-column',
  /** A value cannot be parsed (bad date, amount, currency...); the message names file, line, column and field. */
  invalidValue: 'invalid-value',
  /** The file is not valid UTF-8 (the message names the line); `--encoding latin1` reads Latin-1 files. */
  invalidEncoding: 'invalid-encoding',
  /** The CSV itself is malformed (unclosed quote, ...). */
  malformedCsv: 'malformed-csv',
  /** Amounts in two currencies: CLV Lens reports in one (the shop) currency and never sums across currencies. */
  mixedCurrency: 'mixed-currency',
  /** The file holds no order that can be reported on. */
  noOrders: 'no-orders',
  /** An output file cannot be written. */
  outputUnwritable: 'output-unwritable',
} as const;
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/** Process exit code per error code: 2 = how the command was called, 3 = the input data, 4 = writing output. */
export const EXIT_CODE: Readonly<Record<CliErrorCode, number>> = {
  usage: 2,
  'file-unreadable': 3,
  'empty-file': 3,
  'unknown-format': 3,
  'missing-column': 3,
  'invalid-value': 3,
  'invalid-encoding': 3,
  'malformed-csv': 3,
  'mixed-currency': 3,
  'no-orders': 3,
  'output-unwritable': 4,
};

/** Exit code for a bug (an unexpected exception): the message and stack go to stderr. */
export const EXIT_INTERNAL_ERROR = 1;

/** Where in an input file a problem is: 1-based line and column (CSV field number), and the column's header name. */
export interface InputLocation {
  file: string;
  line?: number;
  column?: number;
  field?: string;
}

/** The one error class of `@clvlens/cli`. Its message is shown to the user as is, so it says what to do next. */
export class CliError extends Error {
  override name = 'CliError';
  readonly code: CliErrorCode;
  readonly location: InputLocation | undefined;

  constructor(code: CliErrorCode, message: string, options?: { location?: InputLocation; cause?: unknown }) {
    super(
      options?.location === undefined ? message : `${formatLocation(options.location)}: ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.location = options?.location;
  }

  get exitCode(): number {
    return EXIT_CODE[this.code];
  }
}

/** `file:line:column (field "Created at")`, the shape editors and terminals turn into links. */
export function formatLocation(location: InputLocation): string {
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.line !== undefined && location.column !== undefined) text += `:${location.column}`;
  if (location.field !== undefined) text += ` (field "${location.field}")`;
  return text;
}

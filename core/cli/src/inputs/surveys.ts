import { CliError, CliErrorCode } from '../errors.ts';
import { invalidCell, locateColumns } from '../readers/columns.ts';
import { readCsvSource, type CsvSource } from '../readers/csv-rows.ts';
import type { Progress } from '../progress.ts';

/** Survey responses by kind, in file order. */
export interface SurveyResponses {
  /** Net Promoter Score answers, whole numbers 0-10. */
  nps: number[];
  /** Customer satisfaction answers, whole numbers 1-`CSAT_SCALE_MAX`. */
  csat: number[];
}

/** One valid survey row, with the optional columns other readers (the app's import) keep. */
export interface SurveyRow {
  /** 1-based line the row starts on. */
  line: number;
  type: 'nps' | 'csat';
  score: number;
  /** The row's cells, trimmed, for hashing a row's identity. */
  fields: readonly string[];
  /** Trimmed text of the optional `customer_id`, `email` and `date` columns; '' when absent or empty. */
  customerId: string;
  email: string;
  date: string;
}

/** CSAT answers are on a 1-5 scale; 4 and 5 count as satisfied (core's default). */
export const CSAT_SCALE_MAX = 5;

const SCALES = { nps: { min: 0, max: 10 }, csat: { min: 1, max: CSAT_SCALE_MAX } } as const;

/** What {@link readSurveyRows} calls per row. */
export interface SurveyRowHandler {
  response(row: SurveyRow): void;
  /**
   * Called with a row's value error (naming file, line, column and field) instead of stopping the read; without it
   * the first bad row throws. Header, quoting and encoding errors always throw: they concern the whole file.
   */
  invalid?(error: CliError): void;
}

/**
 * Reads survey rows: header `type,score` (any order, extra columns such as `customer_id`, `email`, `date` or `comment`
 * kept aside or ignored), one response per row; `type` is `nps` (score 0-10) or `csat` (score 1-5). Any other type or
 * score is an error naming file, line and column. Resolves to the number of data rows.
 */
export async function readSurveyRows(source: CsvSource, file: string, progress: Progress, handler: SurveyRowHandler): Promise<number> {
  let typeCol = -1;
  let scoreCol = -1;
  let customerCol = -1;
  let emailCol = -1;
  let dateCol = -1;
  let header: readonly string[] = [];
  return await readCsvSource(
    source,
    file,
    {
      header(fields, line) {
        const column = locateColumns(fields, ['type', 'score'], file, line, 'survey');
        header = fields;
        typeCol = column('type');
        scoreCol = column('score');
        customerCol = column('customer_id', 'customer id');
        emailCol = column('email');
        dateCol = column('date', 'responded_at', 'responded at');
      },
      row(fields, line) {
        const type = (fields[typeCol] ?? '').trim().toLowerCase();
        if (type !== 'nps' && type !== 'csat') {
          return rejectRow(
            handler,
            invalidCell(file, line, typeCol, header[typeCol] ?? 'type', `${JSON.stringify(fields[typeCol] ?? '')} is not a survey type: use "nps" or "csat".`, {
              reason: 'survey-type',
              value: fields[typeCol] ?? '',
            }),
          );
        }
        const scoreText = (fields[scoreCol] ?? '').trim();
        const score = /^\d{1,2}$/.test(scoreText) ? Number(scoreText) : Number.NaN;
        const scale = SCALES[type];
        if (!(score >= scale.min && score <= scale.max)) {
          return rejectRow(
            handler,
            invalidCell(
              file,
              line,
              scoreCol,
              header[scoreCol] ?? 'score',
              `${JSON.stringify(scoreText)} is not a whole ${type.toUpperCase()} score from ${scale.min} to ${scale.max}.`,
              { reason: 'survey-score', value: scoreText, params: { type: type.toUpperCase(), min: scale.min, max: scale.max } },
            ),
          );
        }
        const cell = (i: number) => (i < 0 ? '' : (fields[i] ?? '').trim());
        handler.response({
          line,
          type,
          score,
          fields: fields.map((f) => f.trim()),
          customerId: cell(customerCol),
          email: cell(emailCol),
          date: cell(dateCol),
        });
      },
    },
    progress,
  );
}

/** Hands a row's error to `handler.invalid`, or throws it when the reader stops at the first bad row. */
export function rejectRow(handler: { invalid?(error: CliError): void }, error: CliError): void {
  if (!handler.invalid) throw error;
  handler.invalid(error);
}

/**
 * Reads a survey CSV for `--surveys` ({@link readSurveyRows}'s format), stopping at the first bad row.
 */
export async function readSurveyResponses(path: string, file: string, progress: Progress): Promise<SurveyResponses> {
  const responses: SurveyResponses = { nps: [], csat: [] };
  await readSurveyRows({ path }, file, progress, { response: (row) => responses[row.type].push(row.score) });
  if (responses.nps.length + responses.csat.length === 0) {
    throw new CliError(CliErrorCode.invalidValue, `${file} has a header but no responses.`);
  }
  return responses;
}

import { CliError, CliErrorCode } from '../errors.ts';
import { invalidCell, locateColumns } from '../readers/columns.ts';
import { readCsvRows } from '../readers/csv-rows.ts';
import type { Progress } from '../progress.ts';

/** Survey responses by kind, in file order. */
export interface SurveyResponses {
  /** Net Promoter Score answers, whole numbers 0-10. */
  nps: number[];
  /** Customer satisfaction answers, whole numbers 1-`CSAT_SCALE_MAX`. */
  csat: number[];
}

/** CSAT answers are on a 1-5 scale; 4 and 5 count as satisfied (core's default). */
export const CSAT_SCALE_MAX = 5;

const SCALES = { nps: { min: 0, max: 10 }, csat: { min: 1, max: CSAT_SCALE_MAX } } as const;

/**
 * Reads a survey CSV for `--surveys`: header `type,score` (any order, extra columns such as `customer_id`, `date` or
 * `comment` ignored), one response per row; `type` is `nps` (score 0-10) or `csat` (score 1-5). Any other type or
 * score is an error naming file, line and column.
 */
export async function readSurveyResponses(path: string, file: string, progress: Progress): Promise<SurveyResponses> {
  const responses: SurveyResponses = { nps: [], csat: [] };
  let typeCol = -1;
  let scoreCol = -1;
  let header: readonly string[] = [];
  await readCsvRows(
    path,
    file,
    {
      header(fields, line) {
        const column = locateColumns(fields, ['type', 'score'], file, line, 'survey');
        header = fields;
        typeCol = column('type');
        scoreCol = column('score');
      },
      row(fields, line) {
        const type = (fields[typeCol] ?? '').trim().toLowerCase();
        if (type !== 'nps' && type !== 'csat') {
          throw invalidCell(
            file,
            line,
            typeCol,
            header[typeCol] ?? 'type',
            `${JSON.stringify(fields[typeCol] ?? '')} is not a survey type: use "nps" or "csat".`,
          );
        }
        const scoreText = (fields[scoreCol] ?? '').trim();
        const score = /^\d{1,2}$/.test(scoreText) ? Number(scoreText) : Number.NaN;
        const scale = SCALES[type];
        if (!(score >= scale.min && score <= scale.max)) {
          throw invalidCell(
            file,
            line,
            scoreCol,
            header[scoreCol] ?? 'score',
            `${JSON.stringify(scoreText)} is not a whole ${type.toUpperCase()} score from ${scale.min} to ${scale.max}.`,
          );
        }
        responses[type].push(score);
      },
    },
    progress,
  );
  if (responses.nps.length + responses.csat.length === 0) {
    throw new CliError(CliErrorCode.invalidValue, `${file} has a header but no responses.`);
  }
  return responses;
}

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { CliError, InvalidCellError, readSpendRows, readSurveyRows, type CellProblem, type Progress } from '@clvlens/cli';
import type { MonthlySpend } from '@clvlens/core';
import { ApiError } from '../errors.ts';
import type { DB } from '../db/schema.ts';
import type { PiiProtector } from '../ingest/pii.ts';
import type { Clock } from '../log.ts';

/** What an import keeps of one rejected row: the CLI's own location and message (`file:line:column (field "x"): ...`). */
export interface ImportRowError {
  /** 1-based line of the file the row starts on. */
  line: number;
  /** 1-based CSV column, or null when the problem is the whole row. */
  column: number | null;
  /** The column's header as written in the file, or null. */
  field: string | null;
  /** The CLI's message, location included. */
  message: string;
  /**
   * The problem as data (`reason`, the cell's `value`, `params`), which the dashboard words in the admin's language
   * from the catalog's `import.problem.<reason>`; null when the reader gave none (the message is then shown).
   */
  problem: CellProblem | null;
}

/** The outcome of one upload (`POST /app/api/imports/{surveys,spend}`). */
export interface ImportResultV1 {
  importId: string;
  kind: 'surveys' | 'spend';
  fileName: string;
  uploadedAtMs: number;
  /** Data rows in the file (header and blank lines excluded). */
  rowsRead: number;
  /**
   * Surveys: responses not stored before (a re-upload of the same file adds 0). Spend: months whose uploaded amount
   * this file set or changed.
   */
  rowsAdded: number;
  rowsRejected: number;
  /** The first {@link MAX_STORED_ERRORS} rejected rows, in file order. */
  errors: ImportRowError[];
}

/** Rejected rows kept per upload (the count is always exact). */
export const MAX_STORED_ERRORS = 100;

/** What the importers need. */
export interface ImportDeps {
  db: Kysely<DB>;
  clock: Clock;
  pii: PiiProtector;
}

const quietProgress: Progress = { update() {}, done() {} };

/** A file name fit to show and store: the last path segment, control characters removed, at most 200 characters. */
export function cleanFileName(name: string | undefined, fallback: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name ?? '')
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return base.length === 0 ? fallback : base.slice(0, 200);
}

/** `YYYY-MM` of `ms` in `timeZone`. */
export function monthIn(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(ms);
  const year = parts.find((p) => p.type === 'year')!.value;
  const month = parts.find((p) => p.type === 'month')!.value;
  return `${year}-${month}`;
}

const DATE_RE = /^(\d{4})-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])([T ].*)?)?$/;
const CUSTOMER_RE = /^(?:'|gid:\/\/shopify\/Customer\/)?([1-9]\d{0,18})$/;

function rowError(error: CliError, problem?: CellProblem): ImportRowError {
  return {
    line: error.location?.line ?? 0,
    column: error.location?.column ?? null,
    field: error.location?.field ?? null,
    message: error.message,
    problem: problem ?? (error instanceof InvalidCellError ? (error.problem ?? null) : null),
  };
}

/** A whole-file problem (missing column, quoting, encoding, no header) as the API's 400, with the CLI's message. */
function fileError(error: unknown): never {
  if (error instanceof CliError) throw new ApiError('bad-request', error.message, { cause: error });
  throw error;
}

async function shopOf(db: Kysely<DB>, shop: string): Promise<{ currency: string | null; timeZone: string }> {
  const row = await db.selectFrom('shops').select(['currency', 'iana_timezone']).where('shop_id', '=', shop).executeTakeFirst();
  if (!row) throw new ApiError('not-found', `${shop} is not installed.`);
  return { currency: row.currency, timeZone: row.iana_timezone ?? 'UTC' };
}

async function recordImport(
  db: Kysely<DB>,
  shop: string,
  kind: 'surveys' | 'spend',
  fileName: string,
  uploadedAtMs: number,
  counts: { rowsRead: number; rowsRejected: number; errors: ImportRowError[] },
): Promise<string> {
  const row = await db
    .insertInto('data_imports')
    .values({
      shop_id: shop,
      kind,
      file_name: fileName,
      uploaded_at: new Date(uploadedAtMs),
      rows_read: counts.rowsRead,
      rows_added: 0,
      rows_rejected: counts.rowsRejected,
      errors: JSON.stringify(counts.errors),
    })
    .returning(sql<string>`import_id::text`.as('import_id'))
    .executeTakeFirstOrThrow();
  return row.import_id;
}

interface PendingResponse {
  key: string;
  kind: 'nps' | 'csat';
  score: number;
  month: string;
  customerId: string | null;
  email: string;
}

/**
 * Imports a survey CSV (the CLI's `--surveys` format, read by the CLI's own reader): valid rows are stored, each
 * once however often the file is uploaded; a bad row is rejected with the CLI's message naming line and field, and the
 * rest are still stored. An optional `date` column (`YYYY-MM-DD`, the date as written) sets the response's month,
 * else the upload's month in the shop time zone; `customer_id` and `email` tie a response to a customer for
 * customers/redact (the email is kept only as the shop's HMAC of it).
 */
export async function importSurveys(deps: ImportDeps, shop: string, fileName: string, body: Readable): Promise<ImportResultV1> {
  const { timeZone } = await shopOf(deps.db, shop);
  const uploadedAtMs = deps.clock.now();
  const uploadMonth = monthIn(uploadedAtMs, timeZone);
  const errors: ImportRowError[] = [];
  let rowsRejected = 0;
  const pending: PendingResponse[] = [];
  const seen = new Map<string, number>();
  const reject = (error: CliError, problem?: CellProblem) => {
    rowsRejected++;
    if (errors.length < MAX_STORED_ERRORS) errors.push(rowError(error, problem));
  };
  let rowsRead: number;
  try {
    rowsRead = await readSurveyRows({ stream: body }, fileName, quietProgress, {
      invalid: reject,
      response(row) {
        let month = uploadMonth;
        if (row.date !== '') {
          const m = DATE_RE.exec(row.date);
          if (!m) {
            return reject(
              new CliError('invalid-value', `${JSON.stringify(row.date)} is not a date like 2025-10-02.`, {
                location: { file: fileName, line: row.line, field: 'date' },
              }),
              { reason: 'date', value: row.date },
            );
          }
          month = `${m[1]}-${m[2]}`;
        }
        let customerId: string | null = null;
        if (row.customerId !== '') {
          const m = CUSTOMER_RE.exec(row.customerId);
          if (!m) {
            return reject(
              new CliError('invalid-value', `${JSON.stringify(row.customerId)} is not a Shopify customer id (a positive whole number).`, {
                location: { file: fileName, line: row.line, field: 'customer_id' },
              }),
              { reason: 'customer-id', value: row.customerId },
            );
          }
          customerId = m[1]!;
        }
        // The row's identity: its cells (the email replaced by a marker, hashed below with the shop key) and how many
        // identical rows came before it in this file.
        const identity = JSON.stringify(row.fields.map((f) => (row.email !== '' && f === row.email ? '\u0000email' : f)));
        const n = (seen.get(identity) ?? 0) + 1;
        seen.set(identity, n);
        pending.push({ key: `${identity}#${n}`, kind: row.type, score: row.score, month, customerId, email: row.email });
      },
    });
  } catch (error) {
    fileError(error);
  }
  if (rowsRead === 0) throw new ApiError('bad-request', `${fileName} has a header but no responses.`);

  const emailKeys = new Map<string, string>();
  for (const p of pending) {
    if (p.email !== '' && !emailKeys.has(p.email)) emailKeys.set(p.email, await deps.pii.emailKey(deps.db, shop, p.email));
  }
  return await deps.db.transaction().execute(async (trx) => {
    const importId = await recordImport(trx, shop, 'surveys', fileName, uploadedAtMs, { rowsRead, rowsRejected, errors });
    let rowsAdded = 0;
    for (let i = 0; i < pending.length; i += 1000) {
      const values = pending.slice(i, i + 1000).map((p) => {
        const emailKey = p.email === '' ? null : emailKeys.get(p.email)!;
        return {
          shop_id: shop,
          response_key: createHash('sha256')
            .update(`${p.key}\u0000${emailKey ?? ''}`)
            .digest('base64url'),
          kind: p.kind,
          score: p.score,
          month: p.month,
          customer_id: p.customerId,
          email_key: emailKey,
          import_id: importId,
        };
      });
      const inserted = await trx
        .insertInto('survey_responses')
        .values(values)
        .onConflict((oc) => oc.columns(['shop_id', 'response_key']).doNothing())
        .returning('response_key')
        .execute();
      rowsAdded += inserted.length;
    }
    await trx.updateTable('data_imports').set({ rows_added: rowsAdded }).where('shop_id', '=', shop).where('import_id', '=', importId).execute();
    return { importId, kind: 'surveys' as const, fileName, uploadedAtMs, rowsRead, rowsAdded, rowsRejected, errors };
  });
}

/**
 * Imports a monthly marketing-spend CSV (the CLI's `--spend` format and reader) in the shop currency: each month the
 * file names gets the file's total for it (months listed twice are summed, as in the CLI), replacing what an earlier
 * upload said for that month, so uploading the same file again changes nothing and a corrected file corrects.
 */
export async function importSpend(deps: ImportDeps, shop: string, fileName: string, body: Readable): Promise<ImportResultV1> {
  const { currency } = await shopOf(deps.db, shop);
  if (currency === null) throw new ApiError('not-found', 'The shop currency is not known yet: wait for the first sync, then upload the spend again.');
  const uploadedAtMs = deps.clock.now();
  const errors: ImportRowError[] = [];
  let rowsRejected = 0;
  const byMonth = new Map<string, number>();
  let rowsRead: number;
  try {
    rowsRead = await readSpendRows({ stream: body }, fileName, currency, quietProgress, {
      invalid(error) {
        rowsRejected++;
        if (errors.length < MAX_STORED_ERRORS) errors.push(rowError(error));
      },
      spend(entry: MonthlySpend) {
        byMonth.set(entry.month, (byMonth.get(entry.month) ?? 0) + entry.amountMinor);
      },
    });
  } catch (error) {
    fileError(error);
  }
  if (rowsRead === 0) throw new ApiError('bad-request', `${fileName} has a header but no months.`);
  return await deps.db.transaction().execute(async (trx) => {
    const importId = await recordImport(trx, shop, 'spend', fileName, uploadedAtMs, { rowsRead, rowsRejected, errors });
    let rowsAdded = 0;
    for (const [month, amountMinor] of byMonth) {
      const before = await trx
        .selectFrom('marketing_spend')
        .select(['amount_minor', 'currency'])
        .where('shop_id', '=', shop)
        .where('source', '=', 'upload')
        .where('month', '=', month)
        .executeTakeFirst();
      if (before && Number(before.amount_minor) === amountMinor && before.currency === currency) continue;
      await trx
        .insertInto('marketing_spend')
        .values({ shop_id: shop, source: 'upload', month, amount_minor: amountMinor, currency, import_id: importId, updated_at: new Date(uploadedAtMs) })
        .onConflict((oc) =>
          oc
            .columns(['shop_id', 'source', 'month'])
            .doUpdateSet({ amount_minor: amountMinor, currency, import_id: importId, updated_at: new Date(uploadedAtMs) }),
        )
        .execute();
      rowsAdded++;
    }
    await trx.updateTable('data_imports').set({ rows_added: rowsAdded }).where('shop_id', '=', shop).where('import_id', '=', importId).execute();
    return { importId, kind: 'spend' as const, fileName, uploadedAtMs, rowsRead, rowsAdded, rowsRejected, errors };
  });
}

/** The shop's uploads, newest first (at most 50), for the dashboard's import history. */
export async function listImports(db: Kysely<DB>, shop: string): Promise<ImportResultV1[]> {
  const rows = await db
    .selectFrom('data_imports')
    .select([sql<string>`import_id::text`.as('import_id'), 'kind', 'file_name', 'uploaded_at', 'rows_read', 'rows_added', 'rows_rejected', 'errors'])
    .where('shop_id', '=', shop)
    .orderBy('import_id', 'desc')
    .limit(50)
    .execute();
  return rows.map((r) => ({
    importId: r.import_id,
    kind: r.kind,
    fileName: r.file_name,
    uploadedAtMs: r.uploaded_at.getTime(),
    rowsRead: r.rows_read,
    rowsAdded: r.rows_added,
    rowsRejected: r.rows_rejected,
    errors: JSON.parse(r.errors) as ImportRowError[],
  }));
}

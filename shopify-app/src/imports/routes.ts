import { Readable } from 'node:stream';
import type { Context, Hono } from 'hono';
import { resolveLocale } from '@clvlens/core/i18n';
import { ApiError } from '../errors.ts';
import type { Database } from '../db/connect.ts';
import { exportFileName, exportSegmentCsv, parseExportSelection } from '../export/segment-export.ts';
import type { PiiProtector } from '../ingest/pii.ts';
import type { Clock, Logger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { readFeedbackMetrics } from './feedback-metrics.ts';
import { cleanFileName, importSpend, importSurveys, listImports, type ImportDeps } from './import-store.ts';
import { refreshShopifyMarketingSpend } from './shopify-spend.ts';

/** Largest CSV upload, bytes (about 1.5 million survey rows). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

/** Whether `path` is an upload route, which gets {@link MAX_IMPORT_BYTES} instead of the API's small body limit. */
export function isImportPath(path: string): boolean {
  return /^\/(app\/api|api\/v1)\/imports\/(surveys|spend)$/.test(path);
}

type ShopEnv = { Variables: { shop: string; token: string } };

/** What the import, scorecard and export routes need. */
export interface ImportRouteDeps {
  db: Database['db'];
  clock: Clock;
  log: Logger;
  pii: PiiProtector;
  graphqlFor(shop: string): ShopGraphql;
}

/**
 * The upload body: `text/csv` (the file as is, streamed; its name in `?fileName=`), or JSON `{"fileName","csv"}` (what
 * the dashboard sends).
 */
async function uploadOf(c: Context): Promise<{ fileName: string; body: Readable }> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = await c.req.json();
    } catch {
      throw new ApiError('bad-request', 'The body must be JSON {"fileName":"surveys.csv","csv":"type,score\\n..."} or a text/csv file.');
    }
    const { fileName, csv } = (parsed ?? {}) as { fileName?: unknown; csv?: unknown };
    if (typeof csv !== 'string') throw new ApiError('bad-request', 'csv: expected the file’s text.');
    return { fileName: cleanFileName(typeof fileName === 'string' ? fileName : undefined, 'upload.csv'), body: Readable.from([Buffer.from(csv, 'utf8')]) };
  }
  if (type !== 'text/csv' && type !== 'text/plain' && type !== 'application/octet-stream') {
    throw new ApiError('bad-request', 'Send the file as text/csv (its name in ?fileName=) or as JSON {"fileName","csv"}.');
  }
  const raw = c.req.raw.body;
  const body = raw === null ? Readable.from([]) : Readable.fromWeb(raw as import('node:stream/web').ReadableStream<Uint8Array>);
  return { fileName: cleanFileName(c.req.query('fileName'), 'upload.csv'), body };
}

/**
 * Registers the survey and spend uploads (`POST <prefix>/imports/surveys`, `.../spend`) under `prefix`, which the
 * caller has already authenticated (session token under `/app/api`, the extension's bearer token under `/api/v1` for
 * scripts). Under `/app/api` it also adds the upload history, the scorecard's NPS/CSAT/LTV:CAC and the CSV export.
 */
export function registerImportRoutes(app: Hono<ShopEnv>, prefix: '/app/api' | '/api/v1', deps: ImportRouteDeps): void {
  const importDeps: ImportDeps = { db: deps.db, clock: deps.clock, pii: deps.pii };
  app.post(`${prefix}/imports/surveys`, async (c) => {
    const { fileName, body } = await uploadOf(c);
    return c.json(await importSurveys(importDeps, c.get('shop'), fileName, body));
  });
  app.post(`${prefix}/imports/spend`, async (c) => {
    const { fileName, body } = await uploadOf(c);
    return c.json(await importSpend(importDeps, c.get('shop'), fileName, body));
  });
  if (prefix !== '/app/api') return;
  app.get('/app/api/imports', async (c) => c.json({ imports: await listImports(deps.db, c.get('shop')) }));
  app.get('/app/api/feedback-metrics', async (c) => {
    const shop = c.get('shop');
    await refreshShopifyMarketingSpend({ db: deps.db, graphql: deps.graphqlFor(shop), clock: deps.clock, log: deps.log }, shop);
    return c.json(await readFeedbackMetrics(deps.db, shop));
  });
  app.get('/app/api/export', (c) => {
    const shop = c.get('shop');
    const selection = parseExportSelection(c.req.query('by'), c.req.query('value'));
    const locale = resolveLocale(c.req.query('locale') ?? null);
    const withNames = c.req.query('names') !== '0';
    const day = new Date(deps.clock.now()).toISOString().slice(0, 10);
    const stream = exportSegmentCsv({ db: deps.db, graphql: withNames ? deps.graphqlFor(shop) : null }, shop, selection, locale);
    return c.body(stream, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${exportFileName(selection, day)}"`,
      'cache-control': 'no-store',
    });
  });
}

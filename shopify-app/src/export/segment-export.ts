import { sql, type Kysely } from 'kysely';
import { formatMinorUnits, RFM_SEGMENTS, type CurrencyCode, type CustomerInsightV1 } from '@clvlens/core';
import { createTranslator, type Locale, type MessageKey } from '@clvlens/core/i18n';
import { ApiError } from '../errors.ts';
import type { DB } from '../db/schema.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { createCsvStream, type CsvCell } from './csv-writer.ts';

/** Which customers to export: one RFM segment (Shopify's names) or one churn risk tier. */
export type ExportSelection = { by: 'segment'; value: string } | { by: 'tier'; value: 'high' | 'medium' | 'low' };

/** Customers read from the database per step, and asked of Shopify per `nodes` call (its limit is 250 ids). */
export const EXPORT_PAGE_SIZE = 250;

/** Columns of the export, in order, with the catalog key of each header. */
export const EXPORT_COLUMNS = [
  ['customerId', 'export.col.customerId'],
  ['name', 'export.col.name'],
  ['email', 'export.col.email'],
  ['orders', 'export.col.orders'],
  ['spend', 'export.col.spend'],
  ['currency', 'export.col.currency'],
  ['daysSinceLastOrder', 'export.col.daysSinceLastOrder'],
  ['churnProbability', 'export.col.churnProbability'],
  ['churnHorizonDays', 'export.col.churnHorizonDays'],
  ['churnTier', 'export.col.churnTier'],
  ['predictedClv', 'export.col.predictedClv'],
  ['rfmSegment', 'export.col.rfmSegment'],
] as const satisfies readonly (readonly [string, MessageKey])[];

/** Parses the `by` and `value` query parameters, or throws `bad-request` saying what is allowed. */
export function parseExportSelection(by: string | undefined, value: string | undefined): ExportSelection {
  if (by === 'tier') {
    if (value === 'high' || value === 'medium' || value === 'low') return { by, value };
    throw new ApiError('bad-request', 'value: a risk tier is "high", "medium" or "low".');
  }
  if (by === 'segment') {
    if (value !== undefined && (RFM_SEGMENTS as readonly string[]).includes(value)) return { by, value };
    throw new ApiError('bad-request', `value: an RFM segment is one of ${RFM_SEGMENTS.join(', ')}.`);
  }
  throw new ApiError('bad-request', 'by: export by "segment" or "tier".');
}

const NAMES_QUERY = /* GraphQL */ `
  #graphql
  query ExportCustomerNames($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Customer {
        id
        displayName
        defaultEmailAddress {
          emailAddress
        }
      }
    }
  }
`;

interface Person {
  name: string | null;
  email: string | null;
}

/**
 * Names and emails of up to 250 customers, read live from the Admin API at export time and never stored. Without
 * Shopify's approval for protected customer data (level 2) both come back null, and the cells stay empty.
 */
async function readPeople(graphql: ShopGraphql, ids: readonly string[]): Promise<Map<string, Person>> {
  const data = await graphql.request<{
    nodes: ({ id?: string; displayName?: string | null; defaultEmailAddress?: { emailAddress?: string | null } | null } | null)[];
  }>(NAMES_QUERY, { ids: ids.map((id) => `gid://shopify/Customer/${id}`) }, 1 + 2 * ids.length);
  const people = new Map<string, Person>();
  for (const node of data.nodes) {
    const id = node?.id?.match(/^gid:\/\/shopify\/Customer\/(\d+)$/)?.[1];
    if (id === undefined) continue;
    people.set(id, { name: node?.displayName ?? null, email: node?.defaultEmailAddress?.emailAddress ?? null });
  }
  return people;
}

/** What {@link exportSegmentCsv} needs. */
export interface ExportDeps {
  db: Kysely<DB>;
  /** Null: export without names and emails (the merchant unticked them, or a test). */
  graphql: ShopGraphql | null;
}

/** A file name for the export: `clvlens-tier-high-2026-12-02.csv`. */
export function exportFileName(selection: ExportSelection, dayIso: string): string {
  return `clvlens-${selection.by}-${selection.value.toLowerCase().replace(/_/g, '-')}-${dayIso}.csv`;
}

/**
 * The customers of one RFM segment or risk tier as CSV (UTF-8 with BOM, CRLF, headers in `locale`, numbers in plain
 * decimal notation, text escaped against formula injection), streamed: the stored insights are read in steps of
 * {@link EXPORT_PAGE_SIZE} by customer id (keyset), the matches' names fetched live, and the next step is read only
 * when the client has taken the previous one. Customers without an account (guests) have no insight and are not in
 * it. Money is in the shop currency's major unit (`123.45`).
 */
export function exportSegmentCsv(deps: ExportDeps, shop: string, selection: ExportSelection, locale: Locale): ReadableStream<Uint8Array> {
  const tr = createTranslator(locale);
  const header = EXPORT_COLUMNS.map(([, key]) => tr.t(key));
  const field = selection.by === 'tier' ? 'churnTier' : 'rfmSegment';
  let after = '0';
  let done = false;
  return createCsvStream(header, async () => {
    // Walk the insights in primary-key order, a page at a time, and keep the selection's. The ORDER BY names the
    // table's bigint column: bare `customer_id` is the text alias, which sorted "10" before "9" (so keyset paging
    // could skip customers) and made every page a full scan and sort (a 200,000-customer tier took 10 minutes).
    const rows: { customer_id: string; payload: string }[] = [];
    while (!done && rows.length === 0) {
      const page = await sql<{ customer_id: string; payload: string | null }>`
        SELECT customer_id::text AS customer_id,
          CASE WHEN payload::json->>${field} = ${selection.value} THEN payload END AS payload
        FROM customer_insights
        WHERE shop_id = ${shop} AND customer_id > ${after}::bigint AND NOT deleted AND payload IS NOT NULL
        ORDER BY customer_insights.customer_id LIMIT ${EXPORT_PAGE_SIZE}`.execute(deps.db);
      if (page.rows.length < EXPORT_PAGE_SIZE) done = true;
      if (page.rows.length > 0) after = page.rows[page.rows.length - 1]!.customer_id;
      for (const r of page.rows) if (r.payload !== null) rows.push({ customer_id: r.customer_id, payload: r.payload });
    }
    if (rows.length === 0) return null;
    const people =
      deps.graphql === null
        ? new Map<string, Person>()
        : await readPeople(
            deps.graphql,
            rows.map((r) => r.customer_id),
          );
    return rows.map((r): CsvCell[] => {
      const insight = JSON.parse(r.payload) as CustomerInsightV1;
      const person = people.get(r.customer_id);
      const money = (minor: number | null): number | null => {
        if (minor === null) return null;
        return Number(formatMinorUnits(Math.round(minor), insight.currency as CurrencyCode));
      };
      return [
        r.customer_id,
        person?.name ?? null,
        person?.email ?? null,
        insight.orderCount,
        money(insight.historicClvMinor),
        insight.currency,
        insight.daysSinceLastOrder,
        Math.round(insight.churnProbability * 10_000) / 10_000,
        insight.churnHorizonDays,
        insight.churnTier,
        money(insight.predictedClvMinor),
        insight.rfmSegment,
      ];
    });
  });
}

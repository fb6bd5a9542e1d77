import { sql, type Kysely } from 'kysely';
import { computeCsat, computeLtvCac, computeNps, type CohortMatrix, type Csat, type MonthlySpend, type Nps } from '@clvlens/core';
import type { DB } from '../db/schema.ts';

/** Where a number came from: uploaded files (name and time) and/or the shop's marketing activities in Shopify. */
export interface MetricSourceV1 {
  kind: 'upload' | 'shopify';
  /** Upload only. */
  fileName?: string;
  /** Upload: when it was uploaded; shopify: when the marketing activities were read. UTC ms. */
  atMs: number;
}

/** NPS or CSAT for one month (`YYYY-MM`, the response's date or else its upload's month, shop time zone). */
export interface SurveyMonthV1<T> {
  month: string;
  value: T;
}

/** LTV:CAC of one acquisition month, with where its spend came from. */
export interface LtvCacMonthV1 {
  month: string;
  newCustomers: number;
  spendMinor: number;
  /** Null without spend or new customers. */
  cacMinor: number | null;
  ltvMinor: number;
  ltvToCac: number | null;
  paybackMonth: number | null;
  spendSource: 'upload' | 'shopify';
}

/** `GET /app/api/feedback-metrics`: NPS, CSAT and LTV:CAC of the shop with their monthly trend and sources. */
export interface FeedbackMetricsV1 {
  /**
   * Currency of the money fields (minor units): the last report's; before the first report, the shop's from Shopify,
   * which an uploaded spend file is read in. Null only while neither is known.
   */
  currency: string | null;
  /** Margin fraction LTV uses (the app's margin setting; 1 = revenue). */
  marginFraction: number;
  /** Every stored response; null when none. */
  nps: { overall: Nps; trend: SurveyMonthV1<Nps>[]; sources: MetricSourceV1[] } | null;
  csat: { overall: Csat; trend: SurveyMonthV1<Csat>[]; sources: MetricSourceV1[] } | null;
  /**
   * Over the acquisition months with spend and new customers: (sum of LTV x new customers) / (sum of spend), i.e. the
   * customer-weighted LTV over the blended CAC. Null without such a month or before the first report.
   */
  ltvCac: { overall: number | null; spendMinor: number; newCustomers: number; trend: LtvCacMonthV1[]; sources: MetricSourceV1[] } | null;
}

interface StoredReport {
  currency: string | null;
  marginFraction: number;
  cohortMatrix: CohortMatrix;
}

/**
 * Computes the scorecard's survey and spend metrics from what is stored, with core's functions: NPS and CSAT from the
 * imported responses (overall and per month), LTV:CAC per acquisition month from the last report's cohort matrix and
 * the monthly spend. A month with uploaded spend uses the upload (the merchant's whole budget); other months use the
 * ad spend read from Shopify's marketing activities, when there is any.
 */
export async function readFeedbackMetrics(db: Kysely<DB>, shop: string): Promise<FeedbackMetricsV1> {
  const counts = await db
    .selectFrom('survey_responses')
    .select(['kind', 'month', 'score', sql<string>`count(*)::text`.as('n')])
    .where('shop_id', '=', shop)
    .groupBy(['kind', 'month', 'score'])
    .orderBy('month')
    .execute();
  const scores = { nps: new Map<string, number[]>(), csat: new Map<string, number[]>() };
  for (const row of counts) {
    const byMonth = scores[row.kind];
    let list = byMonth.get(row.month);
    if (!list) byMonth.set(row.month, (list = []));
    for (let i = Number(row.n); i > 0; i--) list.push(row.score);
  }
  const surveySources = async (kind: 'nps' | 'csat'): Promise<MetricSourceV1[]> => {
    const rows = await db
      .selectFrom('data_imports')
      .select(['file_name', 'uploaded_at'])
      .where('shop_id', '=', shop)
      .where('kind', '=', 'surveys')
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('survey_responses')
            .select(sql`1`.as('one'))
            .whereRef('survey_responses.shop_id', '=', 'data_imports.shop_id')
            .whereRef('survey_responses.import_id', '=', 'data_imports.import_id')
            .where('survey_responses.kind', '=', kind),
        ),
      )
      .orderBy('uploaded_at', 'desc')
      .execute();
    return rows.map((r) => ({ kind: 'upload' as const, fileName: r.file_name, atMs: r.uploaded_at.getTime() }));
  };
  const all = (byMonth: Map<string, number[]>) => [...byMonth.values()].flat();
  const nps =
    scores.nps.size === 0
      ? null
      : {
          overall: computeNps(all(scores.nps)),
          trend: [...scores.nps].map(([month, s]) => ({ month, value: computeNps(s) })),
          sources: await surveySources('nps'),
        };
  const csat =
    scores.csat.size === 0
      ? null
      : {
          overall: computeCsat(all(scores.csat)),
          trend: [...scores.csat].map(([month, s]) => ({ month, value: computeCsat(s) })),
          sources: await surveySources('csat'),
        };

  const metrics = await db.selectFrom('shop_metrics').select('report').where('shop_id', '=', shop).executeTakeFirst();
  const report = metrics?.report ? (JSON.parse(metrics.report) as StoredReport) : null;
  const marginFraction = report?.marginFraction ?? 1;
  // Before the first report the spend upload is still read in the shop's currency: the card's label says which.
  const shopRow = report ? undefined : await db.selectFrom('shops').select('currency').where('shop_id', '=', shop).executeTakeFirst();
  const currency = report ? report.currency : (shopRow?.currency ?? null);
  const spendRows = await db
    .selectFrom('marketing_spend')
    .leftJoin('data_imports', (join) =>
      join.onRef('data_imports.shop_id', '=', 'marketing_spend.shop_id').onRef('data_imports.import_id', '=', 'marketing_spend.import_id'),
    )
    .select([
      'marketing_spend.source',
      'marketing_spend.month',
      'marketing_spend.amount_minor',
      'marketing_spend.currency',
      'marketing_spend.updated_at',
      'data_imports.file_name',
      'data_imports.uploaded_at',
    ])
    .where('marketing_spend.shop_id', '=', shop)
    .execute();
  // Uploaded months win: the merchant's file is the whole budget, Shopify's activities only the ads run through it.
  const chosen = new Map<string, (typeof spendRows)[number]>();
  for (const row of spendRows) {
    if (currency !== null && row.currency !== currency) continue;
    const other = chosen.get(row.month);
    if (!other || (row.source === 'upload' && other.source === 'shopify')) chosen.set(row.month, row);
  }
  let ltvCac: FeedbackMetricsV1['ltvCac'] = null;
  if (report !== null && chosen.size > 0) {
    const spend: MonthlySpend[] = [...chosen.values()].map((r) => ({ month: r.month, amountMinor: Number(r.amount_minor), currency: r.currency }));
    const rows = computeLtvCac(report.cohortMatrix, spend, { marginFraction, currency });
    let weightedLtv = 0;
    let spendMinor = 0;
    let newCustomers = 0;
    const trend: LtvCacMonthV1[] = [];
    for (const row of rows) {
      const source = chosen.get(row.cohortMonth);
      if (!source) continue;
      trend.push({
        month: row.cohortMonth,
        newCustomers: row.newCustomers,
        spendMinor: row.spendMinor,
        cacMinor: row.cacMinor,
        ltvMinor: row.ltvMinor,
        ltvToCac: row.ltvToCac,
        paybackMonth: row.paybackMonth,
        spendSource: source.source,
      });
      if (row.spendMinor > 0 && row.newCustomers > 0) {
        weightedLtv += row.ltvMinor * row.newCustomers;
        spendMinor += row.spendMinor;
        newCustomers += row.newCustomers;
      }
    }
    const sources = new Map<string, MetricSourceV1>();
    for (const r of chosen.values()) {
      if (r.source === 'upload' && r.file_name !== null && r.uploaded_at !== null) {
        sources.set(`u:${r.file_name}:${r.uploaded_at.getTime()}`, { kind: 'upload', fileName: r.file_name, atMs: r.uploaded_at.getTime() });
      } else if (r.source === 'shopify') {
        sources.set('shopify', { kind: 'shopify', atMs: r.updated_at.getTime() });
      }
    }
    ltvCac = {
      overall: spendMinor > 0 ? weightedLtv / spendMinor : null,
      spendMinor,
      newCustomers,
      trend,
      sources: [...sources.values()].sort((a, b) => b.atMs - a.atMs),
    };
  }
  return { currency, marginFraction, nps, csat, ltvCac };
}

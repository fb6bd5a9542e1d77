import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** One RFM segment of the shop's customers, for the dashboard's segment table (`GET /app/api/segments`). */
export interface SegmentValueV1 {
  /** Shopify segment name (CHAMPIONS, AT_RISK, ...), or null for customers without a segment. */
  segment: string | null;
  customers: number;
  /** Sum of the segment's historic CLV (net spend), minor units of the shop currency. */
  historicClvMinor: number;
  /** Sum of the predicted 12-month CLV of the customers that have one, minor units; null when none has. */
  predictedClvMinor: number | null;
}

/**
 * Customers and value per RFM segment, from the stored customer insights (numeric Shopify customers; guests have no
 * insight, so the counts can be a little under the report's `rfm.segmentCounts`, which includes email-keyed buyers).
 */
export async function readSegmentValues(db: Kysely<DB>, shop: string): Promise<{ segments: SegmentValueV1[] }> {
  const { rows } = await sql<{ segment: string | null; customers: string | number; clv: string | number | null; pclv: string | number | null; npred: string | number }>`
    SELECT p->>'rfmSegment' AS segment, count(*) AS customers,
      sum((p->>'historicClvMinor')::bigint) AS clv,
      sum((p->>'predictedClvMinor')::bigint) AS pclv,
      count(p->>'predictedClvMinor') AS npred
    FROM (SELECT payload::jsonb AS p FROM customer_insights WHERE shop_id = ${shop} AND NOT deleted AND payload IS NOT NULL) AS i
    GROUP BY 1`.execute(db);
  const segments = rows
    .map((r) => ({
      segment: r.segment,
      customers: Number(r.customers),
      historicClvMinor: Number(r.clv ?? 0),
      predictedClvMinor: Number(r.npred) === 0 ? null : Number(r.pclv ?? 0),
    }))
    .sort((a, b) => b.historicClvMinor - a.historicClvMinor || (a.segment ?? '').localeCompare(b.segment ?? ''));
  return { segments };
}

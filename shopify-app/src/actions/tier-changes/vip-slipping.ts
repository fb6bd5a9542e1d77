import type { ChurnTierV1, TierChangeReasonV1, VipSlippingSummaryV1, VipSlippingV1 } from '@clvlens/core';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

const DAY_MS = 86_400_000;
/** Days the list and "this week" look back. */
export const VIP_WINDOW_DAYS = 7;
/** The share of customers, by predicted CLV, that counts as VIP: the top 10%. */
export const VIP_TOP_SHARE = 0.1;
const LIST_LIMIT = 50;

/**
 * The VIP bar: the predicted CLV at the shop's 90th percentile today, over its live customers with a prediction
 * (PostgreSQL's `percentile_disc`, a value some customer has). A customer counts as a slipping VIP when their
 * predicted CLV just before the change reached it: the value at stake, not what is left after the slip.
 */
const thresholdCte = (shop: string) => sql`
  threshold AS (
    SELECT percentile_disc(${1 - VIP_TOP_SHARE}) WITHIN GROUP (ORDER BY predicted_clv_minor) AS minor
    FROM customer_insights WHERE shop_id = ${shop} AND NOT deleted AND predicted_clv_minor IS NOT NULL)`;

/**
 * The week's slipping VIPs: how many VIPs had a worsening in the last 7 days and in the 7 before (one count per
 * customer, against today's bar), and the predicted CLV before the change of this week's (their latest worsening).
 */
export async function readVipSlippingSummary(db: Kysely<DB>, shop: string, nowMs: number): Promise<VipSlippingSummaryV1> {
  const weekAgo = new Date(nowMs - VIP_WINDOW_DAYS * DAY_MS).toISOString();
  const twoWeeksAgo = new Date(nowMs - 2 * VIP_WINDOW_DAYS * DAY_MS).toISOString();
  const { rows } = await sql<{ this_week: number; last_week: number; value: string | null; threshold: string | null }>`
    WITH ${thresholdCte(shop)},
    vip AS (
      SELECT c.customer_id, c.changed_at, c.previous_predicted_clv_minor, c.change_id FROM customer_tier_changes c, threshold t
      WHERE c.shop_id = ${shop} AND c.worsened AND c.changed_at >= ${twoWeeksAgo}::timestamptz
        AND c.previous_predicted_clv_minor > 0 AND c.previous_predicted_clv_minor >= t.minor),
    latest AS (
      SELECT DISTINCT ON (customer_id) previous_predicted_clv_minor FROM vip WHERE changed_at >= ${weekAgo}::timestamptz
      ORDER BY customer_id, change_id DESC)
    SELECT
      (SELECT count(DISTINCT customer_id)::int FROM vip WHERE changed_at >= ${weekAgo}::timestamptz) AS this_week,
      (SELECT count(DISTINCT customer_id)::int FROM vip WHERE changed_at < ${weekAgo}::timestamptz) AS last_week,
      (SELECT sum(previous_predicted_clv_minor)::text FROM latest) AS value,
      (SELECT minor::text FROM threshold) AS threshold`.execute(db);
  const row = rows[0]!;
  return {
    thisWeek: row.this_week,
    lastWeek: row.last_week,
    valueAtRiskMinor: Number(row.value ?? 0),
    thresholdMinor: row.threshold === null ? null : Number(row.threshold),
    topShare: VIP_TOP_SHARE,
  };
}

/**
 * The dashboard's slipping VIPs: customers whose latest tier change of the last 7 days made their tier worse and who
 * were VIPs just before it, newest change first (at most 50), with the week's summary. Ids and numbers only.
 */
export async function readVipSlipping(db: Kysely<DB>, shop: string, nowMs: number, currency: string): Promise<VipSlippingV1> {
  const weekAgo = new Date(nowMs - VIP_WINDOW_DAYS * DAY_MS).toISOString();
  const { rows } = await sql<{
    customer_id: string;
    old_tier: ChurnTierV1;
    new_tier: ChurnTierV1;
    changed_at: Date;
    churn_probability: number;
    churn_horizon_days: number;
    previous: string;
    predicted: string | null;
    reasons: string;
  }>`
    WITH ${thresholdCte(shop)},
    latest AS (
      SELECT DISTINCT ON (customer_id) * FROM customer_tier_changes
      WHERE shop_id = ${shop} AND changed_at >= ${weekAgo}::timestamptz ORDER BY customer_id, change_id DESC)
    SELECT l.customer_id::text AS customer_id, l.old_tier, l.new_tier, l.changed_at, l.churn_probability, l.churn_horizon_days,
      l.previous_predicted_clv_minor::text AS previous, l.predicted_clv_minor::text AS predicted, l.reasons
    FROM latest l, threshold t
    WHERE l.worsened AND l.previous_predicted_clv_minor > 0 AND l.previous_predicted_clv_minor >= t.minor
    ORDER BY l.changed_at DESC, l.change_id DESC LIMIT ${LIST_LIMIT}`.execute(db);
  return {
    currency,
    windowDays: VIP_WINDOW_DAYS,
    summary: await readVipSlippingSummary(db, shop, nowMs),
    customers: rows.map((r) => ({
      customerId: r.customer_id,
      oldTier: r.old_tier,
      newTier: r.new_tier,
      changedAtMs: new Date(r.changed_at).getTime(),
      churnProbability: r.churn_probability,
      churnHorizonDays: r.churn_horizon_days,
      previousPredictedClvMinor: Number(r.previous),
      predictedClvMinor: r.predicted === null ? null : Number(r.predicted),
      reasons: JSON.parse(r.reasons) as TierChangeReasonV1[],
    })),
  };
}

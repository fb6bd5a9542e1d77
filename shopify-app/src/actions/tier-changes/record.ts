import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { TierChange } from './detect.ts';

/**
 * Stores tier changes: the only writer of `customer_tier_changes` rows (the Flow sender only moves their
 * `flow_state`). Called by the insight writer inside the transaction that stores the new insights, so a change is
 * recorded exactly when the insight that shows it commits: a crash before the commit leaves both undone (the customer
 * stays queued and the next run finds the same change), and a rerun over the committed insight finds none.
 * Each row starts `pending` for Shopify Flow.
 */
export async function recordTierChanges(trx: Kysely<DB>, shop: string, changes: readonly TierChange[]): Promise<void> {
  if (changes.length === 0) return;
  await sql`
    INSERT INTO customer_tier_changes (shop_id, customer_id, old_tier, new_tier, worsened, churn_probability, churn_horizon_days,
      predicted_clv_minor, previous_predicted_clv_minor, currency, reasons, changed_at)
    SELECT ${shop}, id, o, n, w, p, h, pc, ppc, cur, r, at
    FROM unnest(${changes.map((c) => c.customerId)}::bigint[], ${changes.map((c) => c.oldTier)}::text[], ${changes.map((c) => c.newTier)}::text[],
                ${changes.map((c) => c.worsened)}::boolean[], ${changes.map((c) => c.churnProbability)}::float8[],
                ${changes.map((c) => c.churnHorizonDays)}::int[], ${changes.map((c) => c.predictedClvMinor)}::bigint[],
                ${changes.map((c) => c.previousPredictedClvMinor)}::bigint[], ${changes.map((c) => c.currency)}::text[],
                ${changes.map((c) => JSON.stringify(c.reasons))}::text[], ${changes.map((c) => new Date(c.changedAtMs).toISOString())}::timestamptz[])
      WITH ORDINALITY AS t(id, o, n, w, p, h, pc, ppc, cur, r, at, ord)
    ORDER BY ord`.execute(trx);
}

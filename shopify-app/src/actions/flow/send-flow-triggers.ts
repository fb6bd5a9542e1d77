import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Clock, Logger } from '../../log.ts';
import type { ShopGraphql } from '../../shopify/graphql.ts';
import { CHURN_RISK_TRIGGER_HANDLE, churnRiskPayload, FLOW_TRIGGER_RECEIVE, type FlowTierChange, type FlowTriggerReceiveData } from './flow-trigger.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** What {@link sendPendingFlowTriggers} needs. */
export interface FlowSenderDeps {
  db: Kysely<DB>;
  /** The shop's Admin GraphQL client (`@shopify/shopify-api`, throttle-aware). */
  graphql: ShopGraphql;
  clock: Clock;
  log: Logger;
  /** Spaces the shop's trigger calls (see README: Flow triggers share the shop's Admin API budget). */
  limiter: RateLimiter;
}

/** What one pass did. */
export interface FlowSendResult {
  sent: number;
  /** Flow answered userErrors (e.g. the trigger is not deployed): kept with the message, not retried. */
  rejected: number;
  /** Could not be expressed as a payload (see `FlowPayloadProblem`), or older than {@link FLOW_MAX_AGE_MS}. */
  skipped: number;
}

/**
 * A change older than this when its turn comes is not sent (`skipped`, `stale`): a workflow acting on a tier move
 * from days ago (after an uninstall and reinstall, or a long Flow outage) would act on an old state. A day leaves
 * room for the largest daily rescoring at the default pace (10,000 changes take about 33 minutes).
 */
export const FLOW_MAX_AGE_MS = 24 * 3600_000;

/** Points one `flowTriggerReceive` call reserves: a mutation field costs 10. */
const MUTATION_COST = 10;
const PAGE = 100;

/**
 * Sends the shop's pending tier changes to Shopify Flow, oldest first, one `flowTriggerReceive` each, and marks each
 * row. Each row is marked `sending` (committed) before its call and `sent` after it, so:
 * - a change already `sent` is never sent again, whatever retries or restarts follow;
 * - a call that failed in transport (after the client's own retries) puts the row back to `pending` and throws, so
 *   pg-boss retries the job with backoff;
 * - a process that dies between Shopify's answer and the `sent` mark leaves the row `sending`, and the next pass
 *   sends it again: at most one duplicate per change per crash. Flow's `flowTriggerReceive` takes no idempotency key
 *   (the 2026-07 schema's `@idempotent` directive applies only to mutations that document it), so this window cannot
 *   be closed on our side; a workflow that must not act twice can check the customer's tier first.
 * Runs under the shop's stately job, so one pass per shop at a time.
 */
export async function sendPendingFlowTriggers(deps: FlowSenderDeps, shop: string): Promise<FlowSendResult> {
  const { db, graphql, clock, log, limiter } = deps;
  const result: FlowSendResult = { sent: 0, rejected: 0, skipped: 0 };
  const active = await db.selectFrom('shops').select('status').where('shop_id', '=', shop).executeTakeFirst();
  if (active?.status !== 'active') return result;
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('customer_tier_changes')
      .select([
        'change_id',
        sql<string>`customer_id::text`.as('customer_id'),
        'old_tier',
        'new_tier',
        'churn_probability',
        'churn_horizon_days',
        sql<string | null>`predicted_clv_minor::text`.as('predicted_clv_minor'),
        'currency',
        'changed_at',
      ])
      .where('shop_id', '=', shop)
      .where('flow_state', 'in', ['pending', 'sending'])
      .where('change_id', '>', after)
      .orderBy('change_id')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const changeId = Number(row.change_id);
      after = changeId;
      const change: FlowTierChange = {
        customerId: row.customer_id,
        oldTier: row.old_tier,
        newTier: row.new_tier,
        churnProbability: row.churn_probability,
        churnHorizonDays: row.churn_horizon_days,
        predictedClvMinor: row.predicted_clv_minor === null ? null : Number(row.predicted_clv_minor),
        currency: row.currency,
      };
      const built = churnRiskPayload(change);
      const mark = (state: 'sending' | 'sent' | 'rejected' | 'skipped' | 'pending', extra: { flow_error?: string | null; flow_sent_at?: Date } = {}) =>
        db
          .updateTable('customer_tier_changes')
          .set({ flow_state: state, ...extra, ...(state === 'sending' ? { flow_attempts: sql<number>`flow_attempts + 1` } : {}) })
          .where('shop_id', '=', shop)
          .where('change_id', '=', changeId)
          .execute();
      const problem = clock.now() - new Date(row.changed_at).getTime() > FLOW_MAX_AGE_MS ? 'stale' : built.ok ? null : built.reason;
      if (problem !== null || !built.ok) {
        await mark('skipped', { flow_error: problem });
        result.skipped++;
        log.warn('tier change not sent to Flow', { shop, changeId, reason: problem });
        continue;
      }
      await limiter.take(shop);
      await mark('sending');
      let data: FlowTriggerReceiveData;
      try {
        data = await graphql.request<FlowTriggerReceiveData>(
          FLOW_TRIGGER_RECEIVE,
          { handle: CHURN_RISK_TRIGGER_HANDLE, payload: built.payload },
          MUTATION_COST,
        );
      } catch (error) {
        await mark('pending', { flow_error: (error as Error).message.slice(0, 500) });
        throw error;
      }
      const userErrors = data.flowTriggerReceive?.userErrors ?? [];
      if (userErrors.length > 0) {
        const message = userErrors.map((e) => (e.field ? `${e.field.join('.')}: ${e.message}` : e.message)).join('; ');
        await mark('rejected', { flow_error: message.slice(0, 500) });
        result.rejected++;
        log.warn('Flow rejected a tier change', { shop, changeId, message });
        continue;
      }
      await mark('sent', { flow_sent_at: new Date(clock.now()), flow_error: null });
      result.sent++;
    }
    if (rows.length < PAGE) break;
  }
  if (result.sent + result.rejected + result.skipped > 0) log.info('flow triggers sent', { shop, ...result });
  return result;
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/connect.ts';
import { createTestDatabase } from '../../db/test-database.ts';
import { silentLogger } from '../../log.ts';
import type { ShopGraphql } from '../../shopify/graphql.ts';
import { recordTierChanges } from '../tier-changes/record.ts';
import type { TierChange } from '../tier-changes/detect.ts';
import { CHURN_RISK_TRIGGER_HANDLE } from './flow-trigger.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { sendPendingFlowTriggers } from './send-flow-triggers.ts';

const SHOP = 'flow-sender.myshopify.com';

function change(customerId: string, patch: Partial<TierChange> = {}): TierChange {
  return {
    customerId,
    oldTier: 'low',
    newTier: 'high',
    worsened: true,
    churnProbability: 0.81,
    churnHorizonDays: 90,
    predictedClvMinor: 25_000,
    previousPredictedClvMinor: 40_000,
    currency: 'EUR',
    reasons: [{ code: 'overdue', ratio: 2.5 }],
    changedAtMs: Date.parse('2026-12-01T10:00:00Z'),
    ...patch,
  };
}

/** Shopify's side as the sender sees it: each call recorded; answers scripted per call. */
function shopifyStub() {
  const calls: { handle: unknown; payload: Record<string, unknown> }[] = [];
  let next: (payload: Record<string, unknown>) => unknown = () => ({ flowTriggerReceive: { userErrors: [] } });
  const graphql: ShopGraphql = {
    async request<T>(_query: string, variables?: Record<string, unknown>): Promise<T> {
      const payload = variables!['payload'] as Record<string, unknown>;
      calls.push({ handle: variables!['handle'], payload });
      return next(payload) as T;
    },
  };
  return { graphql, calls, answer: (fn: typeof next) => (next = fn) };
}

describe('sendPendingFlowTriggers', () => {
  let database: Database;
  let now = Date.parse('2026-12-01T10:00:01Z');
  const clock = { now: () => now };
  const limiter = createRateLimiter({ ratePerSecond: 1000, burst: 1000, clock, sleep: async () => undefined });
  const states = async () =>
    (
      await database.db
        .selectFrom('customer_tier_changes')
        .select(['customer_id', 'flow_state', 'flow_attempts', 'flow_error'])
        .where('shop_id', '=', SHOP)
        .orderBy('change_id')
        .execute()
    ).map((r) => ({ ...r, customer_id: String(r.customer_id) }));

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'EUR', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('customer_tier_changes').execute();
    now += 1000;
  });

  it('sends each pending change once, oldest first, with the payload the trigger defines', async () => {
    await recordTierChanges(database.db, SHOP, [change('11'), change('12', { oldTier: 'high', newTier: 'medium', worsened: false, predictedClvMinor: null })]);
    const s = shopifyStub();
    expect(await sendPendingFlowTriggers({ db: database.db, graphql: s.graphql, clock, log: silentLogger, limiter }, SHOP)).toEqual({
      sent: 2,
      rejected: 0,
      skipped: 0,
    });
    expect(s.calls).toEqual([
      {
        handle: CHURN_RISK_TRIGGER_HANDLE,
        payload: { customer_id: 11, 'Old tier': 'low', 'New tier': 'high', 'Churn probability': 0.81, 'Predicted CLV': 250, 'Churn horizon days': 90 },
      },
      {
        handle: CHURN_RISK_TRIGGER_HANDLE,
        payload: { customer_id: 12, 'Old tier': 'high', 'New tier': 'medium', 'Churn probability': 0.81, 'Churn horizon days': 90 },
      },
    ]);
    // A second pass (a retried job, a restart) finds nothing to send.
    expect(await sendPendingFlowTriggers({ db: database.db, graphql: s.graphql, clock, log: silentLogger, limiter }, SHOP)).toEqual({
      sent: 0,
      rejected: 0,
      skipped: 0,
    });
    expect(s.calls).toHaveLength(2);
    expect((await states()).map((r) => [r.flow_state, r.flow_attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
    ]);
  });

  it('puts a change back to pending and throws when the call fails, so the job retries it, and sends it once later', async () => {
    await recordTierChanges(database.db, SHOP, [change('21'), change('22')]);
    const s = shopifyStub();
    s.answer((p) => {
      if (p['customer_id'] === 22) throw new Error('connection reset');
      return { flowTriggerReceive: { userErrors: [] } };
    });
    await expect(sendPendingFlowTriggers({ db: database.db, graphql: s.graphql, clock, log: silentLogger, limiter }, SHOP)).rejects.toThrow('connection reset');
    expect((await states()).map((r) => r.flow_state)).toEqual(['sent', 'pending']);
    s.answer(() => ({ flowTriggerReceive: { userErrors: [] } }));
    expect((await sendPendingFlowTriggers({ db: database.db, graphql: s.graphql, clock, log: silentLogger, limiter }, SHOP)).sent).toBe(1);
    expect(s.calls.map((c) => c.payload['customer_id'])).toEqual([21, 22, 22]);
  });

  it('resends a change left "sending" by a process that died mid-call: at most one duplicate', async () => {
    await recordTierChanges(database.db, SHOP, [change('31')]);
    await database.db.updateTable('customer_tier_changes').set({ flow_state: 'sending', flow_attempts: 1 }).where('shop_id', '=', SHOP).execute();
    const s = shopifyStub();
    expect((await sendPendingFlowTriggers({ db: database.db, graphql: s.graphql, clock, log: silentLogger, limiter }, SHOP)).sent).toBe(1);
    expect((await states())[0]).toMatchObject({ flow_state: 'sent', flow_attempts: 2 });
  });

  it('keeps userErrors as rejected (not retried) and skips an id a JSON number cannot hold', async () => {
    await recordTierChanges(database.db, SHOP, [change('41'), change('9007199254740993')]);
    const s = shopifyStub();
    s.answer(() => ({ flowTriggerReceive: { userErrors: [{ field: ['handle'], message: 'Invalid handle' }] } }));
    expect(await sendPendingFlowTriggers({ db: database.db, graphql: s.graphql, clock, log: silentLogger, limiter }, SHOP)).toEqual({
      sent: 0,
      rejected: 1,
      skipped: 1,
    });
    expect((await states()).map((r) => [r.flow_state, r.flow_error])).toEqual([
      ['rejected', 'handle: Invalid handle'],
      ['skipped', 'unsafe-customer-id'],
    ]);
    expect(s.calls).toHaveLength(1);
  });

  it('skips a change older than a day (after a long outage or a reinstall) instead of sending an old state', async () => {
    await recordTierChanges(database.db, SHOP, [change('61', { changedAtMs: now - 25 * 3600_000 }), change('62', { changedAtMs: now - 23 * 3600_000 })]);
    const s = shopifyStub();
    expect(await sendPendingFlowTriggers({ db: database.db, graphql: s.graphql, clock, log: silentLogger, limiter }, SHOP)).toEqual({
      sent: 1,
      rejected: 0,
      skipped: 1,
    });
    expect((await states()).map((r) => [r.customer_id, r.flow_state, r.flow_error])).toEqual([
      ['61', 'skipped', 'stale'],
      ['62', 'sent', null],
    ]);
  });

  it('sends nothing for a shop that is not active (uninstalled)', async () => {
    await recordTierChanges(database.db, SHOP, [change('51')]);
    await database.db.updateTable('shops').set({ status: 'uninstalled' }).where('shop_id', '=', SHOP).execute();
    const s = shopifyStub();
    expect((await sendPendingFlowTriggers({ db: database.db, graphql: s.graphql, clock, log: silentLogger, limiter }, SHOP)).sent).toBe(0);
    expect(s.calls).toEqual([]);
    await database.db.updateTable('shops').set({ status: 'active' }).where('shop_id', '=', SHOP).execute();
  });
});

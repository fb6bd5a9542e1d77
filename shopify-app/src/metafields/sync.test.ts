import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ShopGraphql, ThrottleStatus } from '../shopify/graphql.ts';
import { runMetafieldSync, type MetafieldSyncDeps } from './sync.ts';

const SHOP = 'metafield-sync.myshopify.com';
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const TIERS = ['low', 'medium', 'high'];

interface SetInput {
  ownerId: string;
  key: string;
  value: string;
}
type Answer = { userErrors: { field: string[]; message: string; code: string; elementIndex: number | null }[] } | Error;

/** A scripted Shopify: answers definitions as present, records every metafieldsSet call, answers them with `answer`. */
function scriptedShopify(
  answer: (inputs: SetInput[], call: number) => Answer | Promise<Answer> = () => ({ userErrors: [] }),
  status: ThrottleStatus | null = null,
) {
  const calls: SetInput[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  // The status is as of the last answer, as a real response reports it.
  let answeredAtMs = Date.now();
  const graphql: ShopGraphql = {
    throttleStatus: () => (status === null ? null : { ...status, atMs: answeredAtMs }),
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      if (query.includes('ClvLensMetafieldDefinitions')) {
        const keys = ['churn_probability', 'churn_horizon_days', 'churn_tier', 'predicted_clv', 'rfm_segment'];
        const types = ['number_decimal', 'number_integer', 'single_line_text_field', 'number_decimal', 'single_line_text_field'];
        return { metafieldDefinitions: { nodes: keys.map((key, i) => ({ key, type: { name: types[i] } })) } } as T;
      }
      const inputs = variables['metafields'] as SetInput[];
      calls.push(inputs);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 2));
        const a = await answer(inputs, calls.length);
        if (a instanceof Error) throw a;
        return { metafieldsSet: a } as T;
      } finally {
        inFlight--;
        answeredAtMs = Date.now();
      }
    },
  };
  return { graphql, calls, maxInFlight: () => maxInFlight };
}

describe('runMetafieldSync', () => {
  let database: Database;
  const deps = (graphql: ShopGraphql, pageSize = 10): MetafieldSyncDeps => ({
    db: database.db,
    graphql,
    clock: { now: () => Date.now() },
    log: quiet,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    pageSize,
  });

  /** Stores `n` scored customers 1..n with change sequences 1..n. */
  const storeInsights = async (n: number, tierOf: (id: number) => string = (id) => TIERS[id % 3]!) => {
    const rows = Array.from({ length: n }, (_, k) => {
      const id = k + 1;
      const payload = {
        customerId: String(id),
        currency: 'USD',
        churnProbability: id / (n + 1),
        churnHorizonDays: 90,
        churnTier: tierOf(id),
        rfmSegment: 'LOYAL',
        predictedClvMinor: id * 1000,
      };
      return {
        shop_id: SHOP,
        customer_id: String(id),
        change_seq: id,
        payload: JSON.stringify(payload),
        churn_probability: payload.churnProbability,
        predicted_clv_minor: payload.predictedClvMinor,
        updated_at: new Date(),
      };
    });
    await database.db.insertInto('customer_insights').values(rows).execute();
  };
  const written = async () =>
    new Map(
      (await database.db.selectFrom('customer_metafield_writes').selectAll().where('shop_id', '=', SHOP).execute()).map((r) => [
        String(r.customer_id),
        { written: JSON.parse(r.written) as Record<string, string>, rejected: JSON.parse(r.rejected) as Record<string, { value: string; message: string }> },
      ]),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    for (const table of ['customer_insights', 'customer_metafield_writes', 'metafield_sync_state', 'shops'] as const)
      await database.db.deleteFrom(table).execute();
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });

  it('writes every value once, 25 a call, and nothing on the next run', async () => {
    await storeInsights(23);
    const s = scriptedShopify();
    const first = await runMetafieldSync(deps(s.graphql), SHOP);
    expect(first).toMatchObject({ customers: 23, written: 115, rejected: 0, stoppedBecause: null });
    expect(s.calls.every((c) => c.length <= 25)).toBe(true);
    expect(s.calls.flat()).toHaveLength(115);
    expect((await written()).get('7')?.written).toEqual({
      churn_probability: '0.292',
      churn_horizon_days: '90',
      churn_tier: 'medium',
      predicted_clv: '70',
      rfm_segment: 'LOYAL',
    });
    const again = await runMetafieldSync(deps(s.graphql), SHOP);
    expect(again).toMatchObject({ customers: 0, calls: 0, written: 0 });
    // Even from the start of the sequence, nothing differs from what Shopify has.
    await database.db.updateTable('metafield_sync_state').set({ synced_seq: 0 }).execute();
    expect(await runMetafieldSync(deps(s.graphql), SHOP)).toMatchObject({ customers: 23, calls: 0, written: 0 });
  });

  it('resumes after a crash at the page it was in, without resending earlier pages', async () => {
    await storeInsights(40);
    // Page of 10 customers = 2 calls; the 6th call (page 3) fails as a killed process would.
    const failing = scriptedShopify((_inputs, call) => (call === 6 ? new Error('connection reset') : { userErrors: [] }));
    await expect(runMetafieldSync(deps(failing.graphql), SHOP)).rejects.toThrow('connection reset');
    const state = await database.db.selectFrom('metafield_sync_state').selectAll().executeTakeFirstOrThrow();
    expect(Number(state.synced_seq)).toBe(20);
    const resumed = scriptedShopify();
    const result = await runMetafieldSync(deps(resumed.graphql), SHOP);
    const owners = new Set(resumed.calls.flat().map((w) => Number(w.ownerId.split('/').pop())));
    // Customers 21..40 only, and none of 21..40 that the failed run had written already (its 5th call) twice.
    expect(Math.min(...owners)).toBeGreaterThan(20);
    expect(result.written + failing.calls.slice(4, 5).flat().length).toBe(20 * 5);
    expect([...(await written()).values()].filter((w) => Object.keys(w.written).length === 5)).toHaveLength(40);
  });

  it('stops at its next call when its signal aborts (the process stops), keeps what Shopify accepted, and its retry sends only the rest', async () => {
    await storeInsights(40);
    const stop = new AbortController();
    // Page of 10 customers = 2 calls; the stop comes while the 5th call (page 3) is in flight.
    const stopped = scriptedShopify((_inputs, call) => {
      if (call === 5) stop.abort();
      return { userErrors: [] };
    });
    const first = await runMetafieldSync({ ...deps(stopped.graphql), signal: stop.signal }, SHOP);
    expect(first).toMatchObject({ stoppedBecause: 'the job was handed back (its process is stopping, or another took it over)', written: 5 * 25 });
    expect(stopped.calls).toHaveLength(5);
    const state = await database.db.selectFrom('metafield_sync_state').selectAll().executeTakeFirstOrThrow();
    // The checkpoint stays before page 3; the stop is not the shop's problem, so no message for the merchant.
    expect(Number(state.synced_seq)).toBe(20);
    expect(state.message).toBeNull();
    const resumed = scriptedShopify();
    const rest = await runMetafieldSync(deps(resumed.graphql), SHOP);
    expect(rest.stoppedBecause).toBeNull();
    // Every value written once over both runs: the accepted 5th call is not sent again.
    expect(first.written + rest.written).toBe(40 * 5);
    expect(stopped.calls.flat().length + resumed.calls.flat().length).toBe(40 * 5);
    expect([...(await written()).values()].filter((w) => Object.keys(w.written).length === 5)).toHaveLength(40);
  });

  it('sends nothing when its signal aborted before it started', async () => {
    await storeInsights(5);
    const s = scriptedShopify();
    const result = await runMetafieldSync({ ...deps(s.graphql), signal: AbortSignal.abort() }, SHOP);
    expect(result).toMatchObject({ stoppedBecause: 'the job was handed back (its process is stopping, or another took it over)', calls: 0 });
    expect(s.calls).toHaveLength(0);
  });

  it('deletes predicted CLV when the customer no longer has one', async () => {
    await storeInsights(3);
    const s = scriptedShopify();
    await runMetafieldSync(deps(s.graphql), SHOP);
    await database.db
      .updateTable('customer_insights')
      .set({
        payload: JSON.stringify({
          customerId: '2',
          currency: 'USD',
          churnProbability: 0.5,
          churnHorizonDays: 90,
          churnTier: 'high',
          rfmSegment: 'LOYAL',
          predictedClvMinor: null,
        }),
        predicted_clv_minor: null,
        change_seq: 4,
      })
      .where('customer_id', '=', '2')
      .execute();
    const deletes: unknown[] = [];
    const graphql: ShopGraphql = {
      request: async <T>(query: string, variables: Record<string, unknown> = {}) => {
        if (query.includes('metafieldsDelete')) {
          deletes.push(variables['metafields']);
          return { metafieldsDelete: { userErrors: [] } } as T;
        }
        return s.graphql.request<T>(query, variables);
      },
    };
    const result = await runMetafieldSync(deps(graphql), SHOP);
    // Its other values are unchanged: one delete, no write.
    expect(result).toMatchObject({ deleted: 1, written: 0, calls: 1 });
    expect(deletes).toEqual([[{ ownerId: 'gid://shopify/Customer/2', namespace: '$app:clvlens', key: 'predicted_clv' }]]);
    expect((await written()).get('2')?.written).not.toHaveProperty('predicted_clv');
    expect(await runMetafieldSync(deps(graphql), SHOP)).toMatchObject({ calls: 0 });
  });

  it("rejects only the inputs Shopify names and sends the call's other inputs again", async () => {
    await storeInsights(5);
    const s = scriptedShopify((inputs) => {
      const i = inputs.findIndex((w) => w.ownerId.endsWith('/3') && w.key === 'churn_tier');
      return i < 0
        ? { userErrors: [] }
        : {
            userErrors: [
              { field: ['metafields', String(i), 'value'], message: 'Value does not exist in provided choices.', code: 'INVALID_VALUE', elementIndex: i },
            ],
          };
    });
    const result = await runMetafieldSync(deps(s.graphql), SHOP);
    expect(result).toMatchObject({ written: 24, rejected: 1, calls: 2 });
    expect(s.calls[1]).toHaveLength(24);
    const three = (await written()).get('3')!;
    expect(three.rejected).toEqual({ churn_tier: { value: 'low', message: 'INVALID_VALUE: Value does not exist in provided choices.' } });
    expect(Object.keys(three.written).sort()).toEqual(['churn_horizon_days', 'churn_probability', 'predicted_clv', 'rfm_segment']);
    // The same refused value is not sent again.
    await database.db.updateTable('metafield_sync_state').set({ synced_seq: 0 }).execute();
    expect(await runMetafieldSync(deps(s.graphql), SHOP)).toMatchObject({ calls: 0 });
  });

  it('fails the run on an error that names no input, keeping what was accepted before it', async () => {
    await storeInsights(10);
    const s = scriptedShopify((_i, call) =>
      call === 2 ? { userErrors: [{ field: ['metafields'], message: 'Internal error', code: 'INTERNAL_ERROR', elementIndex: null }] } : { userErrors: [] },
    );
    await expect(runMetafieldSync(deps(s.graphql, 10), SHOP)).rejects.toThrow(AppError);
    expect([...(await written()).values()].filter((w) => Object.keys(w.written).length === 5)).toHaveLength(5);
  });

  it('fails the run instead of looping when the errors name inputs the call does not have', async () => {
    await storeInsights(2);
    const s = scriptedShopify(() => ({ userErrors: [{ field: ['metafields', '99'], message: 'Invalid', code: 'INVALID', elementIndex: 99 }] }));
    await expect(runMetafieldSync(deps(s.graphql), SHOP)).rejects.toThrow(/name no input/);
    expect(s.calls).toHaveLength(1);
  });

  it('stops with a message when the shop has not granted write_customers', async () => {
    await storeInsights(3);
    const s = scriptedShopify(
      () => new AppError('shopify-request', 'GraphQL error for shop: Access denied for metafieldsSet field. Required access: `write_customers` access scope.'),
    );
    const result = await runMetafieldSync(deps(s.graphql), SHOP);
    expect(result.stoppedBecause).toMatch(/write_customers/);
    const state = await database.db.selectFrom('metafield_sync_state').selectAll().executeTakeFirstOrThrow();
    expect(state.message).toMatch(/write_customers/);
    expect(Number(state.synced_seq)).toBe(0);
  });

  it('keeps several calls in flight when the restore rate pays for them, within the bucket', async () => {
    await storeInsights(500);
    const plus = scriptedShopify(undefined, { maximumAvailable: 20_000, currentlyAvailable: 20_000, restoreRate: 1000 });
    await runMetafieldSync(deps(plus.graphql, 500), SHOP);
    expect(plus.calls).toHaveLength(100);
    expect(plus.maxInFlight()).toBeGreaterThan(3);
    expect(plus.maxInFlight()).toBeLessThanOrEqual(30);
    // A bucket down to the reserve the sync leaves for other calls (1,000 of 2,000): the sync waits for the restore
    // instead of sending into THROTTLED answers or taking the reserve.
    await database.db.deleteFrom('customer_metafield_writes').where('customer_id', '<=', '20').execute();
    await database.db.updateTable('metafield_sync_state').set({ synced_seq: 0 }).execute();
    const empty = scriptedShopify(undefined, { maximumAvailable: 2_000, currentlyAvailable: 1_000, restoreRate: 100 });
    const started = Date.now();
    const result = await runMetafieldSync(deps(empty.graphql, 500), SHOP);
    expect(result).toMatchObject({ calls: 4, written: 100 });
    // Every answer reports the bucket at the reserve: the 3 calls after the first wait for their points (11 each, 100 a
    // second).
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 110);
  }, 30_000);
});

import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Clock, Logger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { DEFINITIONS_VERSION, ensureMetafieldDefinitions, METAFIELD_NAMESPACE } from './definitions.ts';
import { changedValues, metafieldValuesOf, planCalls, removedKeys, METAFIELDS_PER_CALL, type PlannedWrite, type RejectedValue } from './plan.ts';
import { callsInFlightFor, METAFIELDS_SET_REQUESTED_COST, waitMsFor } from './throttle.ts';

/** Dependencies of {@link runMetafieldSync}. */
export interface MetafieldSyncDeps {
  db: Kysely<DB>;
  graphql: ShopGraphql;
  clock: Clock;
  log: Logger;
  sleep: (ms: number) => Promise<void>;
  /** Customers read (and checkpointed) per page. Default 1000 (at most 200 calls redone after a crash). */
  pageSize?: number;
  /**
   * Aborted when the run must end early (its process is stopping, or its job was taken over): no new call is sent, what Shopify accepted is
   * stored and the checkpoint stays where it was, so the next run (the job's retry) sends only the rest.
   */
  signal?: AbortSignal;
}

/** What one run did. */
export interface MetafieldSyncResult {
  /** Customers whose values were compared. */
  customers: number;
  /** `metafieldsSet` calls sent (retries after a partial rejection included). */
  calls: number;
  /** Metafield values Shopify accepted. */
  written: number;
  /** Metafield values Shopify rejected (each logged with its reason). */
  rejected: number;
  /** Metafields deleted because the customer no longer has that value (predicted CLV without a CLV model). */
  deleted: number;
  definitionsCreated: number;
  /** Why the run stopped before the end (a missing scope); null when it finished. */
  stoppedBecause: string | null;
}

const METAFIELDS_SET = /* GraphQL */ `
  #graphql
  mutation ClvLensMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;

const METAFIELDS_DELETE = /* GraphQL */ `
  #graphql
  mutation ClvLensMetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      userErrors {
        field
        message
      }
    }
  }
`;

interface DeleteData {
  metafieldsDelete: { userErrors: { field: string[] | null; message: string }[] } | null;
}

interface SetData {
  metafieldsSet: { userErrors: { field: string[] | null; message: string; code: string | null; elementIndex: number | null }[] } | null;
}

interface Row {
  customer_id: string;
  change_seq: number;
  deleted: boolean;
  churn_probability: number;
  predicted_clv_minor: number | string | null;
  churn_tier: string | null;
  churn_horizon_days: string | null;
  rfm_segment: string | null;
  currency: string | null;
  written: string | null;
  rejected: string | null;
}

/** A customer's state while a page is synced. */
interface CustomerState {
  written: Record<string, string>;
  rejected: Record<string, RejectedValue>;
  dirty: boolean;
}

/** Access-denied answers mean the shop has not granted `write_customers` yet (installed before the app asked for it). */
function isMissingScope(error: unknown): boolean {
  return error instanceof AppError && /ACCESS_DENIED|Access denied|write_customers/.test(error.message);
}

/**
 * Writes the shop's predictions to its customers' app-owned metafields, for every customer whose values changed since
 * Shopify last accepted them. Reads the insights changed after the shop's checkpoint (`change_seq`), in pages; per page
 * it plans `metafieldsSet` calls of 25, sends several at once within the leaky bucket that responses report, and then
 * stores what Shopify accepted together with the new checkpoint, so a restart resumes at the page it was in and a
 * second run writes nothing. `metafieldsSet` is atomic: when Shopify rejects some inputs of a call, the others are sent
 * again without them, and each rejected value is logged and kept so it is not sent again until it changes.
 */
export async function runMetafieldSync(deps: MetafieldSyncDeps, shop: string): Promise<MetafieldSyncResult> {
  const { db, graphql, clock, log } = deps;
  const pageSize = deps.pageSize ?? 1000;
  const result: MetafieldSyncResult = { customers: 0, calls: 0, written: 0, rejected: 0, deleted: 0, definitionsCreated: 0, stoppedBecause: null };
  await db
    .insertInto('metafield_sync_state')
    .values({ shop_id: shop })
    .onConflict((oc) => oc.column('shop_id').doNothing())
    .execute();
  const state = await db.selectFrom('metafield_sync_state').selectAll().where('shop_id', '=', shop).executeTakeFirstOrThrow();

  const stop = async (reason: string): Promise<MetafieldSyncResult> => {
    result.stoppedBecause = reason;
    log.warn('metafield sync stopped', { shop, reason });
    await db
      .updateTable('metafield_sync_state')
      .set({ message: reason, last_run_at: new Date(clock.now()) })
      .where('shop_id', '=', shop)
      .execute();
    return result;
  };

  if (state.definitions_version !== DEFINITIONS_VERSION) {
    try {
      result.definitionsCreated = (await ensureMetafieldDefinitions(graphql, shop)).length;
    } catch (error) {
      if (isMissingScope(error)) return stop('The shop has not granted write_customers: approve the updated app access in Shopify admin.');
      throw error;
    }
    await db.updateTable('metafield_sync_state').set({ definitions_version: DEFINITIONS_VERSION }).where('shop_id', '=', shop).execute();
  }

  let cursor = Number(state.synced_seq);
  for (;;) {
    if (deps.signal?.aborted) return abandoned(deps, shop, result);
    // The payload (text) parsed once for its four fields: with four `payload::json->>` it was parsed four times, about
    // 30 µs a row of PostgreSQL's time against 10 µs (1 KB payloads).
    const { rows } = await sql<Row>`
      SELECT ci.customer_id::text AS customer_id, ci.change_seq, ci.deleted, ci.churn_probability, ci.predicted_clv_minor,
        p."churnTier" AS churn_tier, p."churnHorizonDays" AS churn_horizon_days, p."rfmSegment" AS rfm_segment,
        p.currency, w.written, w.rejected
      FROM customer_insights ci
      LEFT JOIN customer_metafield_writes w ON w.shop_id = ci.shop_id AND w.customer_id = ci.customer_id
      LEFT JOIN LATERAL json_to_record(ci.payload::json)
        AS p("churnTier" text, "churnHorizonDays" text, "rfmSegment" text, currency text) ON true
      WHERE ci.shop_id = ${shop} AND ci.change_seq > ${cursor}
      ORDER BY ci.change_seq
      LIMIT ${pageSize}`.execute(db);
    if (rows.length === 0) break;
    const pageEnd = Number((rows[rows.length - 1] as Row).change_seq);
    const customers = new Map<string, CustomerState>();
    const gone: string[] = [];
    const writes: PlannedWrite[] = [];
    const removals: { customerId: string; key: string }[] = [];
    for (const row of rows) {
      if (row.deleted || row.churn_tier === null) {
        // A deleted customer's metafields go with it in Shopify; only the record of what was written is dropped.
        if (row.written !== null) gone.push(row.customer_id);
        continue;
      }
      const st: CustomerState = {
        written: JSON.parse(row.written ?? '{}') as Record<string, string>,
        rejected: JSON.parse(row.rejected ?? '{}') as Record<string, RejectedValue>,
        dirty: false,
      };
      customers.set(row.customer_id, st);
      const values = metafieldValuesOf({
        customerId: row.customer_id,
        churnProbability: Number(row.churn_probability),
        churnHorizonDays: Number(row.churn_horizon_days),
        churnTier: row.churn_tier,
        predictedClvMinor: row.predicted_clv_minor === null ? null : Number(row.predicted_clv_minor),
        rfmSegment: row.rfm_segment ?? '',
        currency: row.currency ?? '',
      });
      writes.push(...changedValues(row.customer_id, values, st.written, st.rejected));
      for (const key of removedKeys(values, st.written)) removals.push({ customerId: row.customer_id, key });
    }
    result.customers += customers.size;

    const flush = async (advanceTo: number | null): Promise<void> => {
      const dirty = [...customers].filter(([, st]) => st.dirty);
      const now = new Date(clock.now()).toISOString();
      await db.transaction().execute(async (trx) => {
        if (dirty.length > 0) {
          await sql`
            INSERT INTO customer_metafield_writes (shop_id, customer_id, written, rejected, updated_at)
            SELECT ${shop}, id, w, r, ${now}::timestamptz
            FROM unnest(${dirty.map(([id]) => id)}::bigint[], ${dirty.map(([, st]) => JSON.stringify(st.written))}::text[],
                        ${dirty.map(([, st]) => JSON.stringify(st.rejected))}::text[]) AS t(id, w, r)
            ON CONFLICT (shop_id, customer_id) DO UPDATE SET written = excluded.written, rejected = excluded.rejected, updated_at = excluded.updated_at`.execute(
            trx,
          );
        }
        if (advanceTo === null) return;
        if (gone.length > 0) {
          await sql`DELETE FROM customer_metafield_writes WHERE shop_id = ${shop} AND customer_id = ANY(${gone}::bigint[])`.execute(trx);
        }
        await sql`UPDATE metafield_sync_state SET synced_seq = ${advanceTo} WHERE shop_id = ${shop}`.execute(trx);
      });
    };
    try {
      await sendCalls(deps, shop, planCalls(writes), customers, result);
      await deleteRemoved(deps, shop, removals, customers, result);
    } catch (error) {
      // Keep what Shopify accepted before the failure; the checkpoint stays, so the next run redoes only the rest.
      await flush(null);
      if (isMissingScope(error)) return stop('The shop has not granted write_customers: approve the updated app access in Shopify admin.');
      throw error;
    }
    if (deps.signal?.aborted) {
      // Calls of this page were left unsent: keep what was accepted, and leave the checkpoint before the page.
      await flush(null);
      return abandoned(deps, shop, result);
    }
    await flush(pageEnd);
    cursor = pageEnd;
    if (rows.length < pageSize) break;
  }
  await db
    .updateTable('metafield_sync_state')
    .set({ last_run_at: new Date(clock.now()), last_written: result.written, last_rejected: result.rejected, message: null })
    .where('shop_id', '=', shop)
    .execute();
  if (result.written + result.rejected + result.deleted > 0) log.info('metafields synced', { shop, ...result });
  return result;
}

/** A run ended by its signal: logged, not recorded as the shop's sync state (nothing is wrong with the shop). */
function abandoned(deps: MetafieldSyncDeps, shop: string, result: MetafieldSyncResult): MetafieldSyncResult {
  result.stoppedBecause = 'the job was handed back (its process is stopping, or another took it over)';
  deps.log.info('metafield sync stopped before the end; its retry resumes it', { shop, written: result.written });
  return result;
}

/** Deletes the metafields whose value the customer no longer has (rare: one call of up to 25 at a time). */
async function deleteRemoved(
  deps: MetafieldSyncDeps,
  shop: string,
  removals: readonly { customerId: string; key: string }[],
  customers: Map<string, CustomerState>,
  result: MetafieldSyncResult,
): Promise<void> {
  for (let from = 0; from < removals.length && deps.signal?.aborted !== true; from += METAFIELDS_PER_CALL) {
    const batch = removals.slice(from, from + METAFIELDS_PER_CALL);
    for (;;) {
      const wait = waitMsFor(deps.graphql.throttleStatus?.() ?? null, deps.clock.now(), METAFIELDS_SET_REQUESTED_COST, 0);
      if (wait <= 0) break;
      await deps.sleep(wait);
    }
    result.calls++;
    const data = await deps.graphql.request<DeleteData>(
      METAFIELDS_DELETE,
      { metafields: batch.map((r) => ({ ownerId: `gid://shopify/Customer/${r.customerId}`, namespace: METAFIELD_NAMESPACE, key: r.key })) },
      METAFIELDS_SET_REQUESTED_COST,
    );
    const errors = data.metafieldsDelete?.userErrors ?? [];
    if (errors.length > 0) throw new AppError('shopify-request', `${shop}: metafieldsDelete failed: ${errors.map((e) => e.message).join('; ')}`);
    for (const r of batch) {
      const st = customers.get(r.customerId);
      if (!st) continue;
      delete st.written[r.key];
      st.dirty = true;
      result.deleted++;
    }
  }
}

/**
 * Sends the planned calls, several at once: the first alone (its answer reports the bucket), then as many in flight
 * as the restore rate can pay for ({@link callsInFlightFor}), each waiting until the bucket, minus the points of the
 * calls still in flight, holds its cost. THROTTLED answers are waited out and retried by the GraphQL client.
 */
async function sendCalls(
  deps: MetafieldSyncDeps,
  shop: string,
  calls: PlannedWrite[][],
  customers: Map<string, CustomerState>,
  result: MetafieldSyncResult,
): Promise<void> {
  const queue = [...calls];
  let inFlight = 0;
  const sendOne = async (call: PlannedWrite[]): Promise<void> => {
    for (;;) {
      const wait = waitMsFor(
        deps.graphql.throttleStatus?.() ?? null,
        deps.clock.now(),
        METAFIELDS_SET_REQUESTED_COST,
        inFlight * METAFIELDS_SET_REQUESTED_COST,
      );
      if (wait <= 0) break;
      await deps.sleep(wait);
    }
    inFlight++;
    let data: SetData;
    try {
      result.calls++;
      data = await deps.graphql.request<SetData>(
        METAFIELDS_SET,
        { metafields: call.map((w) => ({ ownerId: `gid://shopify/Customer/${w.customerId}`, namespace: METAFIELD_NAMESPACE, key: w.key, value: w.value })) },
        METAFIELDS_SET_REQUESTED_COST,
      );
    } finally {
      inFlight--;
    }
    const errors = data.metafieldsSet?.userErrors ?? [];
    if (errors.length === 0) {
      for (const w of call) accept(w);
      return;
    }
    // The call was atomic: nothing of it was written. Inputs named by an error are rejected; the others go again.
    const bad = new Map<number, string>();
    for (const e of errors) {
      const index = e.elementIndex ?? null;
      if (index === null) {
        throw new AppError('shopify-request', `${shop}: metafieldsSet failed for the whole call: ${e.code ?? 'ERROR'} ${e.message}`);
      }
      bad.set(index, `${bad.has(index) ? `${bad.get(index)}; ` : ''}${e.code ?? 'ERROR'}: ${e.message}`);
    }
    if (![...bad.keys()].some((index) => index >= 0 && index < call.length)) {
      // Nothing to set aside, so sending the rest again would loop: report it as a failed call.
      throw new AppError('shopify-request', `${shop}: metafieldsSet errors name no input of the call: ${[...bad.values()].join('; ')}`);
    }
    for (const [index, message] of bad) {
      const w = call[index];
      if (w === undefined) continue;
      reject(w, message);
    }
    const rest = call.filter((_, i) => !bad.has(i));
    if (rest.length > 0) queue.push(rest);
  };
  const accept = (w: PlannedWrite): void => {
    const st = customers.get(w.customerId);
    if (!st) return;
    st.written[w.key] = w.value;
    delete st.rejected[w.key];
    st.dirty = true;
    result.written++;
  };
  const reject = (w: PlannedWrite, message: string): void => {
    const st = customers.get(w.customerId);
    if (!st) return;
    st.rejected[w.key] = { value: w.value, message };
    st.dirty = true;
    result.rejected++;
    deps.log.warn('metafield value rejected by Shopify', { shop, customerId: w.customerId, key: w.key, value: w.value, reason: message });
  };

  const first = queue.shift();
  if (first === undefined) return;
  await sendOne(first);
  const status = deps.graphql.throttleStatus?.() ?? null;
  const workers = status === null ? 1 : callsInFlightFor(status.restoreRate);
  let failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (failure === null && deps.signal?.aborted !== true) {
      const call = queue.shift();
      if (call === undefined) return;
      try {
        await sendOne(call);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, () => worker()));
  if (failure !== null) throw failure;
}

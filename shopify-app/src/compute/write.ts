import type { CustomerInsightV1 } from '@clvlens/core';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { copyBinaryRows, transactionOnConnection } from '../db/copy.ts';
import { PREPARED } from '../db/named-statements.ts';
import type { DB } from '../db/schema.ts';
import type { CustomerRange } from './load.ts';
import { findTierChanges, type TierChange } from '../actions/tier-changes/detect.ts';
import { recordTierChanges } from '../actions/tier-changes/record.ts';
import { dequeueEntries, idRange, type DequeuedEntries } from '../ingest/store.ts';

/** A computed insight ready to store; `updatedAtMs` is filled in here when the record changed. */
export type InsightDraft = Omit<CustomerInsightV1, 'updatedAtMs'>;

export type { DequeuedEntries };

/**
 * From this many insights on, a write on PostgreSQL sends the changed ones with COPY into a temporary table and writes
 * them from there: about 9 µs a row instead of 20 for the `unnest` of six arrays (a JSON payload's quotes are escaped
 * once more inside a text[] literal, and PostgreSQL parses that literal back). The COPY comes before the shop row lock,
 * which serialises the writers of a shop across processes (those of a full run go one after another).
 */
const COPY_MIN_ROWS = 500;

/** What {@link writeInsights} did. */
export interface InsightWriteResult {
  changed: number;
  deleted: number;
  /** Of the changed, how many customers had no stored row before (new rows in the table, for {@link StatisticsKeeper}). */
  inserted: number;
  /** The rows written, in sequence order (for the feed cache). */
  writes: { customerId: string; seq: number; payload: string | null }[];
  tierChanges: TierChange[];
}

/**
 * Writes the new insights of the customers in `scope`, touching only what changed: a customer whose computed record
 * equals the stored one keeps its change sequence, a changed one gets the next sequence, and a stored customer of the
 * scope that is no longer computed (deleted, redacted, no counted order left) becomes a tombstone. The scope is a list
 * of customer ids, or a range of them: then every stored insight in the range is in scope, read with the stored ones
 * the comparison needs (a split run's chunk, whose drafts are the range's computed customers). Runs write a
 * bounded scope at a time (the queued customers, or a chunk of a full run), so one transaction never covers a whole
 * large shop. Sequences come from `shops.insight_seq`,
 * taken under that row's lock, so they are handed out in commit order and a feed reader never skips a change.
 * `dequeue` entries are removed from `recompute_queue` in the same transaction, so a crash before the commit leaves
 * them queued. Customers whose churn tier moved are recorded in the same transaction (actions/tier-changes/).
 * @returns how many insights changed, how many became tombstones, and the tier changes recorded.
 */
export async function writeInsights(
  db: Kysely<DB>,
  shop: string,
  drafts: readonly InsightDraft[],
  nowMs: number,
  options: {
    scope: readonly string[] | CustomerRange;
    /** The shop's IANA time zone: the days of the reasons recorded with a tier change are its calendar days. */
    timeZone: string;
    dequeue?: DequeuedEntries;
    /**
     * Leaves alone the customers whose stored insight has a change sequence above this: written by another run after
     * the caller read its orders (a split full run's bucket, split-run.ts), so newer than what the caller computed.
     */
    keepWrittenAfterSeq?: number;
    /** The PostgreSQL pool behind `db`, for COPY (see {@link COPY_MIN_ROWS}); absent on PGlite. */
    pool?: pg.Pool | null;
  },
): Promise<InsightWriteResult> {
  const pool = options.pool ?? null;
  // The payloads are made before the transaction: its first statement takes the shop row lock, which every writer of
  // the shop waits for (a split run's buckets in other processes included), so only database work is done under it.
  const bodies = drafts.map((draft) => JSON.stringify(draft));
  // The payload as stored: the body with its update time (the comparison with the stored insight leaves that out).
  const stamped = bodies.map((body) => `${body.slice(0, -1)},"updatedAtMs":${nowMs}}`);
  if (pool !== null && drafts.length >= COPY_MIN_ROWS) return transactionOnConnection(pool, (trx, client) => write(trx, client));
  return db.transaction().execute((trx) => write(trx, null));

  async function write(trx: Kysely<DB>, client: pg.PoolClient | null) {
    // The stored insights of the scope are read before the shop row lock, with the sequence they were read at: under
    // the lock a writer of the shop holds every other, and in a shop's next-day full run, which rewrites nearly every
    // insight, reading a chunk's 5,000 stored payloads there was 43 ms of the about 150 ms each chunk held it.
    // Every writer bumps `shops.insight_seq` under that lock in the transaction that writes its rows, so what was
    // committed after this read has a sequence above `readAtSeq`: once the lock is held, those rows alone are read
    // again (none when no other writer came in between). The three statements on the shop row are prepared
    // (db/named-statements.ts): keyed by its primary key, they were planned at every write of every recompute.
    const readAt = await sql<{ insight_seq: number }>`${sql.raw(PREPARED)}SELECT insight_seq FROM shops WHERE shop_id = ${shop}`.execute(trx);
    if (readAt.rows.length === 0) return nothingWritten();
    const readAtSeq = Number(readAt.rows[0]!.insight_seq);
    const stored = createStoredComparison(drafts, bodies, options.keepWrittenAfterSeq);
    stored.take((await storedInsights(trx, shop, options.scope)).rows);
    // Compared once, before the lock; again under it only if what is stored was read again there.
    let changed = stored.changed();
    const staged = client === null ? null : await stageChanged(trx, client, drafts, stamped, stored, changed);
    // The shop row lock serialises writers of one shop (two processes on one PostgreSQL included).
    const locked = await sql<LockedShop>`${sql.raw(PREPARED)}
      SELECT insight_seq, last_write_after_seq, last_write_low_customer::text AS low, last_write_high_customer::text AS high
      FROM shops WHERE shop_id = ${shop} FOR UPDATE`.execute(trx);
    if (locked.rows.length === 0) return nothingWritten();
    const seqBefore = Number(locked.rows[0]!.insight_seq);
    if (mayHaveWrittenSince(locked.rows[0]!, readAtSeq, options.scope)) {
      stored.take((await storedInsights(trx, shop, options.scope, readAtSeq)).rows);
      changed = stored.changed();
    }
    const plan = planSequences(drafts, stamped, stored, changed, seqBefore);
    // The staged drafts are those to write unless another writer changed some of them since they were staged (read
    // again above): then the plan's arrays carry them all.
    const fromStaging = staged !== null && (staged.drafts === changed || sameNumbers(staged.drafts, changed)) ? staged : null;
    await applyPlan(trx, shop, plan, fromStaging, seqBefore, new Date(nowMs).toISOString());
    const tierChanges = findTierChanges(stored.body, plan.changedDrafts, nowMs, options.timeZone);
    await recordTierChanges(trx, shop, tierChanges);
    if (plan.lastSeq !== seqBefore) {
      const [low, high] = idRange([...plan.ids, ...plan.gone]);
      await sql`${sql.raw(PREPARED)}UPDATE shops SET insight_seq = ${plan.lastSeq}, last_write_after_seq = ${seqBefore},
        last_write_low_customer = ${low}::bigint, last_write_high_customer = ${high}::bigint WHERE shop_id = ${shop}`.execute(trx);
    }
    if (options.dequeue) await dequeueEntries(trx, shop, options.dequeue);
    const writes = [
      ...plan.ids.map((id, k) => ({ customerId: id, seq: plan.seqs[k]!, payload: plan.payloads[k]! })),
      ...plan.gone.map((id, k) => ({ customerId: id, seq: plan.goneSeqs[k]!, payload: null })),
    ];
    return { changed: plan.ids.length, deleted: plan.gone.length, inserted: plan.inserted, writes, tierChanges };
  }
}

/** What {@link writeInsights} returns when the shop is gone (uninstalled and erased meanwhile). */
const nothingWritten = (): InsightWriteResult => ({ changed: 0, deleted: 0, inserted: 0, writes: [], tierChanges: [] });

/** The stored insights of a write's scope, held against its drafts (see {@link createStoredComparison}). */
interface StoredComparison {
  /** Each stored customer's body without its update time; null for a tombstone. */
  body: Map<string, string | null>;
  /** Customers written by another run after the caller read its orders ({@link writeInsights}'s `keepWrittenAfterSeq`). */
  newer: Set<string>;
  /** Takes stored rows read now (a customer read again replaces what was read before). */
  take(rows: readonly StoredInsightRow[]): void;
  /** The drafts that differ from what is stored (by index, in order): those to write. */
  changed(): number[];
}

function createStoredComparison(drafts: readonly InsightDraft[], bodies: readonly string[], keepWrittenAfterSeq: number | undefined): StoredComparison {
  const body = new Map<string, string | null>();
  const newer = new Set<string>();
  return {
    body,
    newer,
    take(rows) {
      for (const row of rows) {
        if (keepWrittenAfterSeq !== undefined && Number(row.change_seq) > keepWrittenAfterSeq) {
          body.delete(row.customer_id);
          newer.add(row.customer_id);
        } else {
          newer.delete(row.customer_id);
          body.set(row.customer_id, row.deleted ? null : bodyWithoutUpdatedAt(row.body));
        }
      }
    },
    changed() {
      const changed: number[] = [];
      for (let d = 0; d < drafts.length; d++) {
        const id = drafts[d]!.customerId;
        if (!newer.has(id) && body.get(id) !== bodies[d]) changed.push(d);
      }
      return changed;
    },
  };
}

/** The drafts sent into the staging table, each with its place among them, and the id range of the stored ones. */
interface StagedDrafts {
  drafts: number[];
  newCount: number;
  storedLow: string;
  storedHigh: string;
}

/**
 * On the COPY path the drafts that differ from the stored insights just read are sent into the staging table before
 * the shop row lock, each with its place among them: the transfer (about 40 ms for 5,000 insights) does not hold the
 * other writers of the shop, which waited 26-46 s in total for it in a 10,000,000-order split run. Under the lock the
 * k-th of them gets the sequence after the lock's plus k, so the stored rows are updated from the staging table by a
 * join on the customer id alone, and the new ones inserted from it ({@link applyPlan}). Rewriting a chunk of 5,000 on
 * a table of 1,000,000 insights took a median of 121 ms as an upsert joined with an array of sequences, 85 ms this way.
 */
async function stageChanged(
  trx: Kysely<DB>,
  client: pg.PoolClient,
  drafts: readonly InsightDraft[],
  stamped: readonly string[],
  stored: StoredComparison,
  changed: number[],
): Promise<StagedDrafts> {
  const storedIds = changed.filter((d) => stored.body.has(drafts[d]!.customerId)).map((d) => drafts[d]!.customerId);
  const [storedLow, storedHigh] = idRange(storedIds);
  if (changed.length > 0) {
    await sql
      .raw(
        `CREATE TEMP TABLE IF NOT EXISTS ${STAGING_INSIGHTS} (customer_id bigint, payload text, historic_clv_minor bigint,
          churn_probability float8, predicted_clv_minor bigint, ord bigint, is_new boolean) ON COMMIT DROP`,
      )
      .execute(trx);
    await copyBinaryRows(
      client,
      `COPY ${STAGING_INSIGHTS} FROM STDIN WITH (FORMAT binary)`,
      changed.map((d, k) => [d, k + 1] as const),
      (w, [d, ord]) => {
        const draft = drafts[d]!;
        w.row(7);
        w.int8Text(draft.customerId);
        w.text(stamped[d]!);
        w.int8(draft.historicClvMinor);
        w.float8(draft.churnProbability);
        if (draft.predictedClvMinor === null) w.null();
        else w.int8(draft.predictedClvMinor);
        w.int8(ord);
        w.bool(!stored.body.has(draft.customerId));
      },
    );
  }
  return { drafts: changed, newCount: changed.length - storedIds.length, storedLow, storedHigh };
}

/** The rows a write changes, with the sequences handed out under the shop row lock. */
interface WritePlan {
  /** Changed customers, their drafts, sequences, stored payloads and the three numeric columns, in sequence order. */
  ids: string[];
  changedDrafts: InsightDraft[];
  seqs: number[];
  payloads: string[];
  clv: number[];
  churn: number[];
  predicted: (number | null)[];
  /** Of the changed, those with no stored row before. */
  inserted: number;
  /** Stored customers of the scope no longer computed: they become tombstones, after the changed ones. */
  gone: string[];
  goneSeqs: number[];
  /** The last sequence handed out (`seqBefore` when nothing changed). */
  lastSeq: number;
}

/** Hands out the sequences after `seqBefore`: first to the changed drafts in order, then to the tombstones. */
function planSequences(
  drafts: readonly InsightDraft[],
  stamped: readonly string[],
  stored: StoredComparison,
  changed: readonly number[],
  seqBefore: number,
): WritePlan {
  const plan: WritePlan = {
    ids: [],
    changedDrafts: [],
    seqs: [],
    payloads: [],
    clv: [],
    churn: [],
    predicted: [],
    inserted: 0,
    gone: [],
    goneSeqs: [],
    lastSeq: seqBefore,
  };
  let seq = seqBefore;
  for (const d of changed) {
    const draft = drafts[d]!;
    if (!stored.body.has(draft.customerId)) plan.inserted++;
    seq++;
    plan.ids.push(draft.customerId);
    plan.changedDrafts.push(draft);
    plan.seqs.push(seq);
    plan.payloads.push(stamped[d]!);
    plan.clv.push(draft.historicClvMinor);
    plan.churn.push(draft.churnProbability);
    plan.predicted.push(draft.predictedClvMinor);
  }
  const seen = new Set<string>();
  for (const draft of drafts) if (!stored.newer.has(draft.customerId)) seen.add(draft.customerId);
  for (const [id, body] of stored.body) {
    if (!seen.has(id) && body !== null) {
      seq++;
      plan.gone.push(id);
      plan.goneSeqs.push(seq);
    }
  }
  plan.lastSeq = seq;
  return plan;
}

/**
 * Writes the plan's rows: the changed insights from the staging table when `staged` holds them (an update of the
 * stored ones by customer id, an insert of the new), else as `unnest` arrays of 10,000; then the tombstones.
 */
async function applyPlan(trx: Kysely<DB>, shop: string, plan: WritePlan, staged: StagedDrafts | null, seqBefore: number, now: string): Promise<void> {
  if (staged !== null && staged.newCount < staged.drafts.length) {
    await sql`
      UPDATE customer_insights ci SET change_seq = ${seqBefore}::bigint + st.ord, deleted = false, payload = st.payload,
        historic_clv_minor = st.historic_clv_minor, churn_probability = st.churn_probability,
        predicted_clv_minor = st.predicted_clv_minor, updated_at = ${now}::timestamptz
      FROM ${sql.raw(STAGING_INSIGHTS)} st
      WHERE NOT st.is_new AND ci.shop_id = ${shop} AND ci.customer_id = st.customer_id
        AND ci.customer_id BETWEEN ${staged.storedLow}::bigint AND ${staged.storedHigh}::bigint`.execute(trx);
  }
  if (staged !== null && staged.newCount > 0) {
    // New when staged; one another writer inserted since (a webhook's recompute) is taken by the conflict clause.
    await sql`
      INSERT INTO customer_insights (shop_id, customer_id, change_seq, deleted, payload, historic_clv_minor, churn_probability, predicted_clv_minor, updated_at)
      SELECT ${shop}, st.customer_id, ${seqBefore}::bigint + st.ord, false, st.payload, st.historic_clv_minor, st.churn_probability,
        st.predicted_clv_minor, ${now}::timestamptz
      FROM ${sql.raw(STAGING_INSIGHTS)} st WHERE st.is_new
      ${UPSERT_INSIGHT}`.execute(trx);
  }
  const { ids, seqs, payloads, clv, churn, predicted } = plan;
  for (let from = 0; staged === null && from < ids.length; from += 10_000) {
    const to = from + 10_000;
    await sql`
      INSERT INTO customer_insights (shop_id, customer_id, change_seq, deleted, payload, historic_clv_minor, churn_probability, predicted_clv_minor, updated_at)
      SELECT ${shop}, id, s, false, p, c, ch, pc, ${now}::timestamptz
      FROM unnest(${ids.slice(from, to)}::bigint[], ${seqs.slice(from, to)}::bigint[], ${payloads.slice(from, to)}::text[],
                  ${clv.slice(from, to)}::bigint[], ${churn.slice(from, to)}::float8[], ${predicted.slice(from, to)}::bigint[]) AS t(id, s, p, c, ch, pc)
      ${UPSERT_INSIGHT}`.execute(trx);
  }
  if (plan.gone.length > 0) {
    await sql`
      UPDATE customer_insights ci SET change_seq = t.s, deleted = true, payload = NULL, historic_clv_minor = 0,
        churn_probability = 0, predicted_clv_minor = NULL, updated_at = ${now}::timestamptz
      FROM unnest(${plan.gone}::bigint[], ${plan.goneSeqs}::bigint[]) AS t(id, s)
      WHERE ci.shop_id = ${shop} AND ci.customer_id = t.id`.execute(trx);
  }
}

/**
 * The stored insights of `scope` (see {@link writeInsights}), tombstones included. A list is read with its range beside
 * it: a chunk's customers are a contiguous id range, and with the range the planner reads the primary key between its
 * ends. With the list alone it estimated from statistics of a smaller table and scanned the shop's insights for every
 * chunk, so a first full run of 500,000 customers slowed down as it wrote. With `changedAfterSeq`, only the scope's
 * insights written after that sequence.
 */
function storedInsights(trx: Kysely<DB>, shop: string, scope: readonly string[] | CustomerRange, changedAfterSeq?: number) {
  const changed = changedAfterSeq === undefined ? sql.raw('') : sql` AND change_seq > ${changedAfterSeq}`;
  const read = (which: RawBuilder<unknown>) =>
    sql<StoredInsightRow>`
      SELECT customer_id::text AS customer_id, change_seq, deleted, payload AS body FROM customer_insights
      WHERE shop_id = ${shop} AND ${which}${changed}`.execute(trx);
  if (!isIdList(scope)) return read(sql`customer_id > ${scope.after}::bigint AND customer_id <= ${scope.upTo}::bigint`);
  if (scope.length === 0) return Promise.resolve({ rows: [] });
  const [low, high] = idRange(scope);
  return read(sql`customer_id BETWEEN ${low}::bigint AND ${high}::bigint AND customer_id = ANY(${[...scope]}::bigint[])`);
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The shop row as a write reads it under its lock: the sequence, and the last write (migration 0014). */
interface LockedShop {
  insight_seq: number;
  last_write_after_seq: number | null;
  low: string | null;
  high: string | null;
}

/**
 * Whether a write committed after `readAtSeq` may have touched a customer of `scope`, so that the stored insights read
 * at that sequence must be read again. Not when nothing was written since, nor when exactly one write came in between
 * (it handed out the sequences right after `readAtSeq`) and its customers all lie outside the scope's id range: the
 * case of a split full run, whose buckets write disjoint ranges one chunk after another.
 */
function mayHaveWrittenSince(shop: LockedShop, readAtSeq: number, scope: readonly string[] | CustomerRange): boolean {
  if (Number(shop.insight_seq) === readAtSeq) return false;
  if (shop.last_write_after_seq === null || Number(shop.last_write_after_seq) !== readAtSeq || shop.low === null || shop.high === null) return true;
  const [low, high] = isIdList(scope) ? idRange(scope).map(BigInt) : [BigInt(scope.after) + 1n, BigInt(scope.upTo)];
  return BigInt(shop.high) >= low! && BigInt(shop.low) <= high!;
}

/** A stored insight as the comparison reads it. */
interface StoredInsightRow {
  customer_id: string;
  change_seq: number;
  deleted: boolean;
  body: string | null;
}

function isIdList(scope: readonly string[] | CustomerRange): scope is readonly string[] {
  return Array.isArray(scope);
}

/** The temporary table a COPY write goes through (dropped at commit). */
const STAGING_INSIGHTS = 'clvlens_insights_load';

/** The conflict clause of both insert paths: a stored customer's row takes the new values. */
const UPSERT_INSIGHT = sql.raw(`ON CONFLICT (shop_id, customer_id) DO UPDATE SET change_seq = excluded.change_seq, deleted = false,
  payload = excluded.payload, historic_clv_minor = excluded.historic_clv_minor,
  churn_probability = excluded.churn_probability, predicted_clv_minor = excluded.predicted_clv_minor,
  updated_at = excluded.updated_at`);

/** Insights a run adds before its first `ANALYZE` of `customer_insights` ({@link createStatisticsKeeper}). */
export const STATISTICS_EVERY_ROWS = 50_000;

/**
 * Told the rows each write of a run added to `customer_insights` (its `inserted`); runs `ANALYZE customer_insights`
 * when they call for it. Rewritten rows are not counted: they leave the table's size and the ids' spread as the last
 * statistics saw them, and a shop's next-day run, which rewrites nearly every insight, analyzed five times for them
 * (4.2-5.6 s of PostgreSQL's time at 2,000,000 orders).
 */
export interface StatisticsKeeper {
  added(rows: number): Promise<void>;
}

/**
 * Keeps the planner's statistics of `customer_insights` current while a run adds many rows: `ANALYZE` after the first
 * `everyRows` insights this run added, then each time the run has doubled what it had added. A shop's first full run
 * starts from statistics in which the shop has no rows; the planner then reads a chunk's stored insights and live ids through the (shop_id, change_seq) index, i.e. every
 * row of the shop, and a 1,000,000-customer run slowed down as it wrote (2,000,000 orders: the last bucket took 5x
 * the first). ANALYZE samples a fixed number of rows, so it costs about the same at any size.
 */
export function createStatisticsKeeper(db: Kysely<DB>, everyRows = STATISTICS_EVERY_ROWS): StatisticsKeeper {
  let added = 0;
  let analyzedAt = 0;
  return {
    async added(rows) {
      added += rows;
      // At 50,000, then 100,000, 200,000, ... (split-run.ts states the same rule over a whole split run): the
      // statistics stay within half of what the run added, which keeps the plans right, and a 650,000-customer first
      // run analyzes 4 times instead of 13 (each samples the whole, growing table).
      if (added < Math.max(everyRows, 2 * analyzedAt)) return;
      analyzedAt = added;
      await sql`ANALYZE customer_insights`.execute(db);
    },
  };
}

/**
 * The delta feed pages with `change_seq > cursor ORDER BY change_seq LIMIT n`. With statistics older than a large
 * write (PGlite has no autovacuum; PostgreSQL's may not have run yet) the planner expects a few rows and picks a
 * bitmap scan plus a sort of every row after the cursor, for every page: 200,000 customers then took ~27 s to read
 * instead of ~2.4 s. Refreshes the table's statistics after a write that changed a large part of it.
 */
export async function analyzeAfterLargeWrite(db: Kysely<DB>, touched: number, rowsBefore: number): Promise<void> {
  if (touched >= 1000 && touched * 10 >= rowsBefore) await sql`ANALYZE customer_insights`.execute(db);
}

/** The stored payload without its trailing `"updatedAtMs"` member, to compare with a freshly computed draft. */
function bodyWithoutUpdatedAt(payload: string | null): string | null {
  if (payload === null) return null;
  const at = payload.lastIndexOf(',"updatedAtMs":');
  return at === -1 ? payload : `${payload.slice(0, at)}}`;
}

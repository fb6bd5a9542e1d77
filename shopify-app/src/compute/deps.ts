import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from '../db/schema.ts';
import type { Clock, Logger } from '../log.ts';
import type { FeedEntry } from '../api/feed-cache.ts';
import type { ComputeOptions } from './insights.ts';
import type { FullRunReason } from './recompute-result.ts';

/** What every step of a recompute reads and writes through; built once by `createComputeService`. */
export interface ComputeDeps {
  db: Kysely<DB>;
  /** The PostgreSQL pool behind `db` (absent on PGlite): large insight writes go through COPY on it (write.ts). */
  pool?: pg.Pool;
  clock: Clock;
  log: Logger;
  options: ComputeOptions;
  /**
   * The embedded feed cache: told about every committed insight write, with the rows written, and asked to load a
   * shop after a full run (the first full run follows the backfill, just before the extension's first sync).
   */
  feed?: { apply(shop: string, writes: readonly FeedEntry[]): void; warm(shop: string): Promise<void> };
  /** The shop's own churn horizon (its setting); without it every shop uses `options.churnHorizonDays`. */
  settings?: { churnHorizonDays(shop: string): Promise<number> };
  /**
   * Split full runs of large shops (split-run.ts): set by the app on PostgreSQL, where several processes share the
   * work; without it every full run is one job.
   */
  split?: SplitRunOptions;
  /**
   * Set by the app on PostgreSQL, where a shop's recompute runs are spaced a second apart whichever process asks
   * (`spacingSeconds` of the jobs): an incremental run then scores what was queued when it started (more batches only
   * after a full one) and leaves what webhooks queue meanwhile to the next run. Without it (PGlite, one process) a run
   * reads the queue again until it is empty: there, a run for every batch would cost each batch the run's follow-up
   * jobs (metafield sync, Flow, shop metrics) on the one connection, 981 against 1,346 webhooks/s (app bench).
   */
  spacedRuns?: boolean;
  /** How long the last metrics refresh of each shop took in this process, ms. */
  metricsDurations: Map<string, number>;
}

/**
 * Rows per query when a whole shop's insights or queue are read or dequeued (the summary's insight aggregates, a
 * full run's live ids and queue), with the event loop free between queries.
 */
export const PAGE_ROWS = 20_000;

/**
 * How a large shop's full run is split across the app's processes ({@link ComputeDeps.split}, run by split-run.ts): one
 * fit step, then one job per customer bucket that any process may take from the shared queue.
 */
export interface SplitRunOptions {
  /** Shops with at least this many stored orders get a split full run; smaller ones keep the one-job full run. */
  minOrders: number;
  /** Customer buckets (bucket jobs) per run, >= 1. */
  buckets: number;
  /** Queues the fit step of the shop's split run (the app's `full-run` queue: one per shop at a time). */
  sendFit(shop: string, reason: FullRunReason): Promise<void>;
  /** Queues one bucket job of a run. */
  sendBucket(shop: string, runId: string, bucket: number): Promise<void>;
}

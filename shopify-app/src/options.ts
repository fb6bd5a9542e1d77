import type { Shopify } from '@shopify/shopify-api';
import type { ComputeOptions } from './compute/service.ts';
import type { Database } from './db/connect.ts';
import type { Clock, Logger } from './log.ts';
import type { AppMetrics } from './ops/metrics.ts';

/*
 * The app's options live apart from `app.ts` so that `context.ts` (built from them) and `app.ts` (which builds the
 * context) do not import each other.
 */

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The open database ({@link createDatabase}). The app does not close it. */
  database: Database;
  /** Metrics to count into; default a fresh registry on the database's pool. */
  metrics?: AppMetrics;
  /** The `@shopify/shopify-api` object ({@link createShopifyApi}). */
  shopify: Shopify;
  /** Key for AES-256-GCM encryption of Shopify tokens at rest (64 hex chars or 32 bytes). */
  encryptionKey: string | Uint8Array;
  /** App secrets used before the current one (rotation): webhooks signed with them are still accepted. Default: none. */
  previousApiSecretKeys?: readonly string[];
  /** Keys used before `encryptionKey` (rotation): they still decrypt, never encrypt. Default: none. */
  previousEncryptionKeys?: readonly (string | Uint8Array)[];
  clock?: Clock;
  log?: Logger;
  /** fetch used to download bulk-operation results. Default: globalThis.fetch. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Addresses of reverse proxies in front of the app whose `X-Forwarded-For` is believed (for the pairing rate limit).
   * Default: none, so the limit is keyed on the connection's own address.
   */
  trustedProxies?: readonly string[];
  /** Origins allowed by CORS on /api/v1 (e.g. `chrome-extension://<id>`). Default: none. */
  extensionOrigins?: readonly string[];
  /** Run background workers in this process. Default true. */
  workers?: boolean;
  /** Worker polling interval in seconds (>= 0.5). */
  pollingIntervalSeconds?: number;
  /** Cron of the reconciliation sweep. Default every 5 minutes. */
  reconcileCron?: string;
  /**
   * The least wait, seconds, between a customer's recompute and the refresh of the shop-wide metrics (dashboard,
   * popup summary) it queues; a shop's orders within the wait are counted by one refresh. Default
   * {@link DEFAULT_SHOP_METRICS_DELAY_SECONDS}.
   */
  shopMetricsDelaySeconds?: number;
  /**
   * The most that wait grows to, seconds: it is ten durations of the shop's last refresh when that is longer than
   * the least, so a webhook storm on a large shop cannot keep reloading every order. Default 300.
   */
  shopMetricsMaxDelaySeconds?: number;
  /**
   * Least time between two recompute job sends for one shop from this process, ms: requests meanwhile wait and share
   * the next send. Default 1,000 on PostgreSQL (several processes send for the same shop), 0 on PGlite.
   */
  recomputeIntervalMs?: number;
  /** Tests only: awaited at the start of each recompute job (e.g. to hold a job active, then kill the process). */
  beforeRecompute?: (shop: string) => Promise<void>;
  /** Backfill insert batch size, bulk status poll interval, and a progress callback (JSONL lines stored). */
  backfill?: { batchSize?: number; pollMs?: number; onProgress?: (shop: string, linesDone: number) => void };
  compute?: ComputeOptions;
  /**
   * Split full runs (compute/split-run.ts): a shop with at least `minOrders` orders is refit once, then scored in
   * `buckets` customer-bucket jobs that any app process may take. Default on PostgreSQL: 200,000 orders, 8 buckets;
   * on PGlite off (one process: the buckets would only take turns on the same thread). `false` turns it off.
   */
  splitFullRun?: { minOrders?: number; buckets?: number } | false;
  /** Customers per checkpointed page of the metafield sync (default 1000). */
  metafields?: { pageSize?: number };
  /**
   * Pace of Shopify Flow trigger calls per shop (token bucket). Default 5 per second with bursts of 10: half of a
   * Standard shop's Admin API restore rate (100 points/s, 10 points a call), so Flow never starves the sync.
   */
  flowTriggers?: { ratePerSecond?: number; burst?: number };
  /**
   * Largest request body accepted, bytes; a larger one gets 413 before it is read (by its Content-Length, or as soon as
   * a chunked body passes the limit). Default: 5 MiB on the webhook routes (an order with hundreds of line items is
   * well under 1 MiB), 64 KiB elsewhere (the API's bodies are a pairing code).
   */
  maxBodyBytes?: { webhooks?: number; other?: number };
}

/**
 * Default of {@link AppOptions.shopMetricsDelaySeconds}: a new order shows in the customer's badge within seconds and
 * in the shop-wide figures within about half a minute. Refreshing those after every order (1 s wait) was the largest
 * share of PostgreSQL's work with 1,000 small shops taking webhooks (each refresh reloads the shop's orders and writes
 * the report), and no merchant reads a repeat rate to the second.
 */
export const DEFAULT_SHOP_METRICS_DELAY_SECONDS = 30;

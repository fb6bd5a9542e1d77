// The job system's vocabulary: queue names, priorities and the payload every job carries. Kept apart from the
// running system (jobs.ts) and the workers (workers.ts) so that both, and every sender, import it without a cycle.

/** Queue names of the app's background work. */
export const QUEUES = {
  backfill: 'backfill',
  recompute: 'recompute',
  shopMetrics: 'shop-metrics',
  reconcile: 'reconcile',
  reconcileAll: 'reconcile-all',
  refitAll: 'refit-all',
  refreshTokens: 'refresh-tokens',
  /** Writes changed predictions to the customers' metafields in Shopify (after each recompute). */
  metafields: 'metafield-sync',
  /** Daily housekeeping: old webhook delivery ids, expired pairing codes. */
  prune: 'prune',
  /** Sends the shop's pending churn-tier changes to Shopify Flow (actions/flow/). */
  flowTriggers: 'flow-triggers',
  /** The fit step of a large shop's split full run (compute/split-run.ts): one per shop at a time. */
  fullRun: 'full-run',
  /** One customer bucket of a split full run: many per shop, taken by any process, one at a time per process. */
  fullRunBucket: 'full-run-bucket',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * Job priorities (pg-boss fetches the highest first, then the oldest). A recompute asked for by changed orders (a
 * webhook, the dashboard, reconciliation) is what a merchant waits to see, and takes a fraction of a second; a
 * recompute that is a whole-shop run (the first one after a backfill, the daily refit) takes seconds and nobody waits
 * on it. With one recompute queue handed out oldest first, hundreds of shops installing at once queued their first
 * runs ahead of live shops' changes, which then showed after a minute or more (pg-shops bench, 250 shops).
 */
export const JOB_PRIORITY = {
  changes: 2,
  /**
   * A whole-shop run that a change of its shop was folded into (stately: the change's own job was dropped, see
   * `Jobs.send`). Ahead of the whole-shop runs nobody waits on, behind other shops' changes: a shop that has just
   * backfilled has its first run raised this way by its first webhook, and with hundreds of shops installing at once
   * these runs (a model fit each) held the changes workers: at the size 178 were waiting at once, and live
   * shops' changes waited 20 s behind them (pg-shops bench).
   */
  wholeShopWithChanges: 1,
  wholeShop: 0,
} as const;

/** A job's payload: every per-shop job names its shop. */
export interface ShopJob {
  shop: string;
  /** Recompute everything of the shop, not only the queued customers. */
  full?: boolean;
  /** `full-run`: why the full run is due (a `FullRunReason`). */
  reason?: string;
  /** `full-run-bucket`: the split run and its bucket. */
  run?: string;
  bucket?: number;
}

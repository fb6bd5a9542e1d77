/** Why a run rescored the whole shop instead of only the queued customers. */
export const FullRunReason = {
  /** No stored models yet (first run after the backfill, models of an older format, or of another churn horizon). */
  noModels: 'no-models',
  /** A new day in the shop's time zone: every "days since" moved, and the models are refit (the schedule). */
  newDay: 'new-day',
  /** More customers queued than an incremental run is worth: the whole shop after a backfill, or a redelivery storm. */
  largeQueue: 'large-queue',
  requested: 'requested',
} as const;
export type FullRunReason = (typeof FullRunReason)[keyof typeof FullRunReason];

/** What one {@link ComputeService.recomputeShop} call did. */
export interface RecomputeResult {
  /** `split`: a large shop's full run was queued as a split run (its fit step and bucket jobs do the work). */
  mode: 'full' | 'incremental' | 'skipped' | 'split';
  /** Set for a full run. */
  reason: FullRunReason | null;
  /** Customers scored (a full run: every customer with an insight or an order). */
  customers: number;
  /** Insights whose content changed (each took a new change sequence). */
  changed: number;
  /** Insights that became tombstones. */
  deleted: number;
  /** Customers still queued when an incremental run stopped at its batch limit (another run should follow). */
  remaining: number;
  /** Customers whose churn tier moved (recorded in `customer_tier_changes`, pending for Shopify Flow). */
  tierChanges: number;
}

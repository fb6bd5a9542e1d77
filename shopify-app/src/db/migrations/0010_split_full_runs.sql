-- Split full runs (issue 17): the daily full run of a large shop is one fit step and N bucket jobs that any app
-- process may take (compute/split-run.ts, the only reader and writer). The fit step writes this row: the models fitted
-- once, the shop metrics from the orders, the customer-id ranges of the buckets and the queue entries it covers.
-- Each bucket job scores its range with these models and adds its number to `done`; the job that completes the set
-- stores the shop metrics with the models and deletes the row, so a run never finishes with a bucket missing.
CREATE TABLE split_full_runs (
  shop_id text PRIMARY KEY,
  run_id text NOT NULL,
  reason text NOT NULL,
  started_at timestamptz NOT NULL,
  context text NOT NULL,            -- JSON ComputeContext (currency, time zone, asOfMs, options) every bucket uses
  models text NOT NULL,             -- JSON ShopModels, fitted once on the whole shop
  summary text NOT NULL,            -- JSON summary part from the orders
  report text NOT NULL,             -- JSON dashboard report
  upper_bounds text NOT NULL,       -- JSON array of customer ids: bucket b covers (upper_bounds[b-1], upper_bounds[b]]
  queued_up_to bigint NOT NULL,     -- recompute_queue entries up to this sequence are covered by the run
  done integer[] NOT NULL DEFAULT '{}'
);

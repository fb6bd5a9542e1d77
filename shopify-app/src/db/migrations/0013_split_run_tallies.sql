-- The summary's insight parts of a split full run (compute/split-run.ts, the only reader and writer): each bucket folds
-- the insights it computed into an InsightTally (compute/shop-metrics.ts) and adds it here under its number when it
-- marks itself done; the run's last step merges them instead of reading every insight of the shop back.
ALTER TABLE split_full_runs ADD COLUMN tallies jsonb NOT NULL DEFAULT '{}'::jsonb;

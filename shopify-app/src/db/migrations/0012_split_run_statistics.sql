-- Insights written by a split full run, every bucket and process together, and how many there were at its last
-- ANALYZE of customer_insights (compute/split-run.ts). The run keeps the planner's statistics current as one writer:
-- each bucket counting on its own analyzed four times a bucket at 10,000,000 orders, 33 times a run.
ALTER TABLE split_full_runs ADD COLUMN written bigint NOT NULL DEFAULT 0;
ALTER TABLE split_full_runs ADD COLUMN analyzed_written bigint NOT NULL DEFAULT 0;

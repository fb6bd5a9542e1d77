-- Incremental recompute (issue 5): only the queued customers are rescored between the scheduled full runs.

-- Every (re)queue of a customer takes a new number, so the recompute job removes exactly the entries it computed:
-- a customer queued again while the job ran keeps its entry (with a newer number) for the next run.
CREATE SEQUENCE recompute_queue_seq;
ALTER TABLE recompute_queue ADD COLUMN queued_seq bigint NOT NULL DEFAULT nextval('recompute_queue_seq');

-- The shop summary's average predicted CLV is read from the stored insights (they change one customer at a time).
ALTER TABLE customer_insights ADD COLUMN predicted_clv_minor bigint;
UPDATE customer_insights SET predicted_clv_minor = (payload::json->>'predictedClvMinor')::bigint WHERE payload IS NOT NULL;

-- The last write of a shop's insights (compute/write.ts, the only writer of these columns and of insight_seq): the
-- sequence before it (it handed out insight_seq_before + 1 up to insight_seq) and the lowest and highest customer id
-- it wrote. A write reads the stored insights of its customers before it takes the shop row lock; under the lock it
-- reads them again only when a write since may have touched them. Null: not known (read again).
ALTER TABLE shops ADD COLUMN last_write_after_seq bigint;
ALTER TABLE shops ADD COLUMN last_write_low_customer bigint;
ALTER TABLE shops ADD COLUMN last_write_high_customer bigint;

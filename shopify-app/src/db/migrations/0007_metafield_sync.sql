-- Customer metafields in Shopify (issue 16, item 1): what the app last wrote per customer, and where the sync stands.

-- One row per shop: the insight change sequence the sync has handled up to (it resumes there after a restart), and
-- which version of the app's metafield definitions the shop has (created again when the app ships a new set).
CREATE TABLE metafield_sync_state (
  shop_id text PRIMARY KEY,
  synced_seq bigint NOT NULL DEFAULT 0,
  definitions_version text,
  last_run_at timestamptz,
  last_written integer NOT NULL DEFAULT 0,
  last_rejected integer NOT NULL DEFAULT 0,
  -- Why the last run stopped early (a missing scope, a definition Shopify refused), for the operator; null when fine.
  message text
);

-- The values (as sent, JSON object key -> string) Shopify accepted per customer, so a value is only sent again when it
-- changes; and the values Shopify rejected (key -> {value, message}), so a bad value is reported once, not every run.
CREATE TABLE customer_metafield_writes (
  shop_id text NOT NULL,
  customer_id bigint NOT NULL,
  written text NOT NULL DEFAULT '{}',
  rejected text NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, customer_id)
);

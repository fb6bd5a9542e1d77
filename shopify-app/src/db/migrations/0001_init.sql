-- CLV Lens schema. Every table carries shop_id and every key and index leads with it (multi-tenancy), except the
-- two lookups by secret hash (pairing_codes, extension_tokens), whose hashes are globally unique.
-- Keep to PostgreSQL 15 syntax: PGlite runs 18, production may run 15.

CREATE TABLE shops (
  shop_id text PRIMARY KEY,
  status text NOT NULL DEFAULT 'active',           -- active | uninstalled
  currency text,
  iana_timezone text,
  installed_at timestamptz NOT NULL DEFAULT now(),
  uninstalled_at timestamptz,
  insight_seq bigint NOT NULL DEFAULT 0            -- last change sequence handed out for customer_insights
);

CREATE TABLE sessions (
  id text PRIMARY KEY,                              -- offline_{shop} or {shop}_{userId}; contains the shop
  shop_id text NOT NULL,
  state text NOT NULL,
  is_online boolean NOT NULL,
  scope text,
  expires_at timestamptz,
  access_token_enc text,                            -- AES-256-GCM, see sessions/token-cipher.ts
  refresh_token_enc text,
  refresh_token_expires_at timestamptz,
  online_access_info text
);
CREATE INDEX sessions_shop ON sessions (shop_id);

CREATE TABLE orders (
  shop_id text NOT NULL,
  order_id bigint NOT NULL,
  customer_id bigint,
  guest_key text,                                   -- sha256 of the lower-cased email for guest orders (no PII)
  placed_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  currency text NOT NULL,
  total_minor bigint NOT NULL,
  refunded_minor bigint NOT NULL DEFAULT 0,         -- from the order payload; order_refunds refines it
  cancelled boolean NOT NULL DEFAULT false,
  test boolean NOT NULL DEFAULT false,
  subscription boolean NOT NULL DEFAULT false,
  PRIMARY KEY (shop_id, order_id)
);
CREATE INDEX orders_customer ON orders (shop_id, customer_id);
CREATE INDEX orders_updated ON orders (shop_id, updated_at, order_id);

CREATE TABLE order_refunds (
  shop_id text NOT NULL,
  refund_id bigint NOT NULL,
  order_id bigint NOT NULL,
  refunded_at timestamptz NOT NULL,
  amount_minor bigint NOT NULL,
  PRIMARY KEY (shop_id, refund_id)
);
CREATE INDEX order_refunds_order ON order_refunds (shop_id, order_id);

CREATE TABLE customers (
  shop_id text NOT NULL,
  customer_id bigint NOT NULL,
  updated_at timestamptz,
  deleted boolean NOT NULL DEFAULT false,
  PRIMARY KEY (shop_id, customer_id)
);

-- The only personal data kept; customers/redact and shop/redact wipe it.
CREATE TABLE customer_personal (
  shop_id text NOT NULL,
  customer_id bigint NOT NULL,
  email text,
  PRIMARY KEY (shop_id, customer_id)
);

CREATE TABLE customer_insights (
  shop_id text NOT NULL,
  customer_id bigint NOT NULL,
  change_seq bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  payload text,                                     -- CustomerInsightV1 as JSON text, served as is
  historic_clv_minor bigint NOT NULL DEFAULT 0,
  churn_probability double precision NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, customer_id)
);
CREATE INDEX customer_insights_change ON customer_insights (shop_id, change_seq);

-- Customers whose insight must be recomputed (filled by ingest, drained by the recompute job).
CREATE TABLE recompute_queue (
  shop_id text NOT NULL,
  customer_id bigint NOT NULL,
  PRIMARY KEY (shop_id, customer_id)
);

CREATE TABLE shop_metrics (
  shop_id text PRIMARY KEY,
  as_of timestamptz NOT NULL,
  payload text NOT NULL,                            -- ShopSummaryV1 without `sync`, as JSON text
  report text,                                      -- core's full ShopReport (dashboard), JSON text
  models text,                                      -- fitted model parameters, JSON text
  fitted_at timestamptz,
  computed_at timestamptz NOT NULL
);

CREATE TABLE sync_state (
  shop_id text PRIMARY KEY,
  state text NOT NULL DEFAULT 'not-started',        -- not-started | backfilling | live | error
  bulk_operation_id text,
  bulk_url text,
  bulk_lines_done bigint NOT NULL DEFAULT 0,        -- resume point in the JSONL
  orders_done bigint NOT NULL DEFAULT 0,
  orders_estimated bigint,
  backfill_started_at timestamptz,
  reconcile_checkpoint timestamptz,                 -- orders updated at or after this are re-read
  last_sync_at timestamptz,
  message text
);

CREATE TABLE webhook_deliveries (
  shop_id text NOT NULL,
  webhook_id text NOT NULL,
  topic text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, webhook_id)
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (shop_id, received_at);

-- What customers/data_request produced, for the merchant to hand over (the dashboard lists them).
CREATE TABLE data_request_exports (
  shop_id text NOT NULL,
  request_id text NOT NULL,
  customer_id bigint,
  payload text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, request_id)
);

CREATE TABLE pairing_codes (
  code_hash text PRIMARY KEY,
  shop_id text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX pairing_codes_shop ON pairing_codes (shop_id);

CREATE TABLE extension_tokens (
  token_hash text PRIMARY KEY,
  shop_id text NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX extension_tokens_shop ON extension_tokens (shop_id);

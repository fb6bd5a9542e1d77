-- Orders the merchant deleted in Shopify (orders/delete; ingest/store.ts is the only writer). The order's row and its
-- refunds are removed; this row stays so that a version of the order arriving after the deletion (a retried
-- orders/updated, or an export started before it) does not bring it back.
CREATE TABLE deleted_orders (
  shop_id text NOT NULL,
  order_id bigint NOT NULL,
  deleted_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, order_id)
);

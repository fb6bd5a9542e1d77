-- `orders_updated` (shop_id, updated_at, order_id) was made for a reconciliation that would read stored orders by
-- `updated_at`; reconciliation asks Shopify for orders updated since its checkpoint instead, and no statement of the
-- app reads `orders` by `updated_at` (the newer-wins rule compares the row found by the primary key). Every order
-- written (a backfill's COPY, each webhook) still paid for the index: of PostgreSQL's CPU for a 2,000,000-row COPY,
-- the three indexes of `orders` were three quarters (13.7 s with them, 3.1 s without).
DROP INDEX IF EXISTS orders_updated;

-- Records the app refused to count (issue 13): an order in a second currency, a negative amount, a bulk-export line
-- that is not JSON. Kept with the reason for the merchant (dashboard `/app/api/quarantine`); shop/redact removes them.
CREATE TABLE quarantined_records (
  shop_id text NOT NULL,
  record_kind text NOT NULL,                        -- order | refund | bulk-line
  record_id text NOT NULL,                          -- the Shopify id, or the JSONL line number
  reason text NOT NULL,
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, record_kind, record_id)
);

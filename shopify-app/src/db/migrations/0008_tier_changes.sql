-- Churn-tier changes (issue 16): each recompute that moves a customer from one churn tier to another records it here,
-- in the transaction that writes the new insight (compute/write.ts through actions/tier-changes/, the only writer).
-- The row is also the Shopify Flow outbox: flow_state goes pending -> sending -> sent (or rejected, or skipped), so a
-- change is sent to `flowTriggerReceive` once; a crash between the send and the mark can repeat one send (README).
-- No names or emails: the dashboard reads names live from Shopify. shop/redact removes the shop's rows,
-- customers/redact the customer's.
CREATE SEQUENCE customer_tier_changes_seq;
CREATE TABLE customer_tier_changes (
  shop_id text NOT NULL,
  change_id bigint NOT NULL DEFAULT nextval('customer_tier_changes_seq'),
  customer_id bigint NOT NULL,
  old_tier text NOT NULL CHECK (old_tier IN ('low', 'medium', 'high')),
  new_tier text NOT NULL CHECK (new_tier IN ('low', 'medium', 'high')),
  worsened boolean NOT NULL,                        -- new tier is riskier than the old one
  churn_probability double precision NOT NULL,      -- after the change
  churn_horizon_days integer NOT NULL,
  predicted_clv_minor bigint,                       -- after the change, shop currency minor units
  previous_predicted_clv_minor bigint,              -- before the change (the value at stake)
  currency text NOT NULL,
  reasons text NOT NULL,                            -- JSON array of reason codes with their numbers (tier-changes/reasons.ts)
  changed_at timestamptz NOT NULL,
  flow_state text NOT NULL DEFAULT 'pending' CHECK (flow_state IN ('pending', 'sending', 'sent', 'rejected', 'skipped')),
  flow_attempts integer NOT NULL DEFAULT 0,
  flow_sent_at timestamptz,
  flow_error text,
  PRIMARY KEY (shop_id, change_id)
);
CREATE INDEX customer_tier_changes_customer ON customer_tier_changes (shop_id, customer_id, change_id);
CREATE INDEX customer_tier_changes_changed ON customer_tier_changes (shop_id, changed_at);
CREATE INDEX customer_tier_changes_flow ON customer_tier_changes (shop_id, change_id) WHERE flow_state IN ('pending', 'sending');

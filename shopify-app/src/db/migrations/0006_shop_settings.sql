-- The merchant's own settings (issue 11: the churn horizon H is a shop setting, 30, 60, 90 or 180 days). A shop
-- without a row uses the app's default (CLVLENS_CHURN_HORIZON_DAYS, else 90). Written only by src/settings/;
-- shop/redact removes the row.
CREATE TABLE shop_settings (
  shop_id text PRIMARY KEY,
  churn_horizon_days integer CHECK (churn_horizon_days IN (30, 60, 90, 180)),
  updated_at timestamptz NOT NULL
);

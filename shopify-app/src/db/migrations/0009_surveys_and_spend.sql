-- Survey responses and marketing spend in the app (issue 16, part 5): NPS, CSAT and LTV:CAC on the dashboard.
-- Written only by src/imports/; shop/redact empties all three tables, customers/redact deletes the responses that
-- name the customer (by id, or by the shop's HMAC of the email: the address itself is never stored).

-- One row per CSV upload (dashboard or API), for "where did this number come from" and the rejected-row report.
CREATE TABLE data_imports (
  shop_id text NOT NULL,
  import_id bigserial,
  kind text NOT NULL CHECK (kind IN ('surveys', 'spend')),
  file_name text NOT NULL,
  uploaded_at timestamptz NOT NULL,
  rows_read integer NOT NULL,
  rows_added integer NOT NULL,
  rows_rejected integer NOT NULL,
  errors text NOT NULL,                            -- JSON: the first 100 row errors {line, column, field, message}
  PRIMARY KEY (shop_id, import_id)
);

-- response_key: hash of the row's cells and how many identical rows came before it in its file, so uploading the same
-- file again adds nothing while two identical answers in one file both count.
CREATE TABLE survey_responses (
  shop_id text NOT NULL,
  response_key text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('nps', 'csat')),
  score smallint NOT NULL,
  month text NOT NULL,                             -- YYYY-MM, shop time zone: the row's date, else the upload's
  customer_id bigint,
  email_key text,                                  -- HMAC(shop key, email) as in customer_personal.email_key
  import_id bigint NOT NULL,
  PRIMARY KEY (shop_id, response_key)
);
CREATE INDEX survey_responses_customer ON survey_responses (shop_id, customer_id);
CREATE INDEX survey_responses_email ON survey_responses (shop_id, email_key);

-- Spend per month and source: 'upload' (the months an upload names take its amounts, so a corrected file replaces
-- them) or 'shopify' (ad spend of the shop's marketing activities, spread over their running days).
CREATE TABLE marketing_spend (
  shop_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('upload', 'shopify')),
  month text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  currency text NOT NULL,
  import_id bigint,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, source, month)
);

-- When the shop's marketing activities were last read (null: never, or the app lacks read_marketing_events).
ALTER TABLE shops ADD COLUMN marketing_spend_read_at timestamptz;

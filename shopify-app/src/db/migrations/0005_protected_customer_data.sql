-- Protected customer data (issue 13): emails are kept encrypted (for the data-request export) next to a per-shop
-- HMAC of the normalised address (to find a customer named by email in a compliance request); guest orders are keyed
-- by a per-shop HMAC instead of a plain SHA-256 of the email. The per-shop HMAC key is random, stored encrypted with
-- the app key. The app converts rows of older versions at start (src/ingest/pii.ts).
ALTER TABLE shops ADD COLUMN pii_key_enc text;
ALTER TABLE customer_personal ADD COLUMN email_enc text;
ALTER TABLE customer_personal ADD COLUMN email_key text;
CREATE INDEX customer_personal_email_key ON customer_personal (shop_id, email_key);

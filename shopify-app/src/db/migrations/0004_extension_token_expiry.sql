-- Extension tokens expire after 90 days without use (issue 13); each use (recorded at most hourly) moves it on.
ALTER TABLE extension_tokens ADD COLUMN expires_at timestamptz;
UPDATE extension_tokens SET expires_at = coalesce(last_used_at, created_at) + interval '90 days';
ALTER TABLE extension_tokens ALTER COLUMN expires_at SET NOT NULL;

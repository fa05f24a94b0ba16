-- Issue 21: an OAuth state works only in the browser that started its flow (worker/security/
-- BrowserBinding.ts). The /twitch/link/{id} page records the first browser that opens it, by the
-- SHA-256 digest of the nonce in that browser's cookie (the nonce itself is never stored); a second
-- browser is told the link was already opened. Rows from before have neither and get them on first open.
alter table oauth_states
  add column opened_at timestamptz,
  add column browser_digest text check (browser_digest ~ '^[A-Za-z0-9_-]{43}$'),
  add constraint oauth_states_opened_by_one_browser check ((opened_at is null) = (browser_digest is null));

-- The claim sign-in's nonce is now signed, expiring and bound to the browser, so issuing one stores
-- nothing: claim_sign_ins keeps only the nonces used at /claim/callback (used_at set on insert), so
-- each is used once. Rows inserted unused by the old sign-in stay until the purge of expired rows.
comment on table claim_sign_ins is
  'Claim sign-in nonces used at /claim/callback (one row per use, purged an hour after expiry)';

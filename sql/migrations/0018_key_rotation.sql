-- Key rotation (README "Rotating TOKEN_ENCRYPTION_KEY"): while TOKEN_ENCRYPTION_KEY_PREVIOUS is set,
-- the tick re-seals, a bounded batch per minute, every value that key still seals, oldest change
-- first (worker/raffle/resealSecrets.ts), and GET /admin/keys counts what is left. These indexes
-- find those values without reading every code or link.
--
-- No data changes: a code's `code_digest` is already keyed by the key that sealed it (its
-- `code_key_id`), and stays so, because a re-seal recomputes the digest under the new key.
create index loot_codes_by_key on loot_codes (code_key_id, updated_at, id);
create index twitch_links_by_key on twitch_links (token_key_id, updated_at);

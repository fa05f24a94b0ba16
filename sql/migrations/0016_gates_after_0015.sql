-- What 0014_raffle_gates.sql came to say after 0015 existed. 0014 is back to the text it had when
-- 0015 was added (applied migrations are never edited: sql/migrations.sha256 holds each one's
-- checksum); these are its two later edits. Idempotent, because a database that ran one of the
-- edited texts of 0014 (scripts/migrate.ts accepts those checksums for 0014) already has them.

-- The count of viewers the gates left out, which nothing reads: the slot's record keeps the
-- sample's size and the gate that emptied it.
alter table raffles drop column if exists last_empty_gated;

-- A database that ran 0014's first text has no failure reason yet.
alter table raffles
  add column if not exists gate_failure_reason text
    check (gate_failure_reason in ('twitch', 'scope', 'cache', 'subscription'));

-- The chat gate's scopes include `channel:bot` (the broadcaster's part of `channel.chat.message`
-- over a webhook), which a re-link may ask for.
alter table oauth_states drop constraint if exists oauth_states_extra_scopes_check;
alter table oauth_states
  add constraint oauth_states_extra_scopes_check
    check (extra_scopes <@ array['user:read:chat', 'user:bot', 'channel:bot']::text[]);

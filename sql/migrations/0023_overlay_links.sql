-- The on-stream overlay (SPEC.md, "On-stream overlay"): one secret URL per server,
-- `/overlay/{token}`. The token (32 random bytes, base64url) is found by its digest, hex SHA-256
-- of the token, so a lookup never needs the secret itself; it is also kept sealed (AES-256-GCM
-- with the token key, additional data `overlay-token:{guild_id}`) so a plain `/overlay` shows the
-- same URL again. `/overlay new_link:true` replaces both in one update: the old digest is gone, so
-- the old URL answers 404 at once.
create table overlay_links (
  guild_id discord_id_text primary key references guilds (id) on delete cascade,
  token_digest text not null unique check (token_digest ~ '^[0-9a-f]{64}$'),
  token_ciphertext ciphertext_base64 not null,
  token_key_id encryption_key_id not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create trigger overlay_links_set_updated_at before update on overlay_links
  for each row execute function set_updated_at();

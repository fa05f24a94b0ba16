-- /twitch connect's button points at PUBLIC_BASE_URL/twitch/link/{link_id}, a short URL that
-- fits Discord's 512-character limit for button URLs; that page names the Discord server and
-- who asked, then continues to Twitch with the signed state. Rows from before have no link_id
-- and expire within 10 minutes.
alter table oauth_states
  add column link_id text unique check (link_id ~ '^[A-Za-z0-9_-]{16,64}$'),
  -- The Discord name of whoever ran /twitch connect, as the interaction gave it.
  add column requested_by_name text check (char_length(requested_by_name) between 1 and 100);

-- LiveLoot schema, version 1.
-- Applied once by scripts/migrate.ts and never edited afterwards: change the schema with a new
-- numbered file. sql/README.md explains the tables and the invariants they enforce.

-- Formats shared by many columns. Discord and Twitch ids are kept as text: Discord snowflakes
-- exceed JavaScript's safe integers, and neither id is ever used for arithmetic.
create domain discord_id_text as text
  check (value ~ '^[0-9]{1,20}$');

create domain twitch_id_text as text
  check (value ~ '^[0-9]{1,20}$');

-- Twitch logins are the lower-case form of a user name, so storing them lower-case makes every
-- comparison (bots, exclusions, broadcaster) case-insensitive without lower() at query time.
create domain twitch_login_text as text
  check (value ~ '^[a-z0-9_]{1,25}$');

-- Standard padded base64 of IV ‖ AES-256-GCM ciphertext ‖ tag, produced by the Worker. Even an
-- empty plaintext gives 28 bytes (40 characters), so a raw Twitch token (30 or 50 characters,
-- not a multiple of four) cannot be stored here by mistake.
create domain ciphertext_base64 as text
  check (
    octet_length(value) >= 40
    and value ~ '^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$'
  );

-- Identifies the encryption key a ciphertext was made with, so keys can be rotated.
create domain encryption_key_id as text
  check (value ~ '^[A-Za-z0-9._:-]{1,64}$');

-- Keeps updated_at honest without every query having to remember it. It lives in this
-- migration (not in sql/functions) because the triggers below need it to exist first.
create function set_updated_at() returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

create table guilds (
  id discord_id_text primary key,
  -- The guild's preferred Discord locale; replies use the interaction's locale, announcements this.
  locale text not null default 'en-US' check (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table twitch_links (
  guild_id discord_id_text primary key references guilds (id) on delete cascade,
  twitch_user_id twitch_id_text not null,
  twitch_login twitch_login_text not null,
  twitch_display_name text not null check (char_length(twitch_display_name) between 1 and 100),
  scopes text[] not null default '{}' check (array_position(scopes, null) is null),
  access_token_ciphertext ciphertext_base64 not null,
  refresh_token_ciphertext ciphertext_base64 not null,
  token_key_id encryption_key_id not null,
  access_token_expires_at timestamptz not null,
  status text not null default 'active' check (status in ('active', 'needs_reauth')),
  last_validated_at timestamptz,
  -- A tick claims the refresh with a conditional update of this column, so two overlapping
  -- ticks never both spend the (single-use) refresh token.
  refresh_lease_until timestamptz,
  -- Set once the raffle channel has been told to re-link, so it is told once, not every tick.
  reauth_notified_at timestamptz,
  linked_by_discord_user_id discord_id_text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The tick's token maintenance: links whose access token expires soon or is due for the
-- hourly validation Twitch requires.
create index twitch_links_active_by_expiry on twitch_links (access_token_expires_at)
  where status = 'active';
create index twitch_links_active_by_validation on twitch_links (last_validated_at)
  where status = 'active';

create table oauth_states (
  -- The random part of the signed `state` sent to Twitch; consumed by
  -- `update … set used_at = now() where nonce = $1 and used_at is null and expires_at > now()`.
  nonce text primary key check (char_length(nonce) between 16 and 128),
  guild_id discord_id_text not null references guilds (id) on delete cascade,
  discord_user_id discord_id_text not null,
  discord_channel_id discord_id_text not null,
  -- With the interaction token, lets the callback edit the original ephemeral reply.
  discord_application_id discord_id_text not null,
  interaction_token_ciphertext ciphertext_base64 not null,
  interaction_token_key_id encryption_key_id not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);

create index oauth_states_by_expiry on oauth_states (expires_at);

create table loot_items (
  id bigint generated always as identity primary key,
  guild_id discord_id_text not null references guilds (id) on delete cascade,
  -- Stored verbatim as the streamer typed it; uniqueness ignores case (index below).
  name text not null check (char_length(name) between 1 and 100 and name ~ '\S'),
  weight integer not null check (weight between 1 and 1000000),
  -- NULL = unlimited. Draws decrement it with a guarded update; this check is the last word.
  stock integer check (stock >= 0),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Target of draws' composite foreign key, which keeps a draw's item in the draw's guild.
  unique (guild_id, id)
);

create unique index loot_items_guild_name_key on loot_items (guild_id, lower(name));

create table raffles (
  id bigint generated always as identity primary key,
  guild_id discord_id_text not null references guilds (id) on delete cascade,
  discord_channel_id discord_id_text not null,
  twitch_broadcaster_id twitch_id_text not null,
  twitch_broadcaster_login twitch_login_text not null,
  every_minutes integer not null default 1 check (every_minutes between 1 and 60),
  cooldown_minutes integer not null default 30 check (cooldown_minutes between 0 and 1440),
  status text not null default 'running' check (status in ('running', 'paused', 'stopped')),
  status_reason text check (
    status_reason in (
      'stopped_by_user',      -- /raffle stop
      'no_items',             -- the loot ran out
      'twitch_disconnected',  -- /twitch disconnect
      'twitch_needs_reauth',  -- the refresh token died
      'channel_unavailable'   -- the announcement channel is gone or not writable
    )
  ),
  started_by_discord_user_id discord_id_text,
  started_at timestamptz not null default now(),
  stopped_at timestamptz,
  -- The last scheduled slot handled (drawn, or skipped for lack of eligible chatters) and the
  -- earliest slot that may be drawn next. make_raffle keeps both; manual draws touch neither.
  last_slot_at timestamptz,
  next_slot_at timestamptz not null default date_trunc('minute', now()),
  -- Liveness cache for the tick (Get Streams or EventSub stream.online/offline).
  is_live boolean not null default false,
  live_checked_at timestamptz,
  draw_count integer not null default 0 check (draw_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (guild_id, id),
  check ((status = 'stopped') = (stopped_at is not null)),
  check ((status = 'running') = (status_reason is null)),
  check (last_slot_at is null or next_slot_at > last_slot_at)
);

-- One running-or-paused raffle per guild; stopped raffles stay as history.
create unique index raffles_one_active_per_guild on raffles (guild_id)
  where status in ('running', 'paused');

-- The tick's query: `where status = 'running' and next_slot_at <= $now order by next_slot_at, id`.
create index raffles_due on raffles (next_slot_at, id) where status = 'running';

-- EventSub stream.online/offline arrive by broadcaster id.
create index raffles_active_by_broadcaster on raffles (twitch_broadcaster_id)
  where status in ('running', 'paused');

create table excluded_viewers (
  guild_id discord_id_text not null references guilds (id) on delete cascade,
  twitch_login twitch_login_text not null,
  excluded_by_discord_user_id discord_id_text,
  created_at timestamptz not null default now(),
  primary key (guild_id, twitch_login)
);

create table known_bots (
  id bigint generated always as identity primary key,
  -- NULL = the default list, applied to every guild; otherwise that guild's own additions.
  guild_id discord_id_text references guilds (id) on delete cascade,
  twitch_login twitch_login_text not null,
  created_at timestamptz not null default now(),
  unique nulls not distinct (guild_id, twitch_login)
);

insert into known_bots (twitch_login)
values
  ('nightbot'),
  ('streamelements'),
  ('streamlabs'),
  ('moobot'),
  ('fossabot'),
  ('wizebot'),
  ('soundalerts'),
  ('sery_bot'),
  ('commanderroot'),
  ('pretzelrocks'),
  ('kofistreambot'),
  ('streamstickers'),
  ('tangiabot'),
  ('blerp');

create table draws (
  id bigint generated always as identity primary key,
  raffle_id bigint not null,
  -- Copied from the raffle (and kept consistent by the foreign key) for per-guild history.
  guild_id discord_id_text not null,
  kind text not null check (kind in ('scheduled', 'manual')),
  slot_at timestamptz not null,
  item_id bigint,
  -- The item as it was when drawn: the item may be renamed or removed later.
  item_name text not null check (char_length(item_name) between 1 and 100),
  winner_twitch_user_id twitch_id_text not null,
  winner_twitch_login twitch_login_text not null,
  winner_twitch_display_name text not null
    check (char_length(winner_twitch_display_name) between 1 and 100),
  -- Everything needed to re-check the draw: the words passed in, the reduced roll, the item
  -- pool it was walked over ([{id, weight}] by id), and the candidates make_raffle examined,
  -- in order, ending with the winner (the rest of the list cannot change the result).
  random_words bigint[] not null,
  item_roll bigint not null check (item_roll >= 0),
  item_pool jsonb not null check (jsonb_typeof(item_pool) = 'array'),
  candidates jsonb not null check (jsonb_typeof(candidates) = 'array'),
  candidate_count integer not null check (candidate_count >= 1),
  created_at timestamptz not null default now(),
  -- Announcement outbox: the draw is committed first, then announced. A sender claims a row
  -- by pushing announcement_next_attempt_at forward (a lease) before posting to Discord.
  announcement_status text not null default 'pending'
    check (announcement_status in ('pending', 'delivered', 'failed')),
  announcement_attempts integer not null default 0 check (announcement_attempts >= 0),
  announcement_next_attempt_at timestamptz not null default now(),
  announcement_message_id discord_id_text,
  -- A Discord error summary for operators; never a token.
  announcement_last_error text check (char_length(announcement_last_error) <= 1000),
  announced_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint draws_one_per_slot unique (raffle_id, slot_at),
  constraint draws_raffle_fkey foreign key (guild_id, raffle_id)
    references raffles (guild_id, id) on delete cascade,
  -- Removing an item keeps the draw (and its guild), only forgetting the link.
  constraint draws_item_fkey foreign key (guild_id, item_id)
    references loot_items (guild_id, id) on delete set null (item_id),
  check (
    (announcement_status = 'delivered')
    = (announcement_message_id is not null and announced_at is not null)
  )
);

-- Announcements due: `where announcement_status = 'pending' and announcement_next_attempt_at <= $now`.
create index draws_pending_announcements on draws (announcement_next_attempt_at)
  where announcement_status = 'pending';

-- /raffle history: a guild's draws, newest first.
create index draws_guild_history on draws (guild_id, slot_at desc, id desc);

-- Deleting an item sets draws.item_id to NULL; without this index that is a scan of all draws.
create index draws_by_item on draws (item_id) where item_id is not null;

-- EventSub delivers at least once: a message id seen before is acknowledged and not processed
-- again. Rows older than the 10-minute replay window can be purged.
create table twitch_eventsub_messages (
  message_id text primary key check (char_length(message_id) between 1 and 100),
  message_type text not null check (char_length(message_type) between 1 and 100),
  subscription_type text check (char_length(subscription_type) between 1 and 100),
  received_at timestamptz not null default now()
);

create index twitch_eventsub_messages_by_age on twitch_eventsub_messages (received_at);

create trigger guilds_set_updated_at before update on guilds
  for each row execute function set_updated_at();
create trigger twitch_links_set_updated_at before update on twitch_links
  for each row execute function set_updated_at();
create trigger loot_items_set_updated_at before update on loot_items
  for each row execute function set_updated_at();
create trigger raffles_set_updated_at before update on raffles
  for each row execute function set_updated_at();
create trigger draws_set_updated_at before update on draws
  for each row execute function set_updated_at();

-- Prize delivery (SPEC.md, "Claiming a prize"): a vault of prize codes per item, sealed like
-- Twitch tokens, and claims: a winner signs in with Twitch to take the prize before it expires;
-- an unclaimed prize is redrawn (liveloot/v1 purposes winner-redraw-1 … 3).

-- /raffle start claim:<minutes>: every draw of the raffle needs a claim within it. Null: only
-- draws of items with codes need one, within 15 minutes.
alter table raffles add column claim_minutes integer check (claim_minutes between 1 and 1440);

-- A prize code, never stored in plaintext: AES-256-GCM with the token key (`code_ciphertext`,
-- base64 of IV ‖ ciphertext ‖ tag, and the key id), its additional data naming the item and
-- `seal_id` (`loot-code:{item_id}:{seal_id}`), so a sealed code copied to another row or item does
-- not open. `code_digest` (HMAC-SHA256 of the code under a key derived from the token key) refuses
-- a duplicate within a server without keeping the code. An item with codes has as much stock as
-- it has `available` codes; a draw of it `reserves` one, a claim `delivers` it, and a prize never
-- claimed after its last redraw puts it back to `available`.
create table loot_codes (
  id bigint generated always as identity primary key,
  guild_id discord_id_text not null,
  item_id bigint not null,
  seal_id uuid not null unique,
  code_ciphertext text not null check (char_length(code_ciphertext) >= 40),
  code_key_id text not null check (char_length(code_key_id) between 1 and 64),
  code_digest text not null check (code_digest ~ '^[0-9a-f]{64}$'),
  status text not null default 'available' check (status in ('available', 'reserved', 'delivered')),
  draw_id bigint unique references draws (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint loot_codes_item_fkey foreign key (guild_id, item_id)
    references loot_items (guild_id, id) on delete cascade,
  constraint loot_codes_unique_in_guild unique (guild_id, code_digest),
  constraint loot_codes_reserved_has_draw check ((status = 'available') = (draw_id is null))
);
create index loot_codes_available on loot_codes (item_id, id) where status = 'available';
create trigger loot_codes_set_updated_at before update on loot_codes
  for each row execute function set_updated_at();

-- One claim per winner of a draw: n = 0 for the draw's winner, 1 … 3 for the redraws after an
-- unclaimed prize (Pick(`winner-redraw-{n}`, the slot's entrants without the earlier winners)).
-- `public_id` names it in `/claim/{claim}`; the winner claims while `open` and before
-- `expires_at`; the tick expires it and, while n < 3 and someone is left, records the next claim.
-- A redraw is announced through the same kind of outbox as a draw.
create table claims (
  id bigint generated always as identity primary key,
  public_id text not null unique default new_public_id()
    check (public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
  draw_id bigint not null references draws (id) on delete cascade,
  n integer not null check (n between 0 and 3),
  winner_twitch_user_id twitch_id_text not null,
  winner_twitch_login twitch_login_text not null,
  winner_twitch_display_name text not null check (char_length(winner_twitch_display_name) between 1 and 100),
  status text not null default 'open' check (status in ('open', 'claimed', 'expired')),
  expires_at timestamptz not null,
  claimed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Outbox of a redraw's announcement ("X did not claim in time — the new winner is Y"); a draw's
  -- own winner (n = 0) is announced with the draw.
  announcement_status text not null default 'none'
    check (announcement_status in ('none', 'pending', 'delivered', 'failed')),
  announcement_attempts integer not null default 0 check (announcement_attempts >= 0),
  announcement_next_attempt_at timestamptz not null default now(),
  announcement_message_id discord_id_text,
  announcement_last_error text check (char_length(announcement_last_error) <= 1000),
  -- The "✅ claimed" edit of the announcement that carried this claim's button.
  claimed_edit_status text not null default 'none' check (claimed_edit_status in ('none', 'pending', 'done', 'failed')),
  constraint claims_one_per_winner unique (draw_id, n),
  constraint claims_claimed_has_time check ((status = 'claimed') = (claimed_at is not null)),
  constraint claims_redraw_announced check (n > 0 or announcement_status = 'none')
);
create index claims_open_by_expiry on claims (expires_at) where status = 'open';
create index claims_pending_announcements on claims (announcement_next_attempt_at)
  where announcement_status = 'pending';
create trigger claims_set_updated_at before update on claims
  for each row execute function set_updated_at();

-- The claim sign-in's state: single use, bound to one claim, 10 minutes.
create table claim_sign_ins (
  nonce text primary key check (nonce ~ '^[A-Za-z0-9_-]{16,64}$'),
  claim_id bigint not null references claims (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index claim_sign_ins_expiry on claim_sign_ins (expires_at);

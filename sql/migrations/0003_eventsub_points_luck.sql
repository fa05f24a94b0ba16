-- EventSub subscriptions, viewer activity points, opt-in luck and winners in Twitch chat.
-- sql/README.md explains the tables; award_points and make_raffle (sql/functions) use them.

-- Opt-ins chosen at /raffle start: a viewer's chance grows with their points (luck), and the
-- winner is also announced in Twitch chat (announce_in_twitch).
alter table raffles
  add column luck boolean not null default false,
  add column announce_in_twitch boolean not null default false;

-- Points per EventSub event, configurable per guild. The Worker multiplies them out (gift per
-- gifted sub, cheer per bit) and hands award_points the result.
alter table guilds
  add column follow_points integer not null default 10 check (follow_points >= 0),
  add column subscribe_points integer not null default 50 check (subscribe_points >= 0),
  add column gift_points_per_sub integer not null default 60 check (gift_points_per_sub >= 0),
  add column cheer_points_per_bit integer not null default 1 check (cheer_points_per_bit >= 0),
  add column raid_points integer not null default 30 check (raid_points >= 0);

-- A viewer's points in one broadcaster's channel. Keyed by Twitch ids, not by guild: EventSub
-- delivers per broadcaster, and a raffle reads them by its broadcaster.
create table viewer_points (
  broadcaster_id twitch_id_text not null,
  viewer_user_id twitch_id_text not null,
  -- As last seen in an event, for the leaderboard.
  viewer_login twitch_login_text not null,
  viewer_display_name text not null check (char_length(viewer_display_name) between 1 and 100),
  points bigint not null default 0 check (points >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (broadcaster_id, viewer_user_id)
);

-- /raffle leaderboard and /raffle status:
-- `where broadcaster_id = $1 order by points desc, viewer_user_id limit $2`.
create index viewer_points_leaderboard on viewer_points (broadcaster_id, points desc, viewer_user_id);

-- The EventSub subscriptions LiveLoot made for a guild's linked channel, as Twitch reported them
-- (created, listed, or revoked through the webhook). The hourly repair compares this with the
-- types the guild needs.
create table twitch_eventsub_subscriptions (
  guild_id discord_id_text not null references guilds (id) on delete cascade,
  -- Twitch's id for the subscription (a UUID today); a revocation names it.
  twitch_subscription_id text not null unique
    check (char_length(twitch_subscription_id) between 1 and 100),
  type text not null check (type ~ '^[a-z0-9_.]{1,100}$'),
  version text not null check (version ~ '^[a-z0-9_.]{1,20}$'),
  condition jsonb not null check (jsonb_typeof(condition) = 'object'),
  -- Twitch's own word (enabled, webhook_callback_verification_pending, authorization_revoked, …):
  -- not a fixed list, since Twitch adds values.
  status text not null check (status ~ '^[a-z0-9_]{1,100}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- One subscription of each type per guild: re-creating one replaces the row.
  primary key (guild_id, type)
);

-- The draw records which way its winner was chosen, and the state of its optional Twitch chat
-- announcement: make_raffle commits it 'pending' when the raffle announces in Twitch ('none'
-- otherwise); the Worker sends it while it holds the draw's Discord announcement lease.
alter table draws
  -- true: the winner was drawn by weight (luck); `candidates` is then the eligible list with
  -- weights and winner_roll the reduced roll over it. false: the first eligible candidate.
  add column luck boolean not null default false,
  add column winner_roll bigint check (winner_roll >= 0),
  add column twitch_announcement_status text not null default 'none'
    check (twitch_announcement_status in ('none', 'pending', 'sent', 'dropped', 'failed')),
  add column twitch_announcement_attempts integer not null default 0
    check (twitch_announcement_attempts >= 0),
  -- Send Chat Message's message_id, once Twitch says is_sent.
  add column twitch_message_id text check (char_length(twitch_message_id) between 1 and 100),
  -- A Twitch error or drop_reason summary for operators; never a token.
  add column twitch_announcement_error text check (char_length(twitch_announcement_error) <= 1000),
  add constraint draws_luck_has_winner_roll check (luck = (winner_roll is not null)),
  add constraint draws_twitch_sent_has_message_id
    check (twitch_announcement_status <> 'sent' or twitch_message_id is not null);

create trigger viewer_points_set_updated_at before update on viewer_points
  for each row execute function set_updated_at();
create trigger twitch_eventsub_subscriptions_set_updated_at before update on twitch_eventsub_subscriptions
  for each row execute function set_updated_at();

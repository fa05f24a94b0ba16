-- Several guilds may link one Twitch channel; each keeps its own points, point values and
-- leaderboard, and one guild's disconnect never affects another's (sql/README.md, 0009).

-- EventSub subscriptions belong to the channel: Twitch allows one per (type, condition, transport)
-- and answers 409 to a second. One row per Twitch subscription; the guilds that need it are
-- referenced beside it, and it is deleted at Twitch only when the last of them goes.
alter table twitch_eventsub_subscriptions
  add column id bigint generated always as identity,
  -- The channel the subscription is about (condition broadcaster_user_id, or
  -- to_broadcaster_user_id for an incoming raid).
  add column broadcaster_id twitch_id_text,
  -- When Twitch's subscription id or status last changed, on the database's clock: a subscription
  -- still pending verification 10 minutes after it was created is re-created by the hourly repair.
  add column status_changed_at timestamptz not null default now();

update twitch_eventsub_subscriptions
set broadcaster_id = coalesce(condition ->> 'broadcaster_user_id', condition ->> 'to_broadcaster_user_id');
-- LiveLoot creates no subscription without a channel in its condition.
delete from twitch_eventsub_subscriptions where broadcaster_id is null;

-- Kept once per (type, condition): the enabled one, else the latest. A second guild's create
-- failed with 409, so duplicates should not exist; a stale one is dropped here (at Twitch it is
-- either gone or answers 409 to the next create, which then adopts it).
create table twitch_eventsub_subscription_guilds (
  subscription_id bigint not null,
  guild_id discord_id_text not null references guilds (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (guild_id, subscription_id)
);

insert into twitch_eventsub_subscription_guilds (subscription_id, guild_id)
select kept.id, s.guild_id
from twitch_eventsub_subscriptions s
join lateral (
  select k.id from twitch_eventsub_subscriptions k
  where k.type = s.type and k.condition = s.condition
  order by k.status = 'enabled' desc, k.updated_at desc, k.id
  limit 1
) kept on true;

delete from twitch_eventsub_subscriptions s
where s.id not in (select subscription_id from twitch_eventsub_subscription_guilds);

alter table twitch_eventsub_subscriptions
  drop constraint twitch_eventsub_subscriptions_pkey,
  drop column guild_id,
  alter column broadcaster_id set not null,
  add primary key (id),
  add constraint twitch_eventsub_subscriptions_type_condition_key unique (type, condition);

alter table twitch_eventsub_subscription_guilds
  add foreign key (subscription_id) references twitch_eventsub_subscriptions (id) on delete cascade;

-- How many guilds still need a subscription (a disconnect deletes it at Twitch at zero).
create index twitch_eventsub_subscription_guilds_by_subscription
  on twitch_eventsub_subscription_guilds (subscription_id);
-- A channel's subscriptions, for a link's repair.
create index twitch_eventsub_subscriptions_by_broadcaster
  on twitch_eventsub_subscriptions (broadcaster_id, type);

-- Activity points belong to a guild within a channel: an EventSub event for a broadcaster awards
-- every guild linking it, each by its own point values, so one guild's /raffle points never
-- changes another's luck. Existing points are copied to each guild that links the channel or has
-- had a raffle on it; points of a channel no guild knows are dropped (nobody could see them).
alter table viewer_points
  drop constraint viewer_points_pkey,
  add column guild_id discord_id_text references guilds (id) on delete cascade;
drop index viewer_points_leaderboard;

insert into viewer_points (guild_id, broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points, created_at)
select owners.guild_id, vp.broadcaster_id, vp.viewer_user_id, vp.viewer_login, vp.viewer_display_name, vp.points,
  vp.created_at
from viewer_points vp
join (
  select guild_id, twitch_user_id as broadcaster_id from twitch_links
  union
  select guild_id, twitch_broadcaster_id from raffles
) owners on owners.broadcaster_id = vp.broadcaster_id
where vp.guild_id is null;

delete from viewer_points where guild_id is null;

alter table viewer_points
  alter column guild_id set not null,
  add primary key (guild_id, broadcaster_id, viewer_user_id);

-- /raffle leaderboard and /raffle status:
-- `where guild_id = $1 and broadcaster_id = $2 order by points desc, viewer_user_id limit $3`.
create index viewer_points_leaderboard on viewer_points (guild_id, broadcaster_id, points desc, viewer_user_id);

-- award_points finds the guilds linking the event's channel.
create index twitch_links_by_twitch_user on twitch_links (twitch_user_id);

-- award_points now takes the activity and its quantity and multiplies by each guild's values.
drop function if exists award_points(text, text, text, text, text, text, text, bigint);

-- award_points: records one EventSub notification and adds its activity points, once, in every
-- guild that links the channel.
--
-- EventSub delivers at least once, with the same message id on every delivery. The message id
-- goes into twitch_eventsub_messages (the dedup record, kept in Postgres so it survives a Redis
-- outage) and, only when it is new, each guild linking `broadcaster_id` adds
-- `quantity × its own value for the activity` to the viewer's points in that guild. All in this
-- one call, so a redelivered message adds nothing and a failed call records nothing (Twitch
-- delivers it again). Several guilds may link one channel: one subscription serves them all, and
-- each keeps its own point values and leaderboard.
--
--   broadcaster_id       the channel (for a raid: the raided channel)
--   viewer_user_id, viewer_login, viewer_display_name
--                        who earns them (for a raid: the raiding broadcaster); the login is stored
--                        lower-case, the display name falls back to the login when blank
--   activity             follow, subscribe, gift, cheer or raid: which of the guild's values
--                        (follow_points, subscribe_points, gift_points_per_sub,
--                        cheer_points_per_bit, raid_points) applies
--   quantity             how many: gifted subs, bits; 1 for follow, subscribe and raid
--
-- Returns one row: is_new (false for a redelivery) and guild_count, how many guilds got points (0 for
-- a redelivery, or when no guild links the channel).
--
-- Errors: 22023 invalid_parameter_value for a missing argument or an unknown activity, 23514
-- check_violation for a negative quantity (column `quantity`) or a malformed id or login (the
-- columns' own checks).
create or replace function award_points(
  message_id text,
  message_type text,
  subscription_type text,
  broadcaster_id text,
  viewer_user_id text,
  viewer_login text,
  viewer_display_name text,
  activity text,
  quantity bigint
)
returns table (is_new boolean, guild_count integer)
language plpgsql
volatile
as $$
#variable_conflict use_column
declare
  awarded integer;
begin
  if award_points.message_id is null
    or award_points.message_type is null
    or award_points.broadcaster_id is null
    or award_points.viewer_user_id is null
    or award_points.viewer_login is null
    or award_points.activity is null
    or award_points.quantity is null then
    raise exception 'award_points: message_id, message_type, broadcaster_id, viewer_user_id, viewer_login, activity and quantity are required'
      using errcode = 'invalid_parameter_value';
  end if;
  if award_points.activity not in ('follow', 'subscribe', 'gift', 'cheer', 'raid') then
    raise exception 'award_points: activity must be follow, subscribe, gift, cheer or raid, got %', award_points.activity
      using errcode = 'invalid_parameter_value';
  end if;
  if award_points.quantity < 0 then
    raise exception 'award_points: quantity must be 0 or more, got %', award_points.quantity
      using errcode = 'check_violation', column = 'quantity', table = 'viewer_points';
  end if;
  -- The columns' own checks, also when no guild links the channel and nothing is inserted.
  perform award_points.broadcaster_id::twitch_id_text, award_points.viewer_user_id::twitch_id_text,
    lower(award_points.viewer_login)::twitch_login_text;

  -- A concurrent delivery of the same id waits here for the first to commit, then finds it.
  insert into twitch_eventsub_messages (message_id, message_type, subscription_type)
  values (award_points.message_id, award_points.message_type, award_points.subscription_type)
  on conflict (message_id) do nothing;

  if not found then
    return query select false, 0;
    return;
  end if;

  -- Guilds in id order, so concurrent awards to one viewer lock that viewer's rows in one order.
  insert into viewer_points as vp (guild_id, broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points)
  select
    g.id,
    award_points.broadcaster_id,
    award_points.viewer_user_id,
    lower(award_points.viewer_login),
    coalesce(nullif(btrim(award_points.viewer_display_name), ''), lower(award_points.viewer_login)),
    award_points.quantity * case award_points.activity
      when 'follow' then g.follow_points
      when 'subscribe' then g.subscribe_points
      when 'gift' then g.gift_points_per_sub
      when 'cheer' then g.cheer_points_per_bit
      else g.raid_points
    end
  from twitch_links l
  join guilds g on g.id = l.guild_id
  where l.twitch_user_id = award_points.broadcaster_id
  order by g.id
  on conflict (guild_id, broadcaster_id, viewer_user_id) do update
    set points = vp.points + excluded.points,
        viewer_login = excluded.viewer_login,
        viewer_display_name = excluded.viewer_display_name;
  get diagnostics awarded = row_count;

  return query select true, awarded;
end;
$$;

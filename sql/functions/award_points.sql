-- award_points: records one EventSub notification and adds its activity points, once.
--
-- EventSub delivers at least once, with the same message id on every delivery. The message id
-- goes into twitch_eventsub_messages (the dedup record, kept in Postgres so it survives a Redis
-- outage) and, only when it is new, `points` are added to the viewer's total in the
-- broadcaster's channel. Both happen in this one call, so a redelivered message adds nothing and
-- a failed call records nothing (Twitch delivers it again).
--
--   broadcaster_id       the channel the points belong to (for a raid: the raided channel)
--   viewer_user_id, viewer_login, viewer_display_name
--                        who earns them (for a raid: the raiding broadcaster); the login is stored
--                        lower-case, the display name falls back to the login when blank
--   points               already multiplied out by the Worker from the guild's point values
--                        (gift per gifted sub, cheer per bit); 0 is allowed
--
-- Returns one row: is_new (false for a redelivery) and total, the viewer's points afterwards
-- (for a redelivery: as they stand, 0 if the viewer has none).
--
-- Errors: 22023 invalid_parameter_value for a missing argument, 23514 check_violation for
-- negative points (column `points`) or a malformed id or login (the columns' own checks).
create or replace function award_points(
  message_id text,
  message_type text,
  subscription_type text,
  broadcaster_id text,
  viewer_user_id text,
  viewer_login text,
  viewer_display_name text,
  points bigint
)
returns table (is_new boolean, total bigint)
language plpgsql
volatile
as $$
#variable_conflict use_column
declare
  new_total bigint;
begin
  if award_points.message_id is null
    or award_points.message_type is null
    or award_points.broadcaster_id is null
    or award_points.viewer_user_id is null
    or award_points.viewer_login is null
    or award_points.points is null then
    raise exception 'award_points: message_id, message_type, broadcaster_id, viewer_user_id, viewer_login and points are required'
      using errcode = 'invalid_parameter_value';
  end if;
  if award_points.points < 0 then
    raise exception 'award_points: points must be 0 or more, got %', award_points.points
      using errcode = 'check_violation', column = 'points', table = 'viewer_points';
  end if;

  -- A concurrent delivery of the same id waits here for the first to commit, then finds it.
  insert into twitch_eventsub_messages (message_id, message_type, subscription_type)
  values (award_points.message_id, award_points.message_type, award_points.subscription_type)
  on conflict (message_id) do nothing;

  if not found then
    return query
    select false, coalesce(
      (select vp.points from viewer_points vp
       where vp.broadcaster_id = award_points.broadcaster_id
         and vp.viewer_user_id = award_points.viewer_user_id),
      0::bigint);
    return;
  end if;

  insert into viewer_points as vp (broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points)
  values (
    award_points.broadcaster_id,
    award_points.viewer_user_id,
    lower(award_points.viewer_login),
    coalesce(nullif(btrim(award_points.viewer_display_name), ''), lower(award_points.viewer_login)),
    award_points.points
  )
  on conflict (broadcaster_id, viewer_user_id) do update
    set points = vp.points + excluded.points,
        viewer_login = excluded.viewer_login,
        viewer_display_name = excluded.viewer_display_name
  returning vp.points into new_total;

  return query select true, new_total;
end;
$$;

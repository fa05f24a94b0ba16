-- read_draw_entrants: step 1 and 2 of liveloot/v1 (docs/fairness.md) for many raffle
-- slots in one statement: who may win each slot and which items may be drawn, read before the
-- beacon round that decides the draw exists. It reads and locks nothing; record_draw records the
-- decision later and re-checks, under its locks, that the winner and the item still qualify.
--
--   requests  JSON array of {"raffle_id", "slot_at" (ISO 8601), "kind" ("scheduled"/"manual"),
--             "candidates": [{"id", "login", "name"}]}: a uniform sample of the slot's chat. Ids
--             are canonical decimals (no leading zero, at most 20 digits), as Twitch gives them.
--
-- One row per request, in the order given:
--   outcome     ready        entrants and items are read (entrants may be empty: nobody eligible)
--               not_running  no such raffle, it is stopped, or it is paused and the slot scheduled
--               slot_taken   the slot is drawn already, or (scheduled) before the raffle's next slot
--               no_items     no enabled item has stock left
--   entrants    [{"id", "login", "name", "weight"}]: the candidates who may win (not the
--               broadcaster, not a known bot of the default list or the guild's, not excluded in
--               the guild, no win in the guild within the raffle's cooldown before slot_at),
--               each once, in the order given. weight is 1, or with luck 100 + min(points, 400)
--               (points: the viewer's in the raffle's guild and channel, 0 if none).
--   items       [{"id", "name", "weight"}] by id: enabled items with stock left (or unlimited).
--   chatters_seen, excluded_count, cooling_down_count: why entrants is what it is (a candidate
--               both blocked and cooling down counts as blocked).
--
-- What one slot may cost is bounded whatever its server's data: more than 500 candidates, or a
-- server with more than 1,000 drawable items or 1,000 excluded viewers (possible only for rows
-- written before 0017_server_limits.sql), raises 54000 program_limit_exceeded naming the raffle. The Worker reads
-- slots in small batches and reads a failed batch again slot by slot (worker/raffle/drawSlots.ts),
-- so such a raffle's slot fails alone and the others are drawn.
create or replace function read_draw_entrants(requests jsonb)
returns table (
  raffle_id bigint,
  outcome text,
  public_id text,
  entrants jsonb,
  items jsonb,
  chatters_seen integer,
  excluded_count integer,
  cooling_down_count integer,
  cooldown_minutes integer
)
language plpgsql
stable
as $$
declare
  luck_base_weight constant bigint := 100;
  luck_max_weight constant bigint := 500;
  -- worker/raffle/drawSlots.ts candidateSampleSize; worker/raffle/serverLimits.ts lootItems, exclusions.
  maximum_candidates constant integer := 500;
  maximum_items constant integer := 1000;
  maximum_exclusions constant integer := 1000;
  request jsonb;
  request_slot_at timestamptz;
  request_kind text;
  raffle raffles%rowtype;
  blocked_logins text[];
  cooling_down_ids text[];
begin
  if jsonb_typeof(read_draw_entrants.requests) is distinct from 'array' then
    raise exception 'read_draw_entrants: requests must be a JSON array'
      using errcode = 'invalid_parameter_value';
  end if;

  for request in select value from jsonb_array_elements(read_draw_entrants.requests) loop
    request_kind := request ->> 'kind';
    request_slot_at := (request ->> 'slot_at')::timestamptz;
    if request_kind is null or request_kind not in ('scheduled', 'manual')
      or request_slot_at is null
      or jsonb_typeof(request -> 'candidates') is distinct from 'array'
      or exists (select from jsonb_array_elements(request -> 'candidates') given(value)
                 where jsonb_typeof(given.value) is distinct from 'object'
                   or coalesce(given.value ->> 'id', '') !~ '^[1-9][0-9]{0,19}$'
                   or given.value ->> 'login' is null) then
      raise exception 'read_draw_entrants: request % must have kind, slot_at and candidates with decimal id and login', request
        using errcode = 'invalid_parameter_value';
    end if;

    if jsonb_array_length(request -> 'candidates') > maximum_candidates then
      raise exception 'read_draw_entrants: raffle % has % candidates, more than %', request ->> 'raffle_id',
          jsonb_array_length(request -> 'candidates'), maximum_candidates
        using errcode = 'program_limit_exceeded';
    end if;

    raffle_id := (request ->> 'raffle_id')::bigint;
    outcome := null;
    public_id := null;
    entrants := null;
    items := null;
    chatters_seen := jsonb_array_length(request -> 'candidates');
    excluded_count := null;
    cooling_down_count := null;
    cooldown_minutes := null;

    select r.* into raffle from raffles r where r.id = read_draw_entrants.raffle_id;
    if not found or raffle.status = 'stopped' or (raffle.status = 'paused' and request_kind = 'scheduled') then
      outcome := 'not_running';
      return next;
      continue;
    end if;
    public_id := raffle.public_id;
    cooldown_minutes := raffle.cooldown_minutes;

    if (request_kind = 'scheduled' and request_slot_at < raffle.next_slot_at)
      or exists (select from draws d where d.raffle_id = raffle.id and d.slot_at = request_slot_at) then
      outcome := 'slot_taken';
      return next;
      continue;
    end if;

    -- Counted up to one past the limit: never more work than the limit allows.
    if (select count(*) from (select from loot_items li
                              where li.guild_id = raffle.guild_id and li.enabled and (li.stock is null or li.stock > 0)
                              limit maximum_items + 1) drawable) > maximum_items then
      raise exception 'read_draw_entrants: raffle %''s server has more than % drawable items', raffle.id, maximum_items
        using errcode = 'program_limit_exceeded', constraint = 'loot_items_per_guild';
    end if;
    select jsonb_agg(jsonb_build_object('id', li.id::text, 'name', li.name, 'weight', li.weight) order by li.id)
    into items
    from loot_items li
    where li.guild_id = raffle.guild_id and li.enabled and (li.stock is null or li.stock > 0);
    if items is null then
      outcome := 'no_items';
      return next;
      continue;
    end if;

    if (select count(*) from (select from excluded_viewers ev where ev.guild_id = raffle.guild_id
                              limit maximum_exclusions + 1) excluded) > maximum_exclusions then
      raise exception 'read_draw_entrants: raffle %''s server has more than % excluded viewers', raffle.id,
          maximum_exclusions
        using errcode = 'program_limit_exceeded', constraint = 'excluded_viewers_per_guild';
    end if;
    blocked_logins := draw_blocked_logins(raffle.guild_id);
    cooling_down_ids := draw_cooling_down_ids(raffle.guild_id, raffle.cooldown_minutes, request_slot_at);

    select
      coalesce(jsonb_agg(jsonb_build_object('id', judged.id, 'login', judged.login, 'name', judged.name,
                                            'weight', judged.weight) order by judged.position)
                 filter (where not judged.blocked and not judged.cooling_down), '[]'::jsonb),
      count(*) filter (where judged.blocked),
      count(*) filter (where judged.cooling_down and not judged.blocked)
    into entrants, excluded_count, cooling_down_count
    from (
      select distinct on (given.value ->> 'id')
        given.ordinality as position,
        given.value ->> 'id' as id,
        lower(given.value ->> 'login') as login,
        coalesce(nullif(given.value ->> 'name', ''), given.value ->> 'login') as name,
        case when raffle.luck
             -- least() on the points first: 100 + points cannot overflow whatever the points are.
             then luck_base_weight + least(coalesce(vp.points, 0), luck_max_weight - luck_base_weight)
             else 1 end as weight,
        given.value ->> 'id' = raffle.twitch_broadcaster_id
          or lower(given.value ->> 'login') = raffle.twitch_broadcaster_login
          or lower(given.value ->> 'login') = any(blocked_logins) as blocked,
        given.value ->> 'id' = any(cooling_down_ids) as cooling_down
      from jsonb_array_elements(request -> 'candidates') with ordinality as given(value, ordinality)
      -- One primary-key lookup per candidate (lateral), never a scan of the channel's points.
      left join lateral (
        select points.points from viewer_points points
        where raffle.luck
          and points.guild_id = raffle.guild_id
          and points.broadcaster_id = raffle.twitch_broadcaster_id
          and points.viewer_user_id = given.value ->> 'id'
      ) vp on true
      order by given.value ->> 'id', given.ordinality
    ) judged;
    -- A viewer listed twice counts once.
    chatters_seen := (select count(distinct given.value ->> 'id')
                      from jsonb_array_elements(request -> 'candidates') given(value));
    outcome := 'ready';
    return next;
  end loop;
end;
$$;

-- The logins that never win in a guild: the default known bots, the guild's own, its excluded viewers.
create or replace function draw_blocked_logins(guild_id text)
returns text[]
language sql
stable
as $$
  select array(
    select kb.twitch_login::text from known_bots kb
    where kb.guild_id is null or kb.guild_id = draw_blocked_logins.guild_id
    union
    select ev.twitch_login::text from excluded_viewers ev
    where ev.guild_id = draw_blocked_logins.guild_id
  )
$$;

-- Who won in the guild, in any of its raffles, within `cooldown_minutes` before `slot_at`. Any
-- win after the window opened counts, even one at a later instant (a manual draw seconds after
-- the minute a late tick is drawing for). A range of draws_guild_history: at most the window's draws.
create or replace function draw_cooling_down_ids(guild_id text, cooldown_minutes integer, slot_at timestamptz)
returns text[]
language sql
stable
as $$
  select array(
    select d.winner_twitch_user_id::text from draws d
    where draw_cooling_down_ids.cooldown_minutes > 0
      and d.guild_id = draw_cooling_down_ids.guild_id
      and d.slot_at > draw_cooling_down_ids.slot_at - make_interval(mins => draw_cooling_down_ids.cooldown_minutes)
  )
$$;

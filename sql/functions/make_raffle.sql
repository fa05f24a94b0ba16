-- make_raffle: one atomic draw for a raffle slot: winner, item, cooldown, stock and the record.
--
-- The Worker brings the randomness, so this function is deterministic for given inputs:
--   candidates    JSON array of {"id", "login", "name"} Twitch users, already in random order.
--                 The winner is the first one who is not the broadcaster, not a known bot (the
--                 default list or the guild's), not excluded in the guild, and has not won in
--                 the guild, in any of its raffles, within cooldown_minutes before slot_at
--                 (stopping and starting does not reset a cooldown). A uniform shuffle (or a
--                 uniform sample) therefore makes the winner uniform among eligible chatters.
--   random_words  integers, each uniform in [0, 2^48). The item roll takes the first word below
--                 2^48 - (2^48 mod total_weight) and reduces it mod total_weight: rejection
--                 sampling, so no item is favoured by modulo bias. Items are walked in id order.
--
-- Luck (raffles.luck, opt-in): instead of the first eligible candidate, the winner is drawn among
-- ALL eligible candidates passed in, each weighted least(100 + points, 500), points being the
-- candidate's viewer_points in the raffle's guild and channel (0 if none): a chance proportional to
-- 1 + points/100, capped at 5x. The winner roll uses the words after the one the item roll took,
-- the first below 2^48 - (2^48 mod total candidate weight), mod that total, walking the
-- candidates in the given order. So a draw needs one accepted word without luck and two with
-- luck. The Worker passes 4, so up to two words can be rejected (each with a probability below
-- 2^-18) and the draw still goes through.
--
-- Draw numbers continue per guild: a draw is numbered guilds.draw_count + 1 ("Draw #12" is the
-- server's 12th draw), so a channel never shows two "Draw #1" after a stop and a start.
--
-- Outcomes (one row; the draw columns are set only for 'drawn', the counts only for 'no_eligible'):
--   drawn            the draw is recorded, stock taken, announcement pending; the raffle's run of
--                    empty slots ends (empty_minutes 0, so a later run may be told about again)
--   slot_taken       this slot was already drawn, or (scheduled) it falls before the raffle's
--                    next slot because a tick already handled it: nothing to do
--   not_running      no such raffle, it is stopped, or it is paused and the draw is scheduled
--   no_items         no enabled item has stock left: stop the raffle and say so; nothing changed
--   no_eligible      nobody eligible: no draw. chatters_seen, excluded_count (broadcaster, bots,
--                    excluded viewers) and cooling_down_count (won in the guild within the
--                    raffle's cooldown_minutes, also returned) say why. A scheduled slot counts
--                    as handled (skipped) and is recorded on the raffle as its last empty slot;
--                    nobody_eligible_minutes is then the run's live minutes (the first empty slot
--                    counts 1, each next one every_minutes), and nobody_eligible_notice is true
--                    once per run, at the slot that reaches 5: tell the raffle's channel.
--   need_randomness  no word was accepted for the item or, with luck, for the winner after it
--                    (astronomically unlikely with 4 words): call again with new words
--
-- Concurrency: the raffle row is locked first, so calls on one raffle run one after the other and
-- each sees the draws (slots) committed before it; then the guild row, so draws in one guild (a
-- stopped raffle's last one and the next raffle's first) are numbered one after the other and
-- each sees the guild's wins (cooldowns) committed before it; the guild's item rows are locked
-- next, in id order, so stock cannot change between the roll and the decrement. Points are read
-- as committed when the call starts; the weights used are stored with the draw.
create or replace function make_raffle(
  raffle_id bigint,
  slot_at timestamptz,
  kind text,
  candidates jsonb,
  random_words bigint[]
)
returns table (
  outcome text,
  draw_id bigint,
  item_id bigint,
  item_name text,
  winner_twitch_user_id text,
  winner_twitch_login text,
  winner_twitch_display_name text,
  chatters_seen integer,
  excluded_count integer,
  cooling_down_count integer,
  cooldown_minutes integer,
  nobody_eligible_minutes integer,
  nobody_eligible_notice boolean
)
language plpgsql
volatile
as $$
declare
  word_range constant bigint := 281474976710656; -- 2^48: a word fits a JavaScript number exactly
  -- Luck: weight = least(100 + points, 500), i.e. 1 + points/100 in hundredths, at most 5x.
  luck_base_weight constant bigint := 100;
  luck_max_weight constant bigint := 500;
  -- Live minutes of empty slots in a row after which the raffle's channel is told, once.
  nobody_eligible_notice_after_minutes constant integer := 5;
  raffle raffles%rowtype;
  guild_draw_count integer;
  pool_ids bigint[];
  pool_names text[];
  pool_weights bigint[];
  pool_stocks integer[];
  total_weight bigint;
  accept_limit bigint;
  accepted_word bigint;
  accepted_word_index integer;
  item_roll bigint;
  cumulative_weight bigint := 0;
  chosen_index integer;
  blocked_logins text[];
  cooling_down_ids text[];
  candidate jsonb;
  candidate_id text;
  candidate_login text;
  examined jsonb[] := '{}';
  winner jsonb;
  winner_name text;
  invalid_candidate_index bigint;
  eligible_positions integer[];
  eligible_weights bigint[];
  candidate_total_weight bigint;
  candidate_accept_limit bigint;
  winner_word bigint;
  winner_roll bigint;
  recorded_candidates jsonb;
  blocked_total integer := 0;
  cooling_down_total integer := 0;
  new_draw_id bigint;
begin
  if make_raffle.kind is null or make_raffle.kind not in ('scheduled', 'manual') then
    raise exception 'make_raffle: kind must be scheduled or manual'
      using errcode = 'invalid_parameter_value';
  end if;
  if make_raffle.raffle_id is null or make_raffle.slot_at is null then
    raise exception 'make_raffle: raffle_id and slot_at are required'
      using errcode = 'invalid_parameter_value';
  end if;
  if jsonb_typeof(make_raffle.candidates) is distinct from 'array' then
    raise exception 'make_raffle: candidates must be a JSON array'
      using errcode = 'invalid_parameter_value';
  end if;
  if make_raffle.random_words is null
    or array_position(make_raffle.random_words, null) is not null
    or exists (select from unnest(make_raffle.random_words) as given(value)
               where given.value < 0 or given.value >= word_range) then
    raise exception 'make_raffle: random_words must be integers in [0, 2^48)'
      using errcode = 'invalid_parameter_value';
  end if;

  select r.* into raffle
  from raffles r
  where r.id = make_raffle.raffle_id
  for update;

  if not found
    or raffle.status = 'stopped'
    or (raffle.status = 'paused' and make_raffle.kind = 'scheduled') then
    outcome := 'not_running';
    return next;
    return;
  end if;

  if (make_raffle.kind = 'scheduled' and make_raffle.slot_at < raffle.next_slot_at)
    or exists (select from draws d where d.raffle_id = raffle.id and d.slot_at = make_raffle.slot_at) then
    outcome := 'slot_taken';
    return next;
    return;
  end if;

  -- The guild's draws are numbered, and its cooldowns read, one draw at a time.
  select g.draw_count into guild_draw_count
  from guilds g
  where g.id = raffle.guild_id
  for no key update;

  select
    array_agg(pool.id order by pool.id),
    array_agg(pool.name order by pool.id),
    array_agg(pool.weight::bigint order by pool.id),
    array_agg(pool.stock order by pool.id),
    sum(pool.weight)
  into pool_ids, pool_names, pool_weights, pool_stocks, total_weight
  from (
    select li.id, li.name, li.weight, li.stock
    from loot_items li
    where li.guild_id = raffle.guild_id
      and li.enabled
      and (li.stock is null or li.stock > 0)
    order by li.id
    for no key update
  ) pool;

  if pool_ids is null then
    outcome := 'no_items';
    return next;
    return;
  end if;

  blocked_logins := array(
    select kb.twitch_login::text from known_bots kb
    where kb.guild_id is null or kb.guild_id = raffle.guild_id
    union
    select ev.twitch_login::text from excluded_viewers ev
    where ev.guild_id = raffle.guild_id
  );
  -- Any win in the guild, in any of its raffles, after the cooldown window opened counts, even
  -- one at a later instant (a manual draw seconds after the minute a late tick is drawing for).
  -- A range of draws_guild_history: at most the window's draws.
  cooling_down_ids := array(
    select d.winner_twitch_user_id::text from draws d
    where raffle.cooldown_minutes > 0
      and d.guild_id = raffle.guild_id
      and d.slot_at > make_raffle.slot_at - make_interval(mins => raffle.cooldown_minutes)
  );

  if raffle.luck then
    -- Every candidate takes part in a weighted draw, so every one is validated and the eligible
    -- ones are weighed; the winner is chosen below, once the item roll has taken its word.
    select min(given.ordinality) - 1 into invalid_candidate_index
    from jsonb_array_elements(make_raffle.candidates) with ordinality as given(value, ordinality)
    where jsonb_typeof(given.value) is distinct from 'object'
      or given.value ->> 'id' is null
      or given.value ->> 'login' is null;
    if invalid_candidate_index is not null then
      raise exception 'make_raffle: candidate % must be an object with id and login', invalid_candidate_index
        using errcode = 'invalid_parameter_value';
    end if;

    -- Positions and weights rather than the candidates themselves, and the record (ids and
    -- weights: enough to re-check the roll, a few bytes per candidate) built in the same pass,
    -- with the count of those who cannot win and why.
    select
      array_agg(judged.position order by judged.position) filter (where judged.eligible),
      array_agg(judged.weight order by judged.position) filter (where judged.eligible),
      sum(judged.weight) filter (where judged.eligible),
      jsonb_agg(jsonb_build_object('id', judged.id, 'weight', judged.weight) order by judged.position)
        filter (where judged.eligible),
      count(*) filter (where judged.blocked),
      count(*) filter (where judged.cooling_down)
    into eligible_positions, eligible_weights, candidate_total_weight, recorded_candidates,
      blocked_total, cooling_down_total
    from (
      select
        classified.*,
        not classified.blocked and not classified.cooling_down as eligible
      from (
        select
          given.ordinality::integer - 1 as position,
          given.value ->> 'id' as id,
          -- least() on the points first: 100 + points cannot overflow whatever the points are.
          luck_base_weight + least(coalesce(vp.points, 0), luck_max_weight - luck_base_weight) as weight,
          given.value ->> 'id' = raffle.twitch_broadcaster_id
            or lower(given.value ->> 'login') = raffle.twitch_broadcaster_login
            or lower(given.value ->> 'login') = any(blocked_logins) as blocked,
          -- Counted as cooling down only when not blocked anyway.
          not (given.value ->> 'id' = raffle.twitch_broadcaster_id
            or lower(given.value ->> 'login') = raffle.twitch_broadcaster_login
            or lower(given.value ->> 'login') = any(blocked_logins))
            and given.value ->> 'id' = any(cooling_down_ids) as cooling_down
        from jsonb_array_elements(make_raffle.candidates) with ordinality as given(value, ordinality)
        left join viewer_points vp
          on vp.guild_id = raffle.guild_id
         and vp.broadcaster_id = raffle.twitch_broadcaster_id
         and vp.viewer_user_id = given.value ->> 'id'
      ) classified
    ) judged;
  else
    -- Walk the list only as far as the winner: typically one step, whatever its length. Only the
    -- candidates examined are validated and recorded.
    for candidate_index in 0 .. jsonb_array_length(make_raffle.candidates) - 1 loop
      candidate := make_raffle.candidates -> candidate_index;
      candidate_id := candidate ->> 'id';
      candidate_login := lower(candidate ->> 'login');
      if jsonb_typeof(candidate) is distinct from 'object' or candidate_id is null or candidate_login is null then
        raise exception 'make_raffle: candidate % must be an object with id and login', candidate_index
          using errcode = 'invalid_parameter_value';
      end if;
      examined := examined || candidate;
      if candidate_id = raffle.twitch_broadcaster_id
        or candidate_login = raffle.twitch_broadcaster_login
        or candidate_login = any(blocked_logins) then
        blocked_total := blocked_total + 1;
      elsif candidate_id = any(cooling_down_ids) then
        cooling_down_total := cooling_down_total + 1;
      else
        winner := candidate;
        exit;
      end if;
    end loop;
    recorded_candidates := to_jsonb(examined);
  end if;

  -- Without luck the walk found the winner already; with luck anyone eligible will do for now.
  if (not raffle.luck and winner is null) or (raffle.luck and eligible_positions is null) then
    outcome := 'no_eligible';
    chatters_seen := jsonb_array_length(make_raffle.candidates);
    excluded_count := blocked_total;
    cooling_down_count := cooling_down_total;
    cooldown_minutes := raffle.cooldown_minutes;
    if make_raffle.kind = 'scheduled' then
      -- The first empty slot of a run counts its own minute; each next one the interval since
      -- the previous slot, which is every_minutes (an offline gap in between counts as one interval).
      nobody_eligible_minutes := case when raffle.empty_minutes = 0 then 1
                                      else raffle.empty_minutes + raffle.every_minutes end;
      nobody_eligible_notice := raffle.nobody_eligible_notified_at is null
        and nobody_eligible_minutes >= nobody_eligible_notice_after_minutes;
      update raffles r
      set last_slot_at = make_raffle.slot_at,
          next_slot_at = make_raffle.slot_at + make_interval(mins => r.every_minutes),
          last_empty_slot_at = make_raffle.slot_at,
          last_empty_candidates = chatters_seen,
          last_empty_excluded = excluded_count,
          last_empty_cooling_down = cooling_down_count,
          empty_minutes = nobody_eligible_minutes,
          nobody_eligible_notified_at = case when nobody_eligible_notice then make_raffle.slot_at
                                             else r.nobody_eligible_notified_at end
      where r.id = raffle.id;
    end if;
    return next;
    return;
  end if;

  accept_limit := word_range - word_range % total_weight;
  for word_index in 1 .. coalesce(array_length(make_raffle.random_words, 1), 0) loop
    if make_raffle.random_words[word_index] < accept_limit then
      accepted_word := make_raffle.random_words[word_index];
      accepted_word_index := word_index;
      exit;
    end if;
  end loop;
  if accepted_word is null then
    outcome := 'need_randomness';
    return next;
    return;
  end if;

  if raffle.luck then
    -- The next words after the item's, with the same rejection sampling over the candidates'
    -- total weight; the roll falls in one candidate's share, walking them in the given order.
    candidate_accept_limit := word_range - word_range % candidate_total_weight;
    for word_index in accepted_word_index + 1 .. coalesce(array_length(make_raffle.random_words, 1), 0) loop
      if make_raffle.random_words[word_index] < candidate_accept_limit then
        winner_word := make_raffle.random_words[word_index];
        exit;
      end if;
    end loop;
    if winner_word is null then
      outcome := 'need_randomness';
      return next;
      return;
    end if;

    winner_roll := winner_word % candidate_total_weight;
    cumulative_weight := 0;
    for eligible_index in 1 .. array_length(eligible_positions, 1) loop
      cumulative_weight := cumulative_weight + eligible_weights[eligible_index];
      if winner_roll < cumulative_weight then
        winner := make_raffle.candidates -> eligible_positions[eligible_index];
        exit;
      end if;
    end loop;
  end if;

  item_roll := accepted_word % total_weight;
  cumulative_weight := 0;
  for pool_index in 1 .. array_length(pool_ids, 1) loop
    cumulative_weight := cumulative_weight + pool_weights[pool_index];
    if item_roll < cumulative_weight then
      chosen_index := pool_index;
      exit;
    end if;
  end loop;

  winner_name := coalesce(nullif(winner ->> 'name', ''), winner ->> 'login');

  insert into draws (
    raffle_id, guild_id, kind, slot_at, item_id, item_name,
    winner_twitch_user_id, winner_twitch_login, winner_twitch_display_name,
    random_words, item_roll, item_pool, candidates, candidate_count,
    luck, winner_roll, twitch_announcement_status, draw_number
  )
  values (
    raffle.id, raffle.guild_id, make_raffle.kind, make_raffle.slot_at,
    pool_ids[chosen_index], pool_names[chosen_index],
    winner ->> 'id', lower(winner ->> 'login'), winner_name,
    make_raffle.random_words, item_roll,
    (select jsonb_agg(jsonb_build_object('id', pool.id, 'weight', pool.weight) order by pool.ordinality)
     from unnest(pool_ids, pool_weights) with ordinality as pool(id, weight, ordinality)),
    recorded_candidates,
    jsonb_array_length(make_raffle.candidates),
    raffle.luck, winner_roll,
    case when raffle.announce_in_twitch then 'pending' else 'none' end,
    guild_draw_count + 1
  )
  -- The raffle lock already rules out a second draw for this slot; the constraint is the
  -- database's own guarantee, and a conflict here means the same thing: slot taken.
  on conflict on constraint draws_one_per_slot do nothing
  returning id into new_draw_id;

  if new_draw_id is null then
    outcome := 'slot_taken';
    return next;
    return;
  end if;

  if pool_stocks[chosen_index] is not null then
    update loot_items li
    set stock = li.stock - 1
    where li.id = pool_ids[chosen_index] and li.stock > 0;
    if not found then
      -- Unreachable while the item row is locked; refuse rather than record a draw without stock.
      raise exception 'make_raffle: item % has no stock left', pool_ids[chosen_index]
        using errcode = 'serialization_failure';
    end if;
  end if;

  update guilds g set draw_count = g.draw_count + 1 where g.id = raffle.guild_id;

  update raffles r
  set draw_count = r.draw_count + 1,
      empty_minutes = 0,
      nobody_eligible_notified_at = null,
      last_slot_at = case when make_raffle.kind = 'scheduled' then make_raffle.slot_at else r.last_slot_at end,
      next_slot_at = case when make_raffle.kind = 'scheduled'
                          then make_raffle.slot_at + make_interval(mins => r.every_minutes)
                          else r.next_slot_at end
  where r.id = raffle.id;

  outcome := 'drawn';
  draw_id := new_draw_id;
  item_id := pool_ids[chosen_index];
  item_name := pool_names[chosen_index];
  winner_twitch_user_id := winner ->> 'id';
  winner_twitch_login := lower(winner ->> 'login');
  winner_twitch_display_name := winner_name;
  return next;
end;
$$;

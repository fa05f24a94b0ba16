-- record_draw: records one draw of a raffle slot, atomically: winner, item, cooldown, stock, the
-- public proof, the announcement outbox. It decides nothing: the Worker read the entrants and
-- items (read_draw_entrants), waited for the beacon round and decided with liveloot/v1
-- (worker/fairness/livelootV1.ts, the one implementation of the pick). Here the decision is
-- checked against what is true now, under locks, and stored exactly as it will be published.
--
--   decision  {"slot", "entrants_read_at", "round" (null: no beacon), "signature", "randomness",
--              "entrants": [[user_id, login, weight]] sorted by user id as integers,
--              "entrants_sha256", "items": [[item_id, name, weight]] sorted by id, "items_sha256",
--              "item_id", "winner": {"id", "login", "name"} or null when entrants is empty,
--              "chatters_seen", "excluded_count", "cooling_down_count" (from read_draw_entrants),
--              "gate_emptied" (the gate that left nobody, checked before the read), and optionally
--              "terms_version" (the raffle's terms its chat was read under, 0020_raffle_terms.sql)}
--
-- The published lists must hash to the published hashes and contain the item and the winner;
-- anything else is a bug in the caller and raises invalid_parameter_value.
--
-- Draw numbers continue per guild: a draw is numbered guilds.draw_count + 1 ("Draw #12" is the
-- server's 12th draw), so a channel never shows two "Draw #1" after a stop and a start.
--
-- Outcomes (one row; the draw columns are set only for 'drawn', the counts only for 'no_eligible'):
--   drawn            the draw is recorded, stock taken, announcement pending; the raffle's run of
--                    empty slots ends (empty_minutes 0, so a later run may be told about again).
--                    An item with codes reserves one (loot_codes), and it or a raffle with
--                    claim_minutes opens the draw's claim (claims, n = 0), expiring claim_minutes
--                    (default 15) after slot_at
--   slot_taken       this slot was already drawn, or (scheduled) it falls before the raffle's
--                    next slot because a tick already handled it: nothing to do
--   not_running      no such raffle, it is stopped, or it is paused and the draw is scheduled
--   no_items         no enabled item has stock left: stop the raffle and say so; nothing changed
--   no_eligible      the entrants were empty: no draw. chatters_seen, excluded_count and
--                    cooling_down_count (as read) say why. A scheduled slot counts as handled
--                    (skipped) and is recorded on the raffle as its last empty slot;
--                    nobody_eligible_minutes is then the run's live minutes (the first empty slot
--                    counts 1, each next one every_minutes), and nobody_eligible_notice is true
--                    once per run, at the slot that reaches 5: tell the raffle's channel.
--   stale            between the read and now the winner won elsewhere in the guild (cooldown),
--                    was excluded, or the item ran out: nothing recorded; read the slot again.
--                    Also when the raffle's terms changed since its chat was read (a restart with
--                    new settings, a re-link): the draw would be published under terms its
--                    entrants were not read under (draws take the newest terms, by trigger)
--
-- Concurrency: the raffle row is locked first, so calls on one raffle run one after the other and
-- each sees the draws (slots) committed before it; then the guild row, so draws in one guild (a
-- stopped raffle's last one and the next raffle's first) are numbered one after the other and
-- each sees the guild's wins (cooldowns) committed before it; the guild's item rows are locked
-- next, in id order, so stock cannot change between the check and the decrement.
create or replace function record_draw(
  raffle_id bigint,
  slot_at timestamptz,
  kind text,
  decision jsonb
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
  item_list bigint;
  -- Live minutes of empty slots in a row after which the raffle's channel is told, once.
  nobody_eligible_notice_after_minutes constant integer := 5;
  raffle raffles%rowtype;
  guild_draw_count integer;
  pool_ids bigint[];
  pool_names text[];
  pool_stocks integer[];
  chosen_index integer;
  chosen_item_id bigint;
  winner jsonb;
  winner_id text;
  winner_login text;
  winner_name text;
  new_draw_id bigint;
  chosen_has_codes boolean;
  -- Items with codes always need a claim; without `claim` on the raffle, within this many minutes.
  default_claim_minutes constant integer := 15;
begin
  if record_draw.kind is null or record_draw.kind not in ('scheduled', 'manual') then
    raise exception 'record_draw: kind must be scheduled or manual'
      using errcode = 'invalid_parameter_value';
  end if;
  if record_draw.raffle_id is null or record_draw.slot_at is null then
    raise exception 'record_draw: raffle_id and slot_at are required'
      using errcode = 'invalid_parameter_value';
  end if;
  if jsonb_typeof(record_draw.decision) is distinct from 'object'
    or jsonb_typeof(record_draw.decision -> 'entrants') is distinct from 'array'
    or jsonb_typeof(record_draw.decision -> 'items') is distinct from 'array' then
    raise exception 'record_draw: decision must be an object with entrants and items arrays'
      using errcode = 'invalid_parameter_value';
  end if;
  winner := record_draw.decision -> 'winner';
  if jsonb_typeof(winner) = 'null' then
    winner := null;
  end if;
  if (winner is null) <> (jsonb_array_length(record_draw.decision -> 'entrants') = 0) then
    raise exception 'record_draw: a decision has a winner exactly when it has entrants'
      using errcode = 'invalid_parameter_value';
  end if;

  select r.* into raffle
  from raffles r
  where r.id = record_draw.raffle_id
  for update;

  if not found
    or raffle.status = 'stopped'
    or (raffle.status = 'paused' and record_draw.kind = 'scheduled') then
    outcome := 'not_running';
    return next;
    return;
  end if;

  if (record_draw.kind = 'scheduled' and record_draw.slot_at < raffle.next_slot_at)
    or exists (select from draws d where d.raffle_id = raffle.id and d.slot_at = record_draw.slot_at) then
    outcome := 'slot_taken';
    return next;
    return;
  end if;

  -- Under the raffle's lock its terms cannot change until the draw is recorded (0020).
  if record_draw.decision ? 'terms_version'
    and (record_draw.decision ->> 'terms_version')::integer is distinct from
        (select max(t.version) from raffle_terms t where t.raffle_id = raffle.id) then
    outcome := 'stale';
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
    array_agg(pool.stock order by pool.id)
  into pool_ids, pool_names, pool_stocks
  from (
    select li.id, li.name, li.stock
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

  if winner is null then
    outcome := 'no_eligible';
    chatters_seen := coalesce((record_draw.decision ->> 'chatters_seen')::integer, 0);
    excluded_count := coalesce((record_draw.decision ->> 'excluded_count')::integer, 0);
    cooling_down_count := coalesce((record_draw.decision ->> 'cooling_down_count')::integer, 0);
    cooldown_minutes := raffle.cooldown_minutes;
    if record_draw.kind = 'scheduled' then
      -- The first empty slot of a run counts its own minute; each next one the interval since
      -- the previous slot, which is every_minutes (an offline gap in between counts as one interval).
      nobody_eligible_minutes := case when raffle.empty_minutes = 0 then 1
                                      else raffle.empty_minutes + raffle.every_minutes end;
      nobody_eligible_notice := raffle.nobody_eligible_notified_at is null
        and nobody_eligible_minutes >= nobody_eligible_notice_after_minutes;
      update raffles r
      set last_slot_at = record_draw.slot_at,
          next_slot_at = record_draw.slot_at + make_interval(mins => r.every_minutes),
          last_empty_slot_at = record_draw.slot_at,
          last_empty_candidates = chatters_seen,
          last_empty_excluded = excluded_count,
          last_empty_cooling_down = cooling_down_count,
          last_empty_gate = record_draw.decision ->> 'gate_emptied',
          empty_minutes = nobody_eligible_minutes,
          nobody_eligible_notified_at = case when nobody_eligible_notice then record_draw.slot_at
                                             else r.nobody_eligible_notified_at end
      where r.id = raffle.id;
    end if;
    return next;
    return;
  end if;

  -- The lists must be in the canonical form a verifier recomputes (docs/fairness.md, liveloot/v1 steps 1
  -- and 2): ids of decimal digits, strictly increasing as integers (so none twice), weights
  -- integers >= 1. The hashes below are taken over the lines in the order given: without this, an
  -- unsorted list with its own hash would be stored and published with a hash no verifier gets.
  if exists (
    select from (
      select
        line.value ->> 0 as id,
        line.value -> 2 as weight,
        lag(line.value ->> 0) over (partition by lists.name order by line.ordinality) as previous_id
      from (values ('entrants', record_draw.decision -> 'entrants'),
                   ('items', record_draw.decision -> 'items')) as lists(name, lines)
      cross join lateral jsonb_array_elements(lists.lines) with ordinality as line(value, ordinality)
    ) checked
    where coalesce(checked.id, '') !~ '^[0-9]{1,20}$'
       or jsonb_typeof(checked.weight) is distinct from 'number'
       or checked.weight::text !~ '^[1-9][0-9]{0,14}$'
       or case when checked.previous_id ~ '^[0-9]{1,20}$' and checked.id ~ '^[0-9]{1,20}$'
               then checked.previous_id::numeric >= checked.id::numeric
               else false end
  ) then
    raise exception 'record_draw: entrants and items must be sorted by id as integers, each id once, weights integers >= 1'
      using errcode = 'invalid_parameter_value';
  end if;
  -- The record must be what will be published: lists that hash to their hashes and that hold
  -- the winner and the item.
  if encode(sha256(convert_to(coalesce((
       select string_agg((line.value ->> 0) || ':' || (line.value ->> 2) || E'\n', '' order by line.ordinality)
       from jsonb_array_elements(record_draw.decision -> 'entrants') with ordinality as line(value, ordinality)), ''),
       'UTF8')), 'hex') is distinct from record_draw.decision ->> 'entrants_sha256'
    or encode(sha256(convert_to(coalesce((
       select string_agg((line.value ->> 0) || ':' || (line.value ->> 2) || E'\n', '' order by line.ordinality)
       from jsonb_array_elements(record_draw.decision -> 'items') with ordinality as line(value, ordinality)), ''),
       'UTF8')), 'hex') is distinct from record_draw.decision ->> 'items_sha256' then
    raise exception 'record_draw: the entrants or items do not hash to their published hashes'
      using errcode = 'invalid_parameter_value';
  end if;
  -- A beacon round's randomness is sha256 of its signature; a scheduled slot is named by its minute.
  if (record_draw.decision ->> 'round' is not null
      and encode(sha256(decode(coalesce(record_draw.decision ->> 'signature', ''), 'hex')), 'hex')
          is distinct from record_draw.decision ->> 'randomness')
    or (record_draw.kind = 'scheduled'
        and record_draw.decision ->> 'slot' is distinct from
            to_char(record_draw.slot_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')) then
    raise exception 'record_draw: randomness must be sha256(signature), and a scheduled slot its UTC minute'
      using errcode = 'invalid_parameter_value';
  end if;
  winner_id := winner ->> 'id';
  winner_login := lower(winner ->> 'login');
  winner_name := coalesce(nullif(winner ->> 'name', ''), winner ->> 'login');
  chosen_item_id := (record_draw.decision ->> 'item_id')::bigint;
  if winner_id is null or winner_login is null
    or not exists (select from jsonb_array_elements(record_draw.decision -> 'entrants') line(value)
                   where line.value ->> 0 = winner_id)
    or chosen_item_id is null
    or not exists (select from jsonb_array_elements(record_draw.decision -> 'items') line(value)
                   where (line.value ->> 0)::bigint = chosen_item_id) then
    raise exception 'record_draw: the winner and the item must be among the published entrants and items'
      using errcode = 'invalid_parameter_value';
  end if;

  -- Since the read: the item may have run out, the winner may have won elsewhere in the guild
  -- or been excluded. The decision then stands for nothing; the caller reads the slot again.
  chosen_index := array_position(pool_ids, chosen_item_id);
  if chosen_index is null
    or winner_id = raffle.twitch_broadcaster_id
    or winner_login = raffle.twitch_broadcaster_login
    or winner_login = any(draw_blocked_logins(raffle.guild_id))
    or winner_id = any(draw_cooling_down_ids(raffle.guild_id, raffle.cooldown_minutes, record_draw.slot_at)) then
    outcome := 'stale';
    return next;
    return;
  end if;

  -- The items list is stored once per server and hash (0025_draw_item_lists.sql), not per draw.
  insert into draw_item_lists (guild_id, items_sha256, items)
  values (raffle.guild_id, record_draw.decision ->> 'items_sha256', record_draw.decision -> 'items')
  on conflict on constraint draw_item_lists_one_per_hash do nothing;
  select l.id into item_list from draw_item_lists l
  where l.guild_id = raffle.guild_id and l.items_sha256 = record_draw.decision ->> 'items_sha256';

  insert into draws (
    raffle_id, guild_id, kind, slot_at, item_id, item_name,
    winner_twitch_user_id, winner_twitch_login, winner_twitch_display_name,
    candidate_count, luck, twitch_announcement_status, draw_number,
    algorithm, slot_label, beacon_round, beacon_signature, randomness, entrants_read_at,
    entrants, entrants_sha256, item_list_id, items_sha256, announcement_next_attempt_at
  )
  values (
    raffle.id, raffle.guild_id, record_draw.kind, record_draw.slot_at,
    pool_ids[chosen_index], pool_names[chosen_index],
    winner_id, winner_login, winner_name,
    greatest(coalesce((record_draw.decision ->> 'chatters_seen')::integer, 1), 1), raffle.luck,
    case when raffle.announce_in_twitch then 'pending' else 'none' end,
    guild_draw_count + 1,
    'liveloot/v1', record_draw.decision ->> 'slot', (record_draw.decision ->> 'round')::bigint,
    record_draw.decision ->> 'signature', record_draw.decision ->> 'randomness',
    (record_draw.decision ->> 'entrants_read_at')::timestamptz,
    record_draw.decision -> 'entrants', record_draw.decision ->> 'entrants_sha256',
    item_list, record_draw.decision ->> 'items_sha256',
    -- Due at its slot, on the caller's clock, not the database's: a tick of an earlier minute
    -- never takes it, and the tick that drew it leases it as due (announcementOutbox.ts).
    record_draw.slot_at
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
      raise exception 'record_draw: item % has no stock left', pool_ids[chosen_index]
        using errcode = 'serialization_failure';
    end if;
  end if;

  -- A prize with codes reserves one (its stock counted it); it, or a raffle started with `claim`,
  -- needs the winner to claim it: the draw's first claim (n = 0) opens now.
  chosen_has_codes := exists (select from loot_codes lc where lc.item_id = pool_ids[chosen_index]);
  if chosen_has_codes then
    update loot_codes lc
    set status = 'reserved', draw_id = new_draw_id
    where lc.id = (select c.id from loot_codes c
                   where c.item_id = pool_ids[chosen_index] and c.status = 'available'
                   order by c.id limit 1 for update);
    if not found then
      -- Unreachable while stock counts the available codes and the item row is locked.
      raise exception 'record_draw: item % has stock but no available code', pool_ids[chosen_index]
        using errcode = 'serialization_failure';
    end if;
  end if;
  if chosen_has_codes or raffle.claim_minutes is not null then
    insert into claims (draw_id, n, winner_twitch_user_id, winner_twitch_login, winner_twitch_display_name, expires_at)
    values (new_draw_id, 0, winner_id, winner_login, winner_name,
            record_draw.slot_at + make_interval(mins => coalesce(raffle.claim_minutes, default_claim_minutes)));
  end if;

  update guilds g set draw_count = g.draw_count + 1 where g.id = raffle.guild_id;

  update raffles r
  set draw_count = r.draw_count + 1,
      empty_minutes = 0,
      nobody_eligible_notified_at = null,
      last_slot_at = case when record_draw.kind = 'scheduled' then record_draw.slot_at else r.last_slot_at end,
      next_slot_at = case when record_draw.kind = 'scheduled'
                          then record_draw.slot_at + make_interval(mins => r.every_minutes)
                          else r.next_slot_at end
  where r.id = raffle.id;

  outcome := 'drawn';
  draw_id := new_draw_id;
  item_id := pool_ids[chosen_index];
  item_name := pool_names[chosen_index];
  winner_twitch_user_id := winner_id;
  winner_twitch_login := winner_login;
  winner_twitch_display_name := winner_name;
  return next;
end;
$$;

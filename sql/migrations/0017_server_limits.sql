-- 0017: what one Discord server may hold (issue 21). Without a bound, one server's loot table
-- (100,000 items fit through /loot import) made every tick carry megabytes for it and stalled the
-- draws of every other server. The limits are far above what a streamer uses and low enough that
-- one raffle's share of a tick stays small (README.md, "Cost of one raffle-minute"):
--
--   loot_items_per_guild          1,000 items per server (a tick reads every drawable one)
--   loot_codes_per_item           1,000 unused prize codes per item (one /loot codes takes 1,000)
--   loot_codes_per_guild         10,000 unused prize codes per server
--   excluded_viewers_per_guild    1,000 excluded viewers per server (a tick reads them all)
--
-- Raffle rules are already at most 1,000 characters (raffles_rules_check, 0012).
--
-- Each limit is checked after the statement that adds rows, by a statement-level trigger over the
-- rows it added, whoever writes them (insert_items, add_loot_codes, /raffle exclude, a shell). A
-- refusal raises 54000 program_limit_exceeded with the limit's name in the error's `constraint`,
-- which the Worker maps to a localized message naming the number; the statement and its
-- transaction change nothing. A per-guild advisory lock makes two concurrent writers take turns,
-- so they cannot both pass a count that together they exceed. Rows already above a limit stay;
-- nothing more can be added until the server is below it.

create function enforce_guild_row_limit(guild_ids text[], limit_name text, maximum integer, counted bigint[])
returns void
language plpgsql
as $$
declare
  over_index integer;
begin
  select ordinality into over_index
  from unnest(counted) with ordinality as counts(value, ordinality)
  where counts.value > maximum
  limit 1;
  if over_index is not null then
    raise exception '%: server % would hold % of at most %', limit_name, guild_ids[over_index],
        counted[over_index], maximum
      using errcode = 'program_limit_exceeded', constraint = limit_name,
        hint = format('the limit is %s', maximum);
  end if;
end;
$$;

create function enforce_loot_items_per_guild()
returns trigger
language plpgsql
as $$
declare
  guild_ids text[];
  counts bigint[];
begin
  select array_agg(distinct added.guild_id order by added.guild_id) into guild_ids from added;
  if guild_ids is null then
    return null;
  end if;
  perform pg_advisory_xact_lock(hashtextextended('liveloot:loot_items:' || guild_id, 0))
  from unnest(guild_ids) as guild_id order by guild_id;
  select array_agg((select count(*) from loot_items li where li.guild_id = ids.guild_id) order by ids.ordinality)
  into counts
  from unnest(guild_ids) with ordinality as ids(guild_id, ordinality);
  perform enforce_guild_row_limit(guild_ids, 'loot_items_per_guild', 1000, counts);
  return null;
end;
$$;

create trigger loot_items_per_guild after insert on loot_items
  referencing new table as added
  for each statement execute function enforce_loot_items_per_guild();

create function enforce_loot_codes_limits()
returns trigger
language plpgsql
as $$
declare
  guild_ids text[];
  counts bigint[];
  over_item bigint;
  over_count bigint;
begin
  select array_agg(distinct added.guild_id order by added.guild_id) into guild_ids from added;
  if guild_ids is null then
    return null;
  end if;
  perform pg_advisory_xact_lock(hashtextextended('liveloot:loot_codes:' || guild_id, 0))
  from unnest(guild_ids) as guild_id order by guild_id;

  select item.item_id, item.available into over_item, over_count
  from (select distinct added.item_id from added) touched
  cross join lateral (
    select touched.item_id, count(*) as available
    from loot_codes lc where lc.item_id = touched.item_id and lc.status = 'available'
  ) item
  where item.available > 1000
  limit 1;
  if over_item is not null then
    raise exception 'loot_codes_per_item: item % would have % unused codes of at most %', over_item, over_count, 1000
      using errcode = 'program_limit_exceeded', constraint = 'loot_codes_per_item', hint = 'the limit is 1000';
  end if;

  select array_agg(
           (select count(*) from loot_codes lc where lc.guild_id = ids.guild_id and lc.status = 'available')
           order by ids.ordinality)
  into counts
  from unnest(guild_ids) with ordinality as ids(guild_id, ordinality);
  perform enforce_guild_row_limit(guild_ids, 'loot_codes_per_guild', 10000, counts);
  return null;
end;
$$;

create trigger loot_codes_limits after insert on loot_codes
  referencing new table as added
  for each statement execute function enforce_loot_codes_limits();

create function enforce_excluded_viewers_per_guild()
returns trigger
language plpgsql
as $$
declare
  guild_ids text[];
  counts bigint[];
begin
  select array_agg(distinct added.guild_id order by added.guild_id) into guild_ids from added;
  if guild_ids is null then
    return null;
  end if;
  perform pg_advisory_xact_lock(hashtextextended('liveloot:excluded_viewers:' || guild_id, 0))
  from unnest(guild_ids) as guild_id order by guild_id;
  select array_agg((select count(*) from excluded_viewers ev where ev.guild_id = ids.guild_id) order by ids.ordinality)
  into counts
  from unnest(guild_ids) with ordinality as ids(guild_id, ordinality);
  perform enforce_guild_row_limit(guild_ids, 'excluded_viewers_per_guild', 1000, counts);
  return null;
end;
$$;

create trigger excluded_viewers_per_guild after insert on excluded_viewers
  referencing new table as added
  for each statement execute function enforce_excluded_viewers_per_guild();

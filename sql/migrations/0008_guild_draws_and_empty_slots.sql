-- Cooldowns and draw numbers belong to the server, not to one raffle run, and a raffle keeps why
-- its last live slots drew nothing.

-- make_raffle's result gains columns (why nobody was eligible): `create or replace` cannot change
-- them, so the old function goes and functions/make_raffle.sql recreates it in the same run.
drop function if exists make_raffle(bigint, timestamptz, text, jsonb, bigint[]);

-- Draw numbers continue per server ("Draw #12" is the server's 12th draw), so stopping and
-- starting never shows a second "Draw #1". make_raffle takes the next number under this row's
-- lock. Draws made before this migration keep their per-raffle numbers; the counter starts after
-- the guild's draw count, which is at least any number already shown.
alter table guilds add column draw_count integer not null default 0 check (draw_count >= 0);

update guilds g set draw_count = counted.total
from (select guild_id, count(*)::integer as total from draws group by guild_id) counted
where g.id = counted.guild_id;

-- From now on a number is unique in its guild. Older rows may repeat one (they were numbered per
-- raffle), so the index covers only the draws made after this migration.
do $$
begin
  execute format(
    'create unique index draws_guild_draw_number on draws (guild_id, draw_number) where id > %s',
    (select coalesce(max(id), 0) from draws)
  );
end;
$$;

-- Why the last live scheduled slot drew nothing, as counts over the candidates make_raffle got:
-- 0 candidates = nobody in chat; otherwise each was excluded (broadcaster, known bot or excluded
-- viewer) or on cooldown. `empty_minutes` are the live minutes of the current run of empty slots
-- (the first counts 1, each next one `every_minutes`); a draw resets it to 0 and clears
-- `nobody_eligible_notified_at`, which marks that the channel was told (once per run).
alter table raffles
  add column last_empty_slot_at timestamptz,
  add column last_empty_candidates integer check (last_empty_candidates >= 0),
  add column last_empty_excluded integer check (last_empty_excluded >= 0),
  add column last_empty_cooling_down integer check (last_empty_cooling_down >= 0),
  add column empty_minutes integer not null default 0 check (empty_minutes >= 0),
  add column nobody_eligible_notified_at timestamptz,
  add constraint raffles_last_empty_complete check (
    (last_empty_slot_at is null) = (last_empty_candidates is null)
    and (last_empty_slot_at is null) = (last_empty_excluded is null)
    and (last_empty_slot_at is null) = (last_empty_cooling_down is null)
  ),
  add constraint raffles_last_empty_counts check (
    last_empty_excluded + last_empty_cooling_down <= last_empty_candidates
  );

-- A draw's public record shows the terms it was drawn under. Restarting a paused raffle with new
-- settings replaced its rules, and a re-link to another Twitch account replaced its channel, for
-- every draw already made: the public page rewrote its own past. Now the terms the public page
-- shows (the channel, the interval, the cooldown, luck, the gates and the streamer's rules) are
-- versioned per raffle in `raffle_terms`, a new version whenever one of them changes, and each
-- draw references the version in force when it was recorded. The raffle keeps its public id, so
-- its links and the `{raffle}` of its word messages stay valid; one row per version, not a copy of
-- up to 1,000 characters of rules in every minute's draw.
--
-- Both are kept by triggers, whichever statement starts, restarts or retargets a raffle, or records
-- a draw: make_raffle, /raffle start, a re-link, a test or an operator's own SQL.
create table raffle_terms (
  id bigint generated always as identity primary key,
  raffle_id bigint not null references raffles (id) on delete cascade,
  -- 1 for the terms the raffle started with, then + 1 for each change.
  version integer not null check (version >= 1),
  twitch_broadcaster_id twitch_id_text not null,
  twitch_broadcaster_login twitch_login_text not null,
  every_minutes integer not null check (every_minutes between 1 and 60),
  cooldown_minutes integer not null check (cooldown_minutes between 0 and 1440),
  luck boolean not null,
  rules text check (char_length(rules) between 1 and 1000),
  followers_only boolean not null,
  min_follow_minutes integer not null check (min_follow_minutes between 0 and 525600),
  subscribers_only boolean not null,
  min_account_days integer not null check (min_account_days between 0 and 3650),
  active_minutes integer not null check (active_minutes between 0 and 60),
  -- When this version took effect (the database's clock; the raffle's start for version 1).
  recorded_at timestamptz not null default now(),
  constraint raffle_terms_one_per_version unique (raffle_id, version),
  -- The target of draws' (raffle_id, terms_id): a draw's terms are its own raffle's.
  constraint raffle_terms_raffle_id unique (raffle_id, id)
);

-- Runs under the raffle row's lock (the insert or update that fired it holds it), so two changes
-- of one raffle cannot take the same version number.
create function record_raffle_terms() returns trigger
language plpgsql
as $$
begin
  insert into raffle_terms (
    raffle_id, version, twitch_broadcaster_id, twitch_broadcaster_login, every_minutes, cooldown_minutes,
    luck, rules, followers_only, min_follow_minutes, subscribers_only, min_account_days, active_minutes,
    recorded_at
  )
  values (
    new.id,
    coalesce((select max(t.version) from raffle_terms t where t.raffle_id = new.id), 0) + 1,
    new.twitch_broadcaster_id, new.twitch_broadcaster_login, new.every_minutes, new.cooldown_minutes,
    new.luck, new.rules, new.followers_only, new.min_follow_minutes, new.subscribers_only,
    new.min_account_days, new.active_minutes,
    case when tg_op = 'INSERT' then new.started_at else now() end
  );
  return null;
end;
$$;

-- Existing raffles: their current terms are version 1, and every draw already made references it
-- (what the page showed for them until now).
insert into raffle_terms (
  raffle_id, version, twitch_broadcaster_id, twitch_broadcaster_login, every_minutes, cooldown_minutes,
  luck, rules, followers_only, min_follow_minutes, subscribers_only, min_account_days, active_minutes,
  recorded_at
)
select r.id, 1, r.twitch_broadcaster_id, r.twitch_broadcaster_login, r.every_minutes, r.cooldown_minutes,
  r.luck, r.rules, r.followers_only, r.min_follow_minutes, r.subscribers_only, r.min_account_days,
  r.active_minutes, r.started_at
from raffles r;

create trigger raffles_record_first_terms after insert on raffles
  for each row execute function record_raffle_terms();

create trigger raffles_record_changed_terms
  after update of twitch_broadcaster_id, twitch_broadcaster_login, every_minutes, cooldown_minutes, luck, rules,
    followers_only, min_follow_minutes, subscribers_only, min_account_days, active_minutes
  on raffles
  for each row
  when ((old.twitch_broadcaster_id, old.twitch_broadcaster_login, old.every_minutes, old.cooldown_minutes,
         old.luck, old.rules, old.followers_only, old.min_follow_minutes, old.subscribers_only,
         old.min_account_days, old.active_minutes)
        is distinct from
        (new.twitch_broadcaster_id, new.twitch_broadcaster_login, new.every_minutes, new.cooldown_minutes,
         new.luck, new.rules, new.followers_only, new.min_follow_minutes, new.subscribers_only,
         new.min_account_days, new.active_minutes))
  execute function record_raffle_terms();

alter table draws add column terms_id bigint;
update draws d set terms_id = t.id from raffle_terms t where t.raffle_id = d.raffle_id;
-- The foreign key's checks find a raffle's draws through draws_one_per_slot (raffle_id, slot_at).
alter table draws
  alter column terms_id set not null,
  add constraint draws_terms_fkey foreign key (raffle_id, terms_id) references raffle_terms (raffle_id, id);

-- A draw is stamped with its raffle's newest terms as it is recorded, whatever the statement says:
-- make_raffle holds the raffle row's lock, so no change of terms can slip between the two.
create function stamp_draw_terms() returns trigger
language plpgsql
as $$
begin
  new.terms_id := (
    select t.id from raffle_terms t where t.raffle_id = new.raffle_id order by t.version desc limit 1
  );
  return new;
end;
$$;

create trigger draws_stamp_terms before insert on draws
  for each row execute function stamp_draw_terms();

-- A recorded draw's terms are part of its public record: they never change.
create function keep_draw_terms() returns trigger
language plpgsql
as $$
begin
  raise exception 'a draw''s terms are part of its public record and cannot change'
    using errcode = 'integrity_constraint_violation';
end;
$$;

create trigger draws_keep_terms before update of terms_id on draws
  for each row when (old.terms_id is distinct from new.terms_id) execute function keep_draw_terms();

-- make_raffle: the first name of record_draw (renamed in 0024_record_draw.sql), kept as an alias
-- for callers outside the Worker; the Worker calls record_draw. Same arguments, same rows.
create or replace function make_raffle(
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
begin
  return query select * from record_draw(make_raffle.raffle_id, make_raffle.slot_at, make_raffle.kind, make_raffle.decision);
end;
$$;

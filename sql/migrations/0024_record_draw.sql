-- make_raffle records a draw; it is called record_draw now (sql/functions/record_draw.sql). The
-- function files are re-applied after the migrations, so this only moves the existing function to
-- its new name (a fresh database has none yet); sql/functions/make_raffle.sql keeps the old name
-- as a thin alias, for anything outside the Worker that still calls it.
do $$
begin
  if to_regprocedure('make_raffle(bigint, timestamptz, text, jsonb)') is not null
     and to_regprocedure('record_draw(bigint, timestamptz, text, jsonb)') is null then
    alter function make_raffle(bigint, timestamptz, text, jsonb) rename to record_draw;
  end if;
end
$$;

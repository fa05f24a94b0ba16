-- expire_claim: ends one unclaimed prize whose window has passed, atomically: the claim expires,
-- and either the next winner's claim opens (a redraw, announced through the claims outbox) or,
-- when nobody is left or this was the third redraw, a reserved prize code goes back to stock.
-- It decides nothing: the Worker picked `next_winner_user_id` with liveloot/v1
-- (decideRedraw(n + 1, the draw's record, its earlier winners); docs/fairness.md,
-- step 6). Here that pick is checked against the draw's published entrants under the claim's
-- lock, so a replayed or overlapping tick redraws nothing twice.
--
--   claim_id             the claim to expire (status 'open', expires_at <= now)
--   tick_at              the tick's scheduledTime
--   next_winner_user_id  the redraw's winner, or null when nobody is left (or n = 3)
--
-- Outcomes (one row):
--   redrawn    the claim expired; claims n + 1 opens for the next winner (login from the draw's
--              entrants), expiring tick_at + the raffle's claim_minutes (default 15), its announcement
--              pending; new_claim_id names it
--   returned   the claim expired and no redraw follows; the draw's reserved code (if any) is
--              available again and its item's stock counts it (code_returned)
--   not_due    nothing changed: the claim is gone, claimed, already expired or not yet due
--
-- Locks: the claim, then (returning a code) its item before the code, in record_draw's order.
--
-- A next winner who is not in the draw's entrants or is one of its earlier winners, a null one
-- while someone is left and n < 3, or any one after redraw 3: a bug in the caller,
-- invalid_parameter_value.
create or replace function expire_claim(
  claim_id bigint,
  tick_at timestamptz,
  next_winner_user_id text
)
returns table (
  outcome text,
  new_claim_id bigint,
  code_returned boolean
)
language plpgsql
volatile
as $$
declare
  -- Items with codes always need a claim; without `claim` on the raffle, within this many minutes.
  default_claim_minutes constant integer := 15;
  maximum_redraws constant integer := 3;
  claim claims%rowtype;
  draw_entrants jsonb;
  raffle_claim_minutes integer;
  earlier_winners text[];
  remaining integer;
  next_login text;
  returned_item_id bigint;
begin
  if expire_claim.claim_id is null or expire_claim.tick_at is null then
    raise exception 'expire_claim: claim_id and tick_at are required' using errcode = 'invalid_parameter_value';
  end if;

  select c.* into claim from claims c where c.id = expire_claim.claim_id for update;
  if not found or claim.status <> 'open' or claim.expires_at > expire_claim.tick_at then
    outcome := 'not_due';
    code_returned := false;
    return next;
    return;
  end if;

  select d.entrants, r.claim_minutes into draw_entrants, raffle_claim_minutes
  from draws d join raffles r on r.id = d.raffle_id
  where d.id = claim.draw_id;

  select array_agg(c.winner_twitch_user_id) into earlier_winners
  from claims c where c.draw_id = claim.draw_id and c.n <= claim.n;

  select count(*) into remaining
  from jsonb_array_elements(coalesce(draw_entrants, '[]'::jsonb)) as entrant
  where not ((entrant ->> 0) = any (earlier_winners));

  update claims c set status = 'expired' where c.id = claim.id;

  if expire_claim.next_winner_user_id is not null then
    if claim.n >= maximum_redraws then
      raise exception 'expire_claim: claim % was the last redraw', claim.id using errcode = 'invalid_parameter_value';
    end if;
    if expire_claim.next_winner_user_id = any (earlier_winners) then
      raise exception 'expire_claim: % already won draw %', expire_claim.next_winner_user_id, claim.draw_id
        using errcode = 'invalid_parameter_value';
    end if;
    select entrant ->> 1 into next_login
    from jsonb_array_elements(coalesce(draw_entrants, '[]'::jsonb)) as entrant
    where (entrant ->> 0) = expire_claim.next_winner_user_id;
    if next_login is null then
      raise exception 'expire_claim: % is not an entrant of draw %', expire_claim.next_winner_user_id, claim.draw_id
        using errcode = 'invalid_parameter_value';
    end if;
    -- The published record names entrants by login only; the login is their display name here.
    insert into claims (draw_id, n, winner_twitch_user_id, winner_twitch_login, winner_twitch_display_name,
      expires_at, announcement_status, announcement_next_attempt_at)
    values (claim.draw_id, claim.n + 1, expire_claim.next_winner_user_id, next_login, next_login,
      expire_claim.tick_at + make_interval(mins => coalesce(raffle_claim_minutes, default_claim_minutes)),
      'pending', expire_claim.tick_at)
    returning id into new_claim_id;
    outcome := 'redrawn';
    code_returned := false;
    return next;
    return;
  end if;

  if claim.n < maximum_redraws and remaining > 0 then
    raise exception 'expire_claim: claim % has % entrants left to redraw among', claim.id, remaining
      using errcode = 'invalid_parameter_value';
  end if;

  -- Nobody takes the prize: its code is free again, and the item's stock counts it. An item
  -- removed since (0015) has no stock to return it to: its code goes, as its unused codes went.
  select lc.item_id into returned_item_id
  from loot_codes lc where lc.draw_id = claim.draw_id and lc.status = 'reserved';
  code_returned := returned_item_id is not null;
  if code_returned then
    perform from loot_items li where li.id = returned_item_id for update;
    if found then
      update loot_codes lc set status = 'available', draw_id = null
      where lc.draw_id = claim.draw_id and lc.status = 'reserved';
      update loot_items li set stock = li.stock + 1 where li.id = returned_item_id and li.stock is not null;
    else
      delete from loot_codes lc where lc.draw_id = claim.draw_id and lc.status = 'reserved';
      code_returned := false;
    end if;
  end if;
  outcome := 'returned';
  return next;
end;
$$;

-- add_loot_codes: adds sealed prize codes to one item (/loot codes), all or none, and makes the
-- item's stock its number of available codes, in one transaction.
--
-- codes is a JSON array of {"seal_id": uuid, "ciphertext": text, "key_id": text, "digest": text}:
-- each code already sealed by the Worker (AES-256-GCM, additional data
-- `loot-code:{item_id}:{seal_id}`) and its digest (HMAC-SHA256, 64 hex digits, under a key derived
-- from the sealing key). During a key rotation an element also carries "previous_digest", the
-- code's digest under the previous key, which a code still sealed with that key has stored. No
-- plaintext code ever reaches the database.
--
-- Returns one row:
--   added       every code stored; `added` codes, the item's stock is now `available`
--   no_item     no item with that id in this guild (removed meanwhile): nothing stored
--   duplicate   a digest is already stored in this guild, or appears twice in `codes`:
--               `duplicate_index` is the 1-based position of the first such code; nothing stored
-- A shape error (not an array, a bad field) raises 22023 invalid_parameter_value; a check of
-- loot_codes (ciphertext length, digest format) raises 23514. More than 1,000 unused codes for the
-- item, or 10,000 in the guild, raises 54000 program_limit_exceeded with constraint
-- loot_codes_per_item or loot_codes_per_guild (0017_server_limits.sql); nothing is stored.
create or replace function add_loot_codes(guild_id text, item_id bigint, codes jsonb)
returns table (outcome text, item_name text, added integer, available integer, duplicate_index integer)
language plpgsql
volatile
as $$
#variable_conflict use_column
declare
  locked_name text;
  first_duplicate integer;
  inserted_count integer;
begin
  if jsonb_typeof(add_loot_codes.codes) is distinct from 'array' or jsonb_array_length(add_loot_codes.codes) = 0 then
    raise exception 'add_loot_codes: codes must be a non-empty JSON array' using errcode = 'invalid_parameter_value';
  end if;
  if exists (
    select from jsonb_array_elements(add_loot_codes.codes) element
    where jsonb_typeof(element) is distinct from 'object'
      or jsonb_typeof(element -> 'seal_id') is distinct from 'string'
      or jsonb_typeof(element -> 'ciphertext') is distinct from 'string'
      or jsonb_typeof(element -> 'key_id') is distinct from 'string'
      or jsonb_typeof(element -> 'digest') is distinct from 'string'
      or jsonb_typeof(coalesce(element -> 'previous_digest', '""')) is distinct from 'string'
  ) then
    raise exception 'add_loot_codes: every code must be {seal_id, ciphertext, key_id, digest}'
      using errcode = 'invalid_parameter_value';
  end if;

  -- The item row is locked as record_draw locks it, so a draw waits for the new stock or is seen
  -- by it; two /loot codes on one item take turns, so their duplicate checks cannot both pass.
  select li.name into locked_name
  from loot_items li
  where li.guild_id = add_loot_codes.guild_id and li.id = add_loot_codes.item_id
  for no key update;
  if locked_name is null then
    return query select 'no_item', null::text, 0, 0, null::integer;
    return;
  end if;

  -- The first code whose digest is already in the guild or earlier in this list.
  select min(numbered.ordinality)::integer into first_duplicate
  from (
    select element.ordinality, element.value ->> 'digest' as digest,
      element.value ->> 'previous_digest' as previous_digest,
      row_number() over (partition by element.value ->> 'digest' order by element.ordinality) as occurrence
    from jsonb_array_elements(add_loot_codes.codes) with ordinality as element
  ) numbered
  where numbered.occurrence > 1
    or exists (select from loot_codes lc
               where lc.guild_id = add_loot_codes.guild_id
                 and lc.code_digest in (numbered.digest, numbered.previous_digest));
  if first_duplicate is not null then
    return query select 'duplicate', locked_name, 0, 0, first_duplicate;
    return;
  end if;

  insert into loot_codes (guild_id, item_id, seal_id, code_ciphertext, code_key_id, code_digest)
  select add_loot_codes.guild_id, add_loot_codes.item_id, (element.value ->> 'seal_id')::uuid,
    element.value ->> 'ciphertext', element.value ->> 'key_id', element.value ->> 'digest'
  from jsonb_array_elements(add_loot_codes.codes) with ordinality as element
  order by element.ordinality;
  get diagnostics inserted_count = row_count;

  -- An item with codes has exactly as much stock as it has available codes.
  return query
  update loot_items li
  set stock = (select count(*)::integer from loot_codes lc
               where lc.item_id = li.id and lc.status = 'available')
  where li.id = add_loot_codes.item_id
  returning 'added', li.name, inserted_count, li.stock, null::integer;
end;
$$;

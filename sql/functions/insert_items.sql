-- insert_items: adds or updates a guild's loot items in one call (/loot add, /loot import).
--
-- items is a JSON array of {"name": text, "weight": integer, "stock": integer | null}; a missing
-- or null stock means unlimited. Names match existing items case-insensitively; an update takes
-- the spelling, weight and stock just given (the streamer's latest word), and leaves `enabled`
-- alone. The whole batch is validated before anything is written, so a bad item changes nothing.
--
-- Errors carry a SQLSTATE the Worker maps to a message, and name the item by position and name:
--   22023 invalid_parameter_value  items is not an array of objects, or a field has the wrong type
--   23514 check_violation          name not 1–100 characters, weight not 1–1,000,000, stock < 0
--   23505 unique_violation         the same name (ignoring case) twice in one batch
--   54000 program_limit_exceeded   the guild would hold more than 1,000 items (constraint
--                                  loot_items_per_guild, a trigger of 0017_server_limits.sql)
-- The offending field is also in the error's `column` (name, weight or stock).
--
-- Returns one row per item, in input order, with outcome 'inserted' or 'updated'.
create or replace function insert_items(guild_id text, items jsonb)
returns table (
  outcome text,
  item_id bigint,
  name text,
  weight integer,
  stock integer,
  enabled boolean
)
language plpgsql
volatile
as $$
#variable_conflict use_column
declare
  item jsonb;
  item_label text;
  item_name text;
  weight_value jsonb;
  stock_value jsonb;
  seen_names text[] := '{}';
begin
  if jsonb_typeof(insert_items.items) is distinct from 'array' then
    raise exception 'insert_items: items must be a JSON array'
      using errcode = 'invalid_parameter_value';
  end if;

  for item_index in 0 .. jsonb_array_length(insert_items.items) - 1 loop
    item := insert_items.items -> item_index;
    item_label := format('item %s', item_index + 1);
    if jsonb_typeof(item) is distinct from 'object' then
      raise exception '%: must be an object with name, weight and stock', item_label
        using errcode = 'invalid_parameter_value';
    end if;

    if jsonb_typeof(item -> 'name') is distinct from 'string' then
      raise exception '%: name must be text', item_label
        using errcode = 'invalid_parameter_value', column = 'name';
    end if;
    item_name := item ->> 'name';
    item_label := format('item %s "%s"', item_index + 1, left(item_name, 100));
    if char_length(item_name) not between 1 and 100 then
      raise exception '%: name must be 1 to 100 characters, got %', item_label, char_length(item_name)
        using errcode = 'check_violation', column = 'name', table = 'loot_items';
    end if;
    if item_name !~ '\S' then
      raise exception '%: name must not be blank', item_label
        using errcode = 'check_violation', column = 'name', table = 'loot_items';
    end if;
    if lower(item_name) = any(seen_names) then
      raise exception '%: the same name appears twice in this list', item_label
        using errcode = 'unique_violation', column = 'name', table = 'loot_items';
    end if;
    seen_names := seen_names || lower(item_name);

    -- Nested ifs, not one "or": SQL does not promise to skip the cast when the type test fails.
    weight_value := item -> 'weight';
    if jsonb_typeof(weight_value) is distinct from 'number' then
      raise exception '%: weight must be a whole number, got %', item_label, coalesce(weight_value::text, 'nothing')
        using errcode = 'invalid_parameter_value', column = 'weight';
    end if;
    if weight_value::numeric <> trunc(weight_value::numeric) then
      raise exception '%: weight must be a whole number, got %', item_label, weight_value
        using errcode = 'invalid_parameter_value', column = 'weight';
    end if;
    if weight_value::numeric not between 1 and 1000000 then
      raise exception '%: weight must be from 1 to 1000000, got %', item_label, weight_value
        using errcode = 'check_violation', column = 'weight', table = 'loot_items';
    end if;

    stock_value := item -> 'stock';
    if stock_value is not null and jsonb_typeof(stock_value) <> 'null' then
      if jsonb_typeof(stock_value) <> 'number' then
        raise exception '%: stock must be a whole number or null, got %', item_label, stock_value
          using errcode = 'invalid_parameter_value', column = 'stock';
      end if;
      if stock_value::numeric <> trunc(stock_value::numeric) then
        raise exception '%: stock must be a whole number or null, got %', item_label, stock_value
          using errcode = 'invalid_parameter_value', column = 'stock';
      end if;
      if stock_value::numeric not between 0 and 2147483647 then
        raise exception '%: stock must be from 0 to 2147483647, got %', item_label, stock_value
          using errcode = 'check_violation', column = 'stock', table = 'loot_items';
      end if;
    end if;
  end loop;

  if jsonb_array_length(insert_items.items) = 0 then
    return;
  end if;

  insert into guilds (id) values (insert_items.guild_id) on conflict do nothing;

  -- record_draw locks a guild's items in id order; taking them in the same order first means an
  -- import racing a draw waits instead of deadlocking.
  perform 1
  from loot_items existing
  where existing.guild_id = insert_items.guild_id
  order by existing.id
  for no key update;

  return query
  with input as (
    select
      element.ordinality,
      element.value ->> 'name' as name,
      (element.value ->> 'weight')::integer as weight,
      (element.value ->> 'stock')::integer as stock
    from jsonb_array_elements(insert_items.items) with ordinality as element
  ),
  upserted as (
    insert into loot_items as item_row (guild_id, name, weight, stock)
    select insert_items.guild_id, input.name, input.weight, input.stock
    from input
    order by input.ordinality
    on conflict (guild_id, lower(name)) do update
      set name = excluded.name,
          weight = excluded.weight,
          -- An item with prize codes has as much stock as it has available codes (0013): an
          -- import changes its name and weight, never that count.
          stock = case when exists (select from loot_codes codes where codes.item_id = item_row.id)
                       then item_row.stock else excluded.stock end
    -- xmax is 0 on a freshly inserted row version and set on one written by DO UPDATE: the one
    -- exact way to tell the two apart from a single upsert statement.
    returning item_row.id, item_row.name, item_row.weight, item_row.stock, item_row.enabled,
      item_row.xmax = 0 as was_inserted
  )
  select
    case when upserted.was_inserted then 'inserted' else 'updated' end,
    upserted.id,
    upserted.name,
    upserted.weight,
    upserted.stock,
    upserted.enabled
  from upserted
  join input on lower(input.name) = lower(upserted.name)
  order by input.ordinality;
end;
$$;

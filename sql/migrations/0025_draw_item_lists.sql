-- A draw's published items ([[item_id, name, weight]], up to 1,000 of them with 100-character names:
-- about 115 KB) were stored with every draw, so one server drawing every minute from a full loot
-- table wrote about 160 MiB a day into the shared database. The list changes only when an item is
-- added, changed or runs out: it is stored once per server and items_sha256 in draw_item_lists,
-- and a draw names it (draws.item_list_id). /r/{raffle}.json publishes the same list as before.
create table draw_item_lists (
  id bigserial primary key,
  guild_id text not null references guilds (id) on delete cascade,
  items_sha256 text not null check (items_sha256 ~ '^[0-9a-f]{64}$'),
  items jsonb not null check (jsonb_typeof(items) = 'array'),
  created_at timestamptz not null default now(),
  constraint draw_item_lists_one_per_hash unique (guild_id, items_sha256)
);

alter table draws add column item_list_id bigint references draw_item_lists (id);

-- A verifiable draw has its items inline (every draw recorded before 0025) or by reference.
alter table draws drop constraint draws_proof_complete;
alter table draws add constraint draws_proof_complete check (
  (algorithm is null) = (slot_label is null)
  and (algorithm is null) = (randomness is null)
  and (algorithm is null) = (entrants_read_at is null)
  and (algorithm is null) = (entrants is null)
  and (algorithm is null) = (entrants_sha256 is null)
  and (algorithm is null) = (items is null and item_list_id is null)
  and (items is null or item_list_id is null)
  and (algorithm is null) = (items_sha256 is null)
  and (algorithm is not null or (random_words is not null and item_roll is not null
                                 and item_pool is not null and candidates is not null))
);

-- A prize code already won outlives its item: /loot remove after a draw must not take the code
-- from the winner who is about to claim it (reserved) or has it (delivered; shown again on a later
-- visit). Removing an item now deletes only its unused (available) codes, by trigger, whichever
-- statement removes it; a won code keeps its item id, which its sealing names
-- (`loot-code:{item}:{seal}`), and the server it belongs to.
alter table loot_codes drop constraint loot_codes_item_fkey;
alter table loot_codes
  add constraint loot_codes_guild_fkey foreign key (guild_id) references guilds (id) on delete cascade;

create function delete_unused_codes_of_removed_item() returns trigger
language plpgsql
as $$
begin
  delete from loot_codes lc where lc.item_id = old.id and lc.status = 'available';
  return old;
end;
$$;

create trigger loot_items_delete_unused_codes after delete on loot_items
  for each row execute function delete_unused_codes_of_removed_item();

import type { LootEntry } from "../domain/types";
import type { Queryable } from "./Database";

export interface LootItem {
  id: string;
  name: string;
  weight: number;
  /** null = unlimited */
  stock: number | null;
  enabled: boolean;
}

export interface UpsertedItem extends LootItem {
  outcome: "inserted" | "updated";
}

interface LootItemRow {
  item_id?: string;
  id?: string;
  name: string;
  weight: number;
  stock: number | null;
  enabled: boolean;
}

function mapItem(row: LootItemRow): LootItem {
  return {
    id: String(row.item_id ?? row.id),
    name: row.name,
    weight: row.weight,
    stock: row.stock,
    enabled: row.enabled,
  };
}

/** Bulk upsert through the SQL function insert_items (names match case-insensitively). */
export async function upsertItems(database: Queryable, guildId: string, items: LootEntry[]): Promise<UpsertedItem[]> {
  const rows = await database.query<LootItemRow & { outcome: "inserted" | "updated" }>(
    "select outcome, item_id, name, weight, stock, enabled from insert_items($1, $2::jsonb)",
    [guildId, JSON.stringify(items)],
  );
  return rows.map((row) => ({ ...mapItem(row), outcome: row.outcome }));
}

/** Removes an item; past draws keep their snapshot of its name. */
export async function listItems(database: Queryable, guildId: string): Promise<LootItem[]> {
  const rows = await database.query<LootItemRow>(
    "select id, name, weight, stock, enabled from loot_items where guild_id = $1 order by lower(name), id",
    [guildId],
  );
  return rows.map(mapItem);
}

/** Autocomplete: names containing what was typed, prefix matches first. */
export async function suggestItemNames(database: Queryable, guildId: string, typed: string): Promise<string[]> {
  const pattern = `%${typed.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  const rows = await database.query<{ name: string }>(
    `select name from loot_items where guild_id = $1 and name ilike $2
     order by (lower(name) like lower($3) || '%') desc, lower(name) limit 25`,
    [guildId, pattern, typed.replace(/[\\%_]/g, (character) => `\\${character}`)],
  );
  return rows.map((row) => row.name);
}

/** An item can still be won: enabled, and unlimited or with stock left. */
export function isDrawable(item: LootItem): boolean {
  return item.enabled && (item.stock === null || item.stock > 0);
}

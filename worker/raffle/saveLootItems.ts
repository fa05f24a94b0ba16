import type { AppContext } from "../context";
import { PostgresCode, readDatabaseError } from "../db/databaseErrors";
import { ensureGuild } from "../db/guilds";
import { type UpsertedItem, upsertItems } from "../db/lootItems";
import type { LootEntry } from "../domain/types";

/** What saving loot came to: every item saved, or the first thing insert_items refused (nothing saved). */
export type SaveLootResult =
  | { kind: "saved"; items: UpsertedItem[] }
  | { kind: "duplicateName" }
  | { kind: "invalidItem"; field: "name" | "weight" | "stock" | undefined };

/**
 * /loot add and /loot import: adds or updates items through insert_items, which validates the
 * whole batch again (sql/functions/insert_items.sql); its refusal becomes a typed result.
 */
export async function saveLootItems(
  app: AppContext,
  guild: { guildId: string; guildLocale: string },
  items: LootEntry[],
): Promise<SaveLootResult> {
  await ensureGuild(app.database, guild.guildId, guild.guildLocale);
  try {
    return { kind: "saved", items: await upsertItems(app.database, guild.guildId, items) };
  } catch (error) {
    const databaseError = readDatabaseError(error);
    if (databaseError?.code === PostgresCode.uniqueViolation) return { kind: "duplicateName" };
    if (
      databaseError?.code === PostgresCode.checkViolation ||
      databaseError?.code === PostgresCode.invalidParameterValue
    ) {
      const column = databaseError.column;
      return {
        kind: "invalidItem",
        field: column === "name" || column === "weight" || column === "stock" ? column : undefined,
      };
    }
    throw error;
  }
}

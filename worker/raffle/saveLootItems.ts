import type { AppContext } from "../context";
import { PostgresCode, readDatabaseError } from "../db/databaseErrors";
import { ensureGuild } from "../db/guilds";
import { type UpsertedItem, upsertItems } from "../db/lootItems";
import type { LootEntry } from "../domain/types";
import { readServerLimitRefusal, serverLimits } from "./serverLimits";

/** What saving loot came to: every item saved, or the first thing insert_items refused (nothing saved). */
export type SaveLootResult =
  | { kind: "saved"; items: UpsertedItem[] }
  | { kind: "duplicateName" }
  /** The server would hold more than serverLimits.lootItems items. */
  | { kind: "tooManyItems" }
  | { kind: "invalidItem"; field: "name" | "weight" | "stock" | undefined };

/**
 * /loot add and /loot import: adds or updates items through insert_items, which validates the
 * whole batch again (sql/functions/insert_items.sql) and counts the server's items after it
 * (0017_server_limits.sql); its refusal becomes a typed result.
 */
export async function saveLootItems(
  app: AppContext,
  guild: { guildId: string; guildLocale: string },
  items: LootEntry[],
): Promise<SaveLootResult> {
  // A batch that alone is over the limit needs no database to be refused.
  if (new Set(items.map((item) => item.name.toLowerCase())).size > serverLimits.lootItems)
    return { kind: "tooManyItems" };
  await ensureGuild(app.database, guild.guildId, guild.guildLocale);
  try {
    return { kind: "saved", items: await upsertItems(app.database, guild.guildId, items) };
  } catch (error) {
    if (readServerLimitRefusal(error) === "lootItems") return { kind: "tooManyItems" };
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

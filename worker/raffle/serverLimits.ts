import { PostgresCode, readDatabaseError } from "../db/databaseErrors";
import type { Locale } from "../i18n/translate";

/**
 * What one Discord server may hold. sql/migrations/0017_server_limits.sql enforces the same
 * numbers where the rows are written (keep the two equal); the Worker checks early where it can and
 * turns the database's refusal into a message naming the limit. They are far above what a streamer
 * uses and bound what one raffle adds to every tick (the tick reads each drawable item and every
 * exclusion of a due raffle's server).
 */
export const serverLimits = {
  /** `loot_items_per_guild`. */
  lootItems: 1000,
  /** `loot_codes_per_item`: unused (available) codes of one item. */
  codesPerItem: 1000,
  /** `loot_codes_per_guild`: unused codes of all the server's items. */
  codesPerServer: 10_000,
  /** `excluded_viewers_per_guild`. */
  exclusions: 1000,
} as const;

export type ServerLimit = keyof typeof serverLimits;

const limitsByConstraint: Record<string, ServerLimit> = {
  loot_items_per_guild: "lootItems",
  loot_codes_per_item: "codesPerItem",
  loot_codes_per_guild: "codesPerServer",
  excluded_viewers_per_guild: "exclusions",
};

/** The limit a database error is the refusal of (54000 program_limit_exceeded, named in its constraint). */
export function readServerLimitRefusal(error: unknown): ServerLimit | undefined {
  const databaseError = readDatabaseError(error);
  if (databaseError?.code !== PostgresCode.programLimitExceeded || databaseError.constraint === undefined)
    return undefined;
  return limitsByConstraint[databaseError.constraint];
}

/** A limit as a message states it in the user's language ("1,000" / "1.000"). */
export function formatServerLimit(limit: ServerLimit, locale: Locale): string {
  return new Intl.NumberFormat(locale).format(serverLimits[limit]);
}

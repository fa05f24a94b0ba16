import type { AppContext } from "../context";
import { PostgresCode, readDatabaseError } from "../db/databaseErrors";
import { startRaffle as insertOrRestartRaffle, readRaffleStartContext } from "../db/raffleStart";

export interface RaffleStartRequest {
  guildId: string;
  guildLocale: string;
  /** Where winners are announced. */
  discordChannelId: string;
  everyMinutes: number;
  cooldownMinutes: number;
  luck: boolean;
  announceInTwitch: boolean;
  startedByDiscordUserId: string;
}

/** What starting a raffle came to; only `started` changed anything. */
export type RaffleStartResult =
  | { kind: "started"; twitchLogin: string }
  | { kind: "notLinked" }
  | { kind: "needsReauth" }
  | { kind: "noDrawableItem" }
  | { kind: "needsChatScope" }
  | { kind: "alreadyActive" };

/**
 * /raffle start: the guild's linked channel, some loot to give and (to announce in Twitch chat)
 * the chat scope are needed; one running raffle per guild, a paused one runs again with the new
 * settings.
 */
export async function startRaffle(app: AppContext, request: RaffleStartRequest): Promise<RaffleStartResult> {
  const { link, hasDrawableItem } = await readRaffleStartContext(app.database, request.guildId);
  if (!link) return { kind: "notLinked" };
  if (link.status === "needs_reauth") return { kind: "needsReauth" };
  if (!hasDrawableItem) return { kind: "noDrawableItem" };
  if (request.announceInTwitch && !link.scopes.includes("user:write:chat")) return { kind: "needsChatScope" };
  try {
    await insertOrRestartRaffle(app.database, {
      ...request,
      twitchBroadcasterId: link.twitchUserId,
      twitchBroadcasterLogin: link.twitchLogin,
      now: app.now(),
    });
  } catch (error) {
    // raffles_one_active_per_guild (0001_init.sql): another start won the race.
    if (readDatabaseError(error)?.code === PostgresCode.uniqueViolation) return { kind: "alreadyActive" };
    throw error;
  }
  return { kind: "started", twitchLogin: link.twitchLogin };
}

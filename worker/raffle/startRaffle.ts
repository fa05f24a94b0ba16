import type { AppContext } from "../context";
import { PostgresCode, readDatabaseError } from "../db/databaseErrors";
import { startRaffle as insertOrRestartRaffle, readRaffleStartContext } from "../db/raffleStart";
import { type GateName, listGates, type RaffleGates } from "../domain/gates";
import { syncChatGateSubscription } from "../twitch/eventSubSubscriptions";
import { findMissingGateScopes, gateScopes } from "../twitch/scopes";

export interface RaffleStartRequest {
  guildId: string;
  guildLocale: string;
  /** Where winners are announced. */
  discordChannelId: string;
  everyMinutes: number;
  cooldownMinutes: number;
  luck: boolean;
  announceInTwitch: boolean;
  /** Shown on the public raffle page; null for none. */
  rules: string | null;
  /** Minutes a winner has to claim the prize; null: only items with codes need a claim (within 15). */
  claimMinutes: number | null;
  /** Who may win besides being in chat. */
  gates: RaffleGates;
  startedByDiscordUserId: string;
}

/** What starting a raffle came to; only `started` changed anything. */
export type RaffleStartResult =
  | { kind: "started"; twitchLogin: string; publicId: string }
  | { kind: "notLinked" }
  | { kind: "needsReauth" }
  | { kind: "noDrawableItem" }
  | { kind: "needsChatScope" }
  /** A gate needs scopes the link lacks: `scopes`, for the gates `gates` (raffle/gates.ts gateScopes). */
  | { kind: "needsGateScope"; scopes: string[]; gates: GateName[] }
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
  const missingScopes = findMissingGateScopes(request.gates, link.scopes);
  if (missingScopes.length > 0) {
    const gates = listGates(request.gates).filter((gate) =>
      gateScopes[gate].some((scope) => missingScopes.includes(scope)),
    );
    return { kind: "needsGateScope", scopes: missingScopes, gates };
  }
  let publicId: string;
  try {
    ({ publicId } = await insertOrRestartRaffle(app.database, {
      ...request,
      twitchBroadcasterId: link.twitchUserId,
      twitchBroadcasterLogin: link.twitchLogin,
      now: app.now(),
    }));
  } catch (error) {
    // raffles_one_active_per_guild (0001_init.sql): another start won the race.
    if (readDatabaseError(error)?.code === PostgresCode.uniqueViolation) return { kind: "alreadyActive" };
    throw error;
  }
  // The chat gate reads the channel's chat messages: subscribe now, not at the next hourly repair.
  if (request.gates.activeMinutes > 0) app.runInBackground(syncChatGateSubscription(app, request.guildId));
  return { kind: "started", twitchLogin: link.twitchLogin, publicId };
}

/** What a raffle's public record is served as (SPEC routes: `/r/{raffle}`, `.json`, `.csv`). */
export type RafflePageFormat = "page" | "json" | "csv";

/**
 * The public address of a raffle's record, from its public id (never its database id); a draw's
 * proof is its `#draw-{number}` anchor on the page. At production lengths (a 22-character id, an
 * https origin of ordinary length) it stays far below the 512 characters of a Discord button URL.
 */
export function buildRafflePageUrl(
  publicBaseUrl: string,
  publicId: string,
  format: RafflePageFormat = "page",
  drawNumber?: number,
): string {
  const path = `${publicBaseUrl}/r/${encodeURIComponent(publicId)}${format === "page" ? "" : `.${format}`}`;
  return drawNumber === undefined ? path : `${path}#draw-${drawNumber}`;
}

/**
 * A winner's claim page (SPEC routes: `/claim/{claim}`), from the claim's public id: 22 characters
 * at production lengths, far below the 512 characters of a Discord button URL.
 */
export function buildClaimUrl(publicBaseUrl: string, claimPublicId: string): string {
  return `${publicBaseUrl}/claim/${encodeURIComponent(claimPublicId)}`;
}

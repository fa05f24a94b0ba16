import type { CachedSample } from "../cache/chatterCache";
import type { AppContext } from "../context";
import type { Candidate } from "../db/draws";
import type { DueRaffle } from "../db/dueRaffles";
import { pauseActiveRaffle } from "../db/raffles";
import { TwitchApiError, TwitchRateLimitedError } from "../twitch/TwitchApiError";
import { TwitchNeedsReauthError, TwitchNotLinkedError } from "../twitch/userTokens";
import { drawWinner } from "./drawWinner";
import { gatherCandidates } from "./gatherCandidates";
import { stopForEmptyLoot } from "./stopForEmptyLoot";

export type SlotOutcome =
  | { kind: "drawn"; drawId: string }
  | { kind: "no_eligible" | "slot_taken" | "not_running" | "no_items" | "skipped" | "paused" };

/**
 * One raffle's scheduled slot: chatters (cached or from Twitch), the atomic draw, and what
 * the outcome means for the raffle. Twitch trouble skips or pauses this raffle only.
 */
export async function runRaffleSlot(
  app: AppContext,
  raffle: DueRaffle,
  slotAt: number,
  cached: CachedSample | undefined,
): Promise<SlotOutcome> {
  const log = app.log.child({ raffleId: raffle.id, guildId: raffle.guildId });
  let candidates: Candidate[];
  try {
    candidates = await gatherCandidates(app, raffle, cached);
  } catch (error) {
    if (error instanceof TwitchNeedsReauthError || error instanceof TwitchNotLinkedError) return { kind: "skipped" };
    if (error instanceof TwitchApiError && error.status === 403) {
      await pauseActiveRaffle(app.database, raffle.guildId, "chatters_forbidden");
      log.warn("Get Chatters answered 403; raffle paused", { status: 403 });
      return { kind: "paused" };
    }
    if (error instanceof TwitchRateLimitedError || (error instanceof TwitchApiError && error.status >= 500)) {
      log.warn("Twitch unavailable; skipping this raffle this minute", { status: error.status });
      return { kind: "skipped" };
    }
    throw error;
  }
  if (candidates.length === 0) return { kind: "no_eligible" };

  const result = await drawWinner(app, { raffleId: raffle.id, slotAt, kind: "scheduled", chatters: candidates });
  if (result.outcome === "drawn" && result.drawId) return { kind: "drawn", drawId: result.drawId };
  if (result.outcome === "no_items") {
    await stopForEmptyLoot(app, { id: raffle.id, guildId: raffle.guildId });
    return { kind: "no_items" };
  }
  if (result.outcome === "no_eligible" || result.outcome === "slot_taken" || result.outcome === "not_running") {
    return { kind: result.outcome };
  }
  throw new Error(`make_raffle answered ${result.outcome}`);
}

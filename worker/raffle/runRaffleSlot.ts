import type { CachedSample } from "../cache/chatterCache";
import type { AppContext } from "../context";
import type { Candidate, DrawResult, IneligibleCounts } from "../db/draws";
import type { DueRaffle } from "../db/dueRaffles";
import type { MessageKey } from "../i18n/translate";
import { TwitchApiError, TwitchRateLimitedError } from "../twitch/TwitchApiError";
import { TwitchNeedsReauthError, TwitchNotLinkedError } from "../twitch/userTokens";
import { drawWinner } from "./drawWinner";
import { gatherCandidates } from "./gatherCandidates";
import { notifyRaffleChannel, pauseRaffle } from "./lifecycle";
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
      await pauseRaffle(app, raffle.guildId, "chatters_forbidden");
      log.warn("Get Chatters answered 403; raffle paused", { status: 403 });
      return { kind: "paused" };
    }
    if (error instanceof TwitchRateLimitedError || (error instanceof TwitchApiError && error.status >= 500)) {
      log.warn("Twitch unavailable; skipping this raffle this minute", { status: error.status });
      return { kind: "skipped" };
    }
    throw error;
  }
  // An empty chat goes to make_raffle too: the slot is skipped and recorded as "nobody in chat".
  const result = await drawWinner(app, { raffleId: raffle.id, slotAt, kind: "scheduled", chatters: candidates });
  if (result.outcome === "drawn" && result.drawId) return { kind: "drawn", drawId: result.drawId };
  if (result.outcome === "no_items") {
    await stopForEmptyLoot(app, { id: raffle.id, guildId: raffle.guildId });
    return { kind: "no_items" };
  }
  if (result.outcome === "no_eligible") {
    if (result.nobodyEligible?.noticeDue) await tellNobodyEligible(app, raffle, slotAt, result);
    return { kind: result.outcome };
  }
  if (result.outcome === "slot_taken" || result.outcome === "not_running") return { kind: result.outcome };
  throw new Error(`make_raffle answered ${result.outcome}`);
}

export type NobodyEligibleReason = "nobody_in_chat" | "cooldown" | "excluded";

/**
 * Why a slot drew nothing, in the words a streamer can act on: nobody in chat; or some of the chat
 * could win but won within the cooldown; or everyone is the broadcaster, a bot or excluded.
 */
export function classifyNobodyEligible(counts: IneligibleCounts): NobodyEligibleReason {
  if (counts.chatters === 0) return "nobody_in_chat";
  return counts.coolingDown > 0 ? "cooldown" : "excluded";
}

const nobodyEligibleNotices: Record<NobodyEligibleReason, MessageKey> = {
  nobody_in_chat: "nobodyEligibleNoticeEmptyChat",
  cooldown: "nobodyEligibleNoticeCooldown",
  excluded: "nobodyEligibleNoticeExcluded",
};

/**
 * Five live minutes in a row drew nothing: make_raffle has claimed the run's one notice, so the
 * raffle's channel hears once what is wrong and what to change. A post that fails is not retried
 * (as with every notice); the nonce names the slot, so a replayed slot posts nothing new.
 */
async function tellNobodyEligible(app: AppContext, raffle: DueRaffle, slotAt: number, result: DrawResult) {
  const counts = result.ineligible;
  if (!counts || !result.nobodyEligible) return;
  const reason = classifyNobodyEligible(counts);
  app.log.info("nobody eligible for five live minutes; telling the raffle channel", {
    raffleId: raffle.id,
    guildId: raffle.guildId,
    reason,
  });
  await notifyRaffleChannel(
    app,
    raffle.guildId,
    nobodyEligibleNotices[reason],
    {
      minutes: result.nobodyEligible.minutes,
      count: reason === "cooldown" ? counts.coolingDown : counts.excluded,
      cooldown: counts.cooldownMinutes,
    },
    `quiet-${raffle.id}-${Math.floor(slotAt / 60_000).toString(36)}`,
    raffle.discordChannelId,
  );
}

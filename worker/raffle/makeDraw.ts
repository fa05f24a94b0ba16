import type { CachedSample } from "../cache/chatterCache";
import type { AppContext } from "../context";
import type { Candidate } from "../db/draws";
import type { TwitchLink } from "../db/twitchLinks";
import type { MessageKey } from "../i18n/translate";
import type { Logger } from "../log";
import { drawFromChat } from "./drawFromChat";
import {
  classifyAtomicDraw,
  classifyTwitchFailure,
  type DrawOutcome,
  type NobodyEligibleReason,
  type TwitchFailure,
} from "./drawOutcome";
import { gatherCandidates } from "./gatherCandidates";
import { notifyRaffleChannel, pauseThisRaffle, stopForEmptyLoot } from "./lifecycle";

/** What a draw needs to know of its raffle. */
export interface DrawableRaffle {
  id: string;
  guildId: string;
  discordChannelId: string;
  twitchBroadcasterId: string;
}

export type DrawRequest = ScheduledDrawRequest | ManualDrawRequest;

/** A slot of the schedule, from the tick or the queue consumer. */
export interface ScheduledDrawRequest {
  kind: "scheduled";
  raffle: DrawableRaffle & { link?: TwitchLink };
  slotAt: number;
  /**
   * The channel's liveness, which the tick checks for all due raffles at once (Get Streams by
   * 100): true live, false offline, undefined when the check failed.
   */
  live: boolean | undefined;
  /** The chat sample cached in Redis, read for many raffles at once; else Get Chatters. */
  cached: CachedSample | undefined;
}

/** /raffle draw: one winner now, from everyone in chat (read from Twitch, live or not). */
export interface ManualDrawRequest {
  kind: "manual";
  raffle: DrawableRaffle;
}

/** A manual draw never asks about liveness. */
export type ManualDrawOutcome = Exclude<DrawOutcome, { kind: "notLive" }>;

/**
 * The one draw path. The tick, the queue consumer and /raffle draw all come here: the chat is
 * read, make_raffle makes the draw, and what either answered is decided once: Twitch's 403 pauses
 * this raffle, 5xx and 429 skip it, a link needing re-authorization pauses it (twitchAccess.ts);
 * the loot running out stops it; five empty live minutes tell its channel. Faults that are no
 * outcome (the database, a bug) are thrown, for the caller to skip, retry or report.
 */
export async function makeDraw(app: AppContext, request: ManualDrawRequest): Promise<ManualDrawOutcome>;
export async function makeDraw(app: AppContext, request: DrawRequest): Promise<DrawOutcome>;
export async function makeDraw(app: AppContext, request: DrawRequest): Promise<DrawOutcome> {
  const { raffle } = request;
  const log = app.log.child({ raffleId: raffle.id, guildId: raffle.guildId });
  if (request.kind === "scheduled" && request.live !== true) {
    return request.live === false ? { kind: "notLive" } : { kind: "twitchUnavailable", status: undefined };
  }
  let chatters: Candidate[];
  try {
    chatters =
      request.kind === "scheduled"
        ? await gatherCandidates(app, raffle, { cached: request.cached, refreshCache: true })
        : await gatherCandidates(app, raffle, { cached: undefined, refreshCache: false });
  } catch (error) {
    const failure = classifyTwitchFailure(error);
    if (!failure) throw error;
    return reactToTwitchFailure(app, log, raffle, failure);
  }
  // An empty chat goes to make_raffle too: a scheduled slot is then recorded as "nobody in chat".
  const slotAt = request.kind === "scheduled" ? request.slotAt : app.now();
  const outcome = classifyAtomicDraw(
    await drawFromChat(app, { raffleId: raffle.id, slotAt, kind: request.kind, chatters }),
  );
  if (outcome.kind === "outOfLoot") await stopForEmptyLoot(app, raffle);
  if (outcome.kind === "noEligible" && outcome.notice?.due) await tellNobodyEligible(app, raffle, slotAt, outcome);
  return outcome;
}

async function reactToTwitchFailure(
  app: AppContext,
  log: Logger,
  raffle: DrawableRaffle,
  failure: TwitchFailure,
): Promise<DrawOutcome> {
  if (failure.kind === "twitchForbidden") {
    // This raffle, not whichever the guild runs now: a draw of an old raffle never pauses a new one.
    await pauseThisRaffle(app, raffle.id, "chatters_forbidden");
    log.warn("Get Chatters answered 403; raffle paused", { status: 403 });
  } else if (failure.kind === "twitchUnavailable") {
    log.warn("Twitch unavailable; skipping this raffle this minute", { status: failure.status });
  }
  return failure;
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
async function tellNobodyEligible(
  app: AppContext,
  raffle: DrawableRaffle,
  slotAt: number,
  outcome: Extract<DrawOutcome, { kind: "noEligible" }>,
): Promise<void> {
  const { counts, reason } = outcome;
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
      minutes: outcome.notice?.minutes ?? 0,
      count: reason === "cooldown" ? counts.coolingDown : counts.excluded,
      cooldown: counts.cooldownMinutes,
    },
    `quiet-${raffle.id}-${Math.floor(slotAt / 60_000).toString(36)}`,
    raffle.discordChannelId,
  );
}

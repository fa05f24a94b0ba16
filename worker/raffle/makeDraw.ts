import type { CachedSample } from "../cache/chatterCache";
import type { AppContext } from "../context";
import type { AtomicDrawResult, Candidate } from "../db/draws";
import { recordGateFailure } from "../db/raffles";
import type { TwitchLink } from "../db/twitchLinks";
import { listGates, type RaffleGates } from "../domain/gates";
import type { MessageKey } from "../i18n/translate";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import { sampleWithoutReplacement } from "../lib/randomness";
import type { Logger } from "../log";
import { applyGates, type GateOutcome } from "./applyGates";
import { describeGate } from "./describeGates";
import {
  classifyAtomicDraw,
  classifyTwitchFailure,
  type DrawOutcome,
  type NobodyEligibleReason,
  type TwitchFailure,
} from "./drawOutcome";
import { candidateSampleSize, drawSlots, type SlotToDraw } from "./drawSlots";
import { gatherCandidates } from "./gatherCandidates";
import { notifyRaffleChannel, pauseThisRaffle, stopForEmptyLoot } from "./lifecycle";

/** What a draw needs to know of its raffle. */
export interface DrawableRaffle {
  id: string;
  guildId: string;
  discordChannelId: string;
  twitchBroadcasterId: string;
  /** Who may win besides being in chat (raffle/gates.ts). */
  gates: RaffleGates;
  /** The channel's `channel.chat.message` subscription is enabled (what the chat gate reads). */
  chatPushed: boolean;
  /** The version of the raffle's terms when it was read (db/raffleTerms.ts); unknown: not checked. */
  termsVersion?: number;
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
 * The one draw path. The tick, the queue consumer and /raffle draw all come here: each chat is
 * read, then every slot is drawn together (raffle/drawSlots.ts: the entrants read ten slots a
 * statement, one beacon round, one record per slot), and what either answered is decided once: Twitch's 403
 * pauses this raffle, 5xx and 429 skip it, a link needing re-authorization pauses it
 * (twitchAccess.ts); the loot running out stops it; five empty live minutes tell its channel.
 * Faults that are no outcome (the database, a bug) are thrown, for the caller to skip, retry or
 * report.
 */
export async function makeDraw(app: AppContext, request: ManualDrawRequest): Promise<ManualDrawOutcome>;
export async function makeDraw(app: AppContext, request: DrawRequest): Promise<DrawOutcome>;
export async function makeDraw(app: AppContext, request: DrawRequest): Promise<DrawOutcome> {
  const [outcome] = await makeDraws(app, [request]);
  const settled = outcome as PromiseSettledResult<DrawOutcome>;
  if (settled.status === "rejected") throw settled.reason;
  return settled.value;
}

/**
 * Many slots at once (a tick's or a queue batch's), settled one by one: a raffle whose chat read
 * or record fails is rejected alone and never holds up the others.
 */
export async function makeDraws(
  app: AppContext,
  requests: readonly DrawRequest[],
): Promise<PromiseSettledResult<DrawOutcome>[]> {
  const chats = await mapWithConcurrency(requests, outsideCallConcurrency, (request) =>
    readChat(app, request).then(
      (value): PromiseSettledResult<ChatOrOutcome> => ({ status: "fulfilled", value }),
      (reason: unknown): PromiseSettledResult<ChatOrOutcome> => ({ status: "rejected", reason }),
    ),
  );
  const toDraw: { position: number; slot: SlotToDraw }[] = [];
  chats.forEach((chat, position) => {
    if (chat.status === "fulfilled" && "chatters" in chat.value) toDraw.push({ position, slot: chat.value });
  });
  // Settled slot by slot (drawSlots.ts): one slot's failed read or record rejects that slot only.
  const drawn = await drawSlots(
    app,
    toDraw.map((entry) => entry.slot),
  );
  const drawnByPosition = new Map(toDraw.map((entry, index) => [entry.position, drawn[index]]));
  return mapWithConcurrency(requests, outsideCallConcurrency, async (request, position) => {
    const chat = chats[position] as PromiseSettledResult<ChatOrOutcome>;
    if (chat.status === "rejected") return chat;
    if (!("chatters" in chat.value)) return { status: "fulfilled", value: chat.value.outcome };
    const result = drawnByPosition.get(position);
    if (result === undefined) return { status: "rejected", reason: new Error("slot was not drawn") };
    if (result.status === "rejected") return result;
    try {
      return { status: "fulfilled", value: await settleDraw(app, request, chat.value.slotAt, result.value) };
    } catch (reason) {
      return { status: "rejected", reason };
    }
  });
}

type ChatOrOutcome = SlotToDraw | { outcome: DrawOutcome };

/** The slot's chat, or the outcome that ends the slot before any draw (offline, Twitch trouble). */
async function readChat(app: AppContext, request: DrawRequest): Promise<ChatOrOutcome> {
  const { raffle } = request;
  const log = app.log.child({ raffleId: raffle.id, guildId: raffle.guildId });
  if (request.kind === "scheduled" && request.live !== true) {
    return { outcome: request.live === false ? { kind: "notLive" } : { kind: "twitchUnavailable", status: undefined } };
  }
  const link = request.kind === "scheduled" ? request.raffle.link : undefined;
  let chatters: Candidate[];
  let gated: GateOutcome | undefined;
  try {
    chatters =
      request.kind === "scheduled"
        ? await gatherCandidates(app, raffle, { cached: request.cached, refreshCache: true })
        : await gatherCandidates(app, raffle, { cached: undefined, refreshCache: false });
    if (listGates(raffle.gates).length > 0) {
      // The gates judge a uniform sample of the chat (what drawSlots would draw from anyway), so
      // a 100,000-viewer chat asks about at most 500 viewers.
      chatters = sampleWithoutReplacement(chatters, candidateSampleSize, app.random);
      gated = await applyGates(app, { ...raffle, link }, chatters);
    }
  } catch (error) {
    const failure = classifyTwitchFailure(error);
    if (!failure) throw error;
    return { outcome: await reactToTwitchFailure(app, log, raffle, failure) };
  }
  if (gated?.kind === "failed") {
    await recordGateFailure(app.database, raffle.id, gated, app.now());
    return { outcome: { kind: "gateUnavailable", gate: gated.gate, reason: gated.reason, status: gated.status } };
  }
  // An empty chat is drawn too: a scheduled slot is then recorded as "nobody in chat".
  const slotAt = request.kind === "scheduled" ? request.slotAt : app.now();
  const termsVersion = raffle.termsVersion;
  if (!gated) return { raffleId: raffle.id, slotAt, kind: request.kind, chatters, termsVersion };
  if (gated.unchecked > 0) log.info("gates: viewers not checked yet sit out this slot", { unchecked: gated.unchecked });
  return {
    raffleId: raffle.id,
    slotAt,
    kind: request.kind,
    chatters: gated.passed,
    gates: { chatters: chatters.length, emptiedBy: gated.emptiedBy },
    termsVersion,
  };
}

async function settleDraw(
  app: AppContext,
  request: DrawRequest,
  slotAt: number,
  result: AtomicDrawResult,
): Promise<DrawOutcome> {
  const { raffle } = request;
  const outcome = classifyAtomicDraw(result);
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
    const paused = await pauseThisRaffle(app, raffle.id, "chatters_forbidden");
    log.warn("Get Chatters answered 403; raffle paused", { status: 403 });
    // Its channel hears it once per pause (a re-link with the right account resumes it).
    if (paused) {
      await notifyRaffleChannel(app, raffle.guildId, "raffleChattersForbiddenNotice", {}, `forbidden-${app.now()}`, {
        channelId: paused.discordChannelId,
        raffleId: paused.id,
      });
    }
  } else if (failure.kind === "twitchUnavailable") {
    log.warn("Twitch unavailable; skipping this raffle this minute", { status: failure.status });
  }
  return failure;
}

const nobodyEligibleNotices: Record<NobodyEligibleReason, MessageKey> = {
  nobody_in_chat: "nobodyEligibleNoticeEmptyChat",
  gated: "nobodyEligibleNoticeGated",
  cooldown: "nobodyEligibleNoticeCooldown",
  excluded: "nobodyEligibleNoticeExcluded",
};

/**
 * Five live minutes in a row drew nothing: record_draw has claimed the run's one notice, so the
 * raffle's channel hears once what is wrong and what to change, through the notices' outbox; the
 * notice's key names the slot, so a replayed slot records nothing new.
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
    (locale) => ({
      minutes: outcome.notice?.minutes ?? 0,
      count: reason === "cooldown" ? counts.coolingDown : counts.excluded,
      cooldown: counts.cooldownMinutes,
      chatters: counts.chatters,
      gate: counts.gate === undefined ? "" : describeGate(locale, counts.gate, raffle.gates),
    }),
    `quiet-${raffle.id}-${Math.floor(slotAt / 60_000).toString(36)}`,
    { channelId: raffle.discordChannelId, raffleId: raffle.id },
  );
}

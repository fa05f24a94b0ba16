import type { AtomicDrawResult, Candidate, IneligibleCounts } from "../db/draws";
import type { GateFailureReason, GateName } from "../domain/gates";
import { TwitchApiError } from "../twitch/TwitchApiError";
import { TwitchNeedsReauthError, TwitchNotLinkedError } from "../twitch/userTokens";

// What one draw came to, for every caller of the one draw path (raffle/makeDraw.ts): the tick
// logs it, the queue acknowledges it, /raffle draw renders it. The rules here are pure, so the
// Node unit tier checks them (test/node/unit/drawOutcome.test.ts).

export type NobodyEligibleReason = "nobody_in_chat" | "gated" | "cooldown" | "excluded";

export type DrawOutcome =
  /** Recorded, stock taken; the announcement is pending in the outbox. */
  | { kind: "drawn"; drawId: string; winner: Candidate; itemName: string; verifiable: boolean }
  /** Nobody could win; `notice` (scheduled slots) is the run of empty live minutes and whether the channel was due a word. */
  | {
      kind: "noEligible";
      reason: NobodyEligibleReason;
      counts: IneligibleCounts;
      notice: { minutes: number; due: boolean } | undefined;
    }
  /** No enabled item has stock left: the raffle was stopped and its channel told. */
  | { kind: "outOfLoot" }
  /** This slot was drawn already (a replayed or overlapping tick), or another draw held it. */
  | { kind: "slotTaken" }
  /**
   * Twice the winner or the item stopped qualifying between reading the entrants and recording
   * the draw (a win elsewhere in the server, an exclusion, the stock): nothing was drawn; a
   * scheduled slot stays open for the next tick.
   */
  | { kind: "stale" }
  /** The raffle is stopped, gone, or paused (a paused raffle draws only by hand). */
  | { kind: "notRunning" }
  /** A scheduled slot whose channel is offline: nothing to do this minute. */
  | { kind: "notLive" }
  /** Twitch refused the chat (403: the link is not the broadcaster or a moderator): the raffle was paused. */
  | { kind: "twitchForbidden" }
  /**
   * A gate could not be checked (raffle/applyGates.ts: Twitch's 5xx, 429 or refusal, a missing
   * scope, the cache, the chat subscription): skipped rather than drawn ungated; /raffle status
   * says so (raffles.gate_failure).
   */
  | { kind: "gateUnavailable"; gate: GateName; reason: GateFailureReason; status: number | null }
  /** Twitch failed (5xx), is rate limited (429), or liveness could not be checked: skipped this minute. */
  | { kind: "twitchUnavailable"; status: number | undefined }
  /** The server has no Twitch link (or it changed during the call). */
  | { kind: "notLinked" }
  /** The link needs a new authorization: the raffle was paused and its channel told (raffle/lifecycle.ts). */
  | { kind: "needsReauth" };

export type DrawOutcomeKind = DrawOutcome["kind"];

/**
 * Why a slot drew nothing, in the words a streamer can act on: nobody in chat; or a gate left
 * nobody (`counts.gate` names it); or some of the chat could win but won within the cooldown; or
 * everyone is the broadcaster, a bot or excluded.
 */
export function classifyNobodyEligible(counts: IneligibleCounts): NobodyEligibleReason {
  if (counts.chatters === 0) return "nobody_in_chat";
  if (counts.gate !== undefined) return "gated";
  return counts.coolingDown > 0 ? "cooldown" : "excluded";
}

/** What record_draw's answer means; anything record_draw should not answer throws. */
export function classifyAtomicDraw(result: AtomicDrawResult): DrawOutcome {
  switch (result.outcome) {
    case "drawn":
      if (!result.drawId || !result.winner || result.itemName === undefined) break;
      return {
        kind: "drawn",
        drawId: result.drawId,
        winner: result.winner,
        itemName: result.itemName,
        verifiable: result.verifiable !== false,
      };
    case "no_eligible":
      if (!result.ineligible) break;
      return {
        kind: "noEligible",
        reason: classifyNobodyEligible(result.ineligible),
        counts: result.ineligible,
        notice: result.nobodyEligible && {
          minutes: result.nobodyEligible.minutes,
          due: result.nobodyEligible.noticeDue,
        },
      };
    case "no_items":
      return { kind: "outOfLoot" };
    case "slot_taken":
      return { kind: "slotTaken" };
    case "not_running":
      return { kind: "notRunning" };
    case "stale":
      return { kind: "stale" };
  }
  throw new Error(`record_draw answered ${result.outcome} without what it promises`);
}

/** The Twitch-error policy of a draw's chat read; undefined: not Twitch's answer, so a fault to raise. */
export type TwitchFailure =
  | { kind: "twitchForbidden" }
  | { kind: "twitchUnavailable"; status: number }
  | { kind: "notLinked" }
  | { kind: "needsReauth" };

export function classifyTwitchFailure(error: unknown): TwitchFailure | undefined {
  if (error instanceof TwitchNeedsReauthError) return { kind: "needsReauth" };
  if (error instanceof TwitchNotLinkedError) return { kind: "notLinked" };
  if (!(error instanceof TwitchApiError)) return undefined;
  if (error.status === 403) return { kind: "twitchForbidden" };
  if (error.status === 429 || error.status >= 500) return { kind: "twitchUnavailable", status: error.status };
  return undefined;
}

/**
 * What the queue consumer does with a message whose draw came to an outcome. Every outcome is a
 * decision about the slot, so the message is acknowledged, as the direct path moves on: a retry
 * after Twitch trouble would draw a minute late, and the next slot comes anyway. Only a thrown
 * fault (the database, a bug) is retried; record_draw's unique slot keeps a retry from drawing twice.
 */
export const queueDisposition: Record<DrawOutcomeKind, "ack" | "retry"> = {
  drawn: "ack",
  noEligible: "ack",
  outOfLoot: "ack",
  slotTaken: "ack",
  stale: "ack",
  notRunning: "ack",
  notLive: "ack",
  twitchForbidden: "ack",
  twitchUnavailable: "ack",
  gateUnavailable: "ack",
  notLinked: "ack",
  needsReauth: "ack",
};

/** One count per outcome kind, for the tick's summary line. */
export function countOutcomes(outcomes: readonly DrawOutcome[]): Record<DrawOutcomeKind, number> {
  const counts: Record<DrawOutcomeKind, number> = {
    drawn: 0,
    noEligible: 0,
    outOfLoot: 0,
    slotTaken: 0,
    stale: 0,
    notRunning: 0,
    notLive: 0,
    twitchForbidden: 0,
    twitchUnavailable: 0,
    gateUnavailable: 0,
    notLinked: 0,
    needsReauth: 0,
  };
  for (const outcome of outcomes) counts[outcome.kind] += 1;
  return counts;
}

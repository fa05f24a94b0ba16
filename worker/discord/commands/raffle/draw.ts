import type { GateFailureReason } from "../../../domain/gates";
import { noGates, type RaffleGates } from "../../../domain/gates";
import { type Locale, type MessageKey, translate } from "../../../i18n/translate";
import { describeGate } from "../../../raffle/describeGates";
import { type DrawNowOutcome, drawNow } from "../../../raffle/drawNow";
import { escapeMarkdown, type MessageBody } from "../../message";
import { defineSubcommand } from "../defineSubcommand";
import { requireActiveRaffle } from "./requireActiveRaffle";

/**
 * /raffle draw: one winner now, from everyone in chat (deferred: it asks Twitch). The draw is
 * raffle/drawNow.ts's, through the one draw path; this only renders its outcome.
 */
export const draw = defineSubcommand({
  key: "raffle.draw",
  async run(invocation) {
    const raffle = await requireActiveRaffle(invocation);
    return {
      kind: "deferred",
      ephemeral: false,
      complete: async () => renderDrawNow(invocation.locale, await drawNow(invocation.app, raffle), raffle.gates),
    };
  },
});

const refusals: Record<Exclude<DrawNowOutcome["kind"], "drawn">, MessageKey> = {
  noEligible: "raffleNoEligible",
  outOfLoot: "raffleOutOfItems",
  slotTaken: "raffleDrawBusy",
  // The chat changed twice while drawing (a win elsewhere, an exclusion, the stock): try again.
  stale: "raffleStaleSlot",
  notRunning: "raffleNoneActive",
  twitchForbidden: "raffleChattersForbidden",
  twitchUnavailable: "tryAgainLater",
  gateUnavailable: "raffleGateUnavailable",
  notLinked: "twitchNotLinked",
  needsReauth: "twitchNeedsReauthReply",
};

const gateRefusals: Record<GateFailureReason, MessageKey> = {
  twitch: "raffleGateUnavailable",
  scope: "raffleGateScopeLost",
  cache: "tryAgainLater",
  subscription: "raffleGateNoChatSubscription",
};

/**
 * The reply to the streamer who asked; the channel post is the public announcement. A winner
 * not yet posted says what happens next, truthfully: retried by the outbox, or never (the
 * channel is gone or closed to the bot, the draw ended `failed` and the raffle is paused).
 */
export function renderDrawNow(locale: Locale, outcome: DrawNowOutcome, gates: RaffleGates = noGates): MessageBody {
  if (outcome.kind === "noEligible" && outcome.reason === "gated" && outcome.counts.gate) {
    return {
      content: translate(locale, "raffleNoEligibleGated", {
        chatters: outcome.counts.chatters,
        gate: describeGate(locale, outcome.counts.gate, gates),
      }),
    };
  }
  if (outcome.kind === "gateUnavailable") {
    const gate = describeGate(locale, outcome.gate, gates);
    return { content: translate(locale, gateRefusals[outcome.reason], { gate, status: outcome.status ?? "" }) };
  }
  if (outcome.kind !== "drawn") return { content: translate(locale, refusals[outcome.kind]) };
  const lines = [
    translate(locale, "raffleDrawnReply", {
      winner: escapeMarkdown(outcome.winner.name),
      item: escapeMarkdown(outcome.itemName),
    }),
  ];
  // Never hidden: the draw stands, and says it could not be checked against the beacon.
  if (!outcome.verifiable) lines.push(`⚠️ ${translate(locale, "drawNotVerifiable")}`);
  if (outcome.announcement === "channel_unavailable")
    lines.push(translate(locale, "raffleAnnouncementChannelUnavailable"));
  else if (outcome.announcement === "failed") lines.push(translate(locale, "raffleAnnouncementFailed"));
  else if (outcome.announcement !== "delivered") lines.push(translate(locale, "raffleAnnouncementDelayed"));
  return { content: lines.join("\n") };
}

import { readChatterCount } from "../../../cache/chatterCache";
import type { ChannelHoldState } from "../../../db/channelHolds";
import type { EmptySlotRun, RaffleStatistics } from "../../../db/raffleStatistics";
import { readRaffleStatus } from "../../../db/raffleStatus";
import type { RaffleDetails, RaffleStatusReason } from "../../../db/raffles";
import type { LeaderboardEntry } from "../../../db/viewerPoints";
import type { GateFailureReason } from "../../../domain/gates";
import { type Locale, type MessageKey, translate } from "../../../i18n/translate";
import { withTimeout } from "../../../lib/withTimeout";
import { describeGate, describeGates } from "../../../raffle/describeGates";
import { classifyNobodyEligible } from "../../../raffle/drawOutcome";
import { discordTime } from "../../discordTime";
import { brandColor, type Embed, escapeMarkdown, truncate } from "../../message";
import { type Invocation, UserFacingError } from "../CommandGroup";
import { defineSubcommand } from "../defineSubcommand";
import { describeChannelLiveness } from "../describeChannelLiveness";
import { formatMultiplier } from "./formatMultiplier";

const pauseReasonMessages: Record<RaffleStatusReason, MessageKey> = {
  stopped_by_user: "raffleReasonStoppedByUser",
  no_items: "raffleReasonNoItems",
  twitch_disconnected: "raffleReasonTwitchDisconnected",
  twitch_needs_reauth: "raffleReasonTwitchNeedsReauth",
  channel_unavailable: "raffleReasonChannelUnavailable",
  chatters_forbidden: "raffleReasonChattersForbidden",
};

/** /raffle status: the state of the guild's raffle, in one embed. */
export const status = defineSubcommand({
  key: "raffle.status",
  async run(invocation) {
    // One database round trip for the raffle, its figures and its leaders.
    const found = await readRaffleStatus(invocation.app.database, invocation.guildId, 3);
    if (!found) throw new UserFacingError("raffleNoneActive");
    const { raffle, statistics, leaders, channelHold } = found;
    const chatters = await readChatterCountQuietly(invocation, raffle.twitchBroadcasterId);
    return {
      kind: "message",
      ephemeral: true,
      body: {
        embeds: [
          describeRaffle(
            invocation.locale,
            raffle,
            { ...statistics, chatters },
            leaders,
            invocation.app.now(),
            channelHold,
          ),
        ],
      },
    };
  },
});

/** The chat size the tick last cached (Redis is a cache: without it, the field says "—"). */
async function readChatterCountQuietly(invocation: Invocation, broadcasterId: string): Promise<number | undefined> {
  try {
    return await withTimeout(readChatterCount(invocation.app.redis, broadcasterId), 500);
  } catch {
    return undefined;
  }
}

/** A slot already due is drawn by the next tick, at the start of the next minute: say that, not "2 minutes ago". */
function describeNextDraw(locale: Locale, raffle: RaffleDetails, now: number): string {
  const nextTick = Math.ceil(now / 60_000) * 60_000;
  const time = discordTime(Math.max(raffle.nextSlotAt, nextTick));
  if (!raffle.channel) return translate(locale, "raffleNextDrawUnknown", { time });
  return raffle.channel.isLive
    ? translate(locale, "raffleNextDrawLive", { time })
    : translate(locale, "raffleNextDrawOffline");
}

/**
 * Why a running raffle draws nobody: its stream is offline, or its last live slots found nobody
 * eligible (in chat, not excluded, not on cooldown). Undefined while it draws.
 */
function describeWhyNoWinner(locale: Locale, raffle: RaffleDetails, emptySlots: EmptySlotRun | undefined) {
  if (raffle.status !== "running") return undefined;
  if (raffle.channel && !raffle.channel.isLive) return translate(locale, "raffleNoWinnerOffline");
  if (!emptySlots) return undefined;
  const counts = emptySlots.ineligible;
  const reason = classifyNobodyEligible(counts);
  const why =
    reason === "nobody_in_chat"
      ? translate(locale, "raffleNoWinnerEmptyChat")
      : reason === "gated" && counts.gate
        ? translate(locale, "raffleNoWinnerGated", {
            chatters: counts.chatters,
            gate: describeGate(locale, counts.gate, raffle.gates),
          })
        : reason === "excluded"
          ? translate(locale, "raffleNoWinnerExcluded", { count: counts.excluded })
          : translate(locale, "raffleNoWinnerCooldown", {
              count: counts.coolingDown,
              cooldown: counts.cooldownMinutes,
            }) +
            (counts.excluded > 0 ? translate(locale, "raffleNoWinnerAlsoExcluded", { count: counts.excluded }) : "");
  const since = translate(locale, "raffleNoWinnerSince", {
    minutes: emptySlots.minutes,
    time: discordTime(emptySlots.lastSlotAt),
  });
  return `${why}\n${since}`;
}

const gateFailureLines: Record<GateFailureReason, MessageKey> = {
  twitch: "raffleGateFailureLine",
  scope: "raffleGateFailureScope",
  cache: "raffleGateFailureRedis",
  subscription: "raffleGateFailureSubscription",
};

/** The last slot skipped because a gate could not be checked (while no slot was recorded since). */
function describeGateFailure(locale: Locale, raffle: RaffleDetails): string | undefined {
  const failure = raffle.gateFailure;
  if (!failure) return undefined;
  const parameters = {
    time: discordTime(failure.at),
    gate: describeGate(locale, failure.gate, raffle.gates),
    status: failure.status ?? "",
  };
  return translate(locale, gateFailureLines[failure.reason], parameters);
}

function describeRaffle(
  locale: Locale,
  raffle: RaffleDetails,
  statistics: RaffleStatistics & { chatters: number | undefined },
  leaders: LeaderboardEntry[],
  now: number,
  channelHold: ChannelHoldState | undefined,
): Embed {
  const paused =
    raffle.status === "running"
      ? translate(locale, "raffleStateRunning")
      : translate(locale, "raffleStatePaused", {
          reason: translate(locale, pauseReasonMessages[raffle.statusReason ?? "stopped_by_user"]),
        });
  // Discord refuses the channel: what to fix there, and that the waiting posts follow by themselves.
  const state = channelHold
    ? `${paused}\n${translate(locale, "raffleChannelHeld", {
        channel: `<#${raffle.discordChannelId}>`,
        time: discordTime(Math.max(channelHold.nextProbeAt, Math.ceil(now / 60_000) * 60_000)),
      })}`
    : paused;
  const fields = [
    { name: translate(locale, "raffleFieldState"), value: state, inline: true },
    { name: translate(locale, "raffleFieldChannel"), value: `<#${raffle.discordChannelId}>`, inline: true },
    { name: translate(locale, "raffleFieldTwitch"), value: `\`${raffle.twitchBroadcasterLogin}\``, inline: true },
    {
      name: translate(locale, "raffleFieldSchedule"),
      value: translate(locale, "raffleSchedule", { every: raffle.everyMinutes, cooldown: raffle.cooldownMinutes }),
      inline: true,
    },
    {
      name: translate(locale, "raffleFieldStream"),
      value: describeChannelLiveness(locale, raffle.channel),
      inline: true,
    },
    {
      name: translate(locale, "raffleFieldNextDraw"),
      value: raffle.status === "running" ? describeNextDraw(locale, raffle, now) : "—",
      inline: true,
    },
    { name: translate(locale, "raffleFieldDraws"), value: String(raffle.drawCount), inline: true },
    {
      name: translate(locale, "raffleFieldChatters"),
      value: statistics.chatters === undefined ? "—" : new Intl.NumberFormat(locale).format(statistics.chatters),
      inline: true,
    },
    {
      name: translate(locale, "raffleFieldItemsLeft"),
      value: translate(locale, statistics.drawableItems === 1 ? "raffleItemsLeftOne" : "raffleItemsLeft", {
        items: statistics.drawableItems,
        stock: statistics.stockLeft === null ? translate(locale, "lootUnlimited") : statistics.stockLeft,
      }),
      inline: true,
    },
  ];
  fields.push({
    name: translate(locale, "raffleFieldGates"),
    value: describeGates(locale, raffle.gates),
    inline: false,
  });
  const gateFailure = describeGateFailure(locale, raffle);
  if (gateFailure)
    fields.push({ name: translate(locale, "raffleFieldGateFailure"), value: gateFailure, inline: false });
  const whyNoWinner = describeWhyNoWinner(locale, raffle, statistics.emptySlots);
  if (whyNoWinner) fields.push({ name: translate(locale, "raffleFieldNoWinner"), value: whyNoWinner, inline: false });
  fields.push({
    name: translate(locale, "raffleFieldOdds"),
    value: raffle.luck
      ? [
          translate(locale, "raffleOddsLuck"),
          ...leaders.map((leader) =>
            translate(locale, "raffleOddsLeader", {
              name: escapeMarkdown(leader.displayName),
              multiplier: formatMultiplier(locale, leader.points),
            }),
          ),
        ].join("\n")
      : translate(locale, "raffleOddsEqual"),
    inline: false,
  });
  if (statistics.openClaimCount > 0) {
    const lines = statistics.openClaims.map((claim) =>
      translate(locale, "raffleClaimLine", {
        winner: escapeMarkdown(claim.winnerDisplayName),
        item: escapeMarkdown(claim.itemName),
        time: discordTime(claim.expiresAt),
      }),
    );
    const hidden = statistics.openClaimCount - statistics.openClaims.length;
    if (hidden > 0) lines.push(translate(locale, "raffleClaimsMore", { count: hidden }));
    // Embed field values hold 1,024 characters: five lines of 100-character names and items fit.
    fields.push({
      name: translate(locale, "raffleFieldClaims"),
      value: truncate(lines.join("\n"), 1024),
      inline: false,
    });
  }
  if (statistics.pendingAnnouncements + statistics.failedAnnouncements > 0) {
    fields.push({
      name: translate(locale, "raffleFieldAnnouncements"),
      value: translate(locale, "raffleAnnouncements", {
        pending: statistics.pendingAnnouncements,
        failed: statistics.failedAnnouncements,
      }),
      inline: false,
    });
  }
  return { title: translate(locale, "raffleStatusTitle"), color: brandColor, fields };
}

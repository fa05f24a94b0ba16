import { readChatterCount } from "../../cache/chatterCache";
import { PostgresCode, readDatabaseError } from "../../db/databaseErrors";
import { listDrawHistory } from "../../db/draws";
import { excludeViewer, includeViewer } from "../../db/exclusions";
import { ensureGuild } from "../../db/guilds";
import { isDrawable, listItems } from "../../db/lootItems";
import { readRaffleStatistics } from "../../db/raffleStatistics";
import {
  findActiveRaffleDetails,
  insertRaffle,
  type RaffleDetails,
  type RaffleStatusReason,
  restartPausedRaffle,
  stopActiveRaffle,
} from "../../db/raffles";
import { findTwitchLink } from "../../db/twitchLinks";
import { type LeaderboardEntry, readLeaderboard, updatePointValues } from "../../db/viewerPoints";
import { localizeCommandText } from "../../i18n/commandTexts";
import { type Locale, type MessageKey, translate } from "../../i18n/translate";
import { announcePending } from "../../raffle/announcePending";
import { drawWinner } from "../../raffle/drawWinner";
import { stopForEmptyLoot } from "../../raffle/stopForEmptyLoot";
import { TwitchApiError } from "../../twitch/TwitchApiError";
import { callWithUserToken, TwitchNeedsReauthError, TwitchNotLinkedError } from "../../twitch/userTokens";
import { withTimeout } from "../../withTimeout";
import { brandColor, type Embed, escapeMarkdown, joinLinesWithin, type MessageBody } from "../message";
import {
  type CommandGroup,
  commandOption,
  defineSubcommand,
  type Invocation,
  manageGuildPermission,
  subcommandOption,
  UserFacingError,
} from "./CommandGroup";
import { noOptions } from "./lootOptions";
import { historyOptions, pointsOptions, startRaffleOptions, viewerOptions } from "./raffleOptions";

const optionType = { string: 3, integer: 4, boolean: 5, channel: 7 } as const;
/** GUILD_TEXT and GUILD_ANNOUNCEMENT: channels a bot can post embeds in. */
const announceableChannelTypes = [0, 5];
const historyPageSize = 10;

const pauseReasonMessages: Record<RaffleStatusReason, MessageKey> = {
  stopped_by_user: "raffleReasonStoppedByUser",
  no_items: "raffleReasonNoItems",
  twitch_disconnected: "raffleReasonTwitchDisconnected",
  twitch_needs_reauth: "raffleReasonTwitchNeedsReauth",
  channel_unavailable: "raffleReasonChannelUnavailable",
  chatters_forbidden: "raffleReasonChattersForbidden",
};

function discordTime(milliseconds: number, style: "R" | "f" | "t" = "R"): string {
  return `<t:${Math.floor(milliseconds / 1000)}:${style}>`;
}

async function requireActiveRaffle(invocation: Invocation): Promise<RaffleDetails> {
  const raffle = await findActiveRaffleDetails(invocation.app.database, invocation.guildId);
  if (!raffle) throw new UserFacingError("raffleNoneActive");
  return raffle;
}

const start = defineSubcommand(startRaffleOptions, async (invocation, options) => {
  const { app, locale, guildId } = invocation;
  const link = await findTwitchLink(app.database, guildId);
  if (!link) throw new UserFacingError("twitchNotLinked");
  if (link.status === "needs_reauth") throw new UserFacingError("twitchNeedsReauthReply");
  const items = await listItems(app.database, guildId);
  if (!items.some(isDrawable)) throw new UserFacingError("raffleNeedsLoot");
  if (options.announce_in_twitch && !link.scopes.includes("user:write:chat")) {
    throw new UserFacingError("raffleNeedsChatScope");
  }
  const channelId = options.channel ?? invocation.channelId;
  await ensureGuild(app.database, guildId, invocation.guildLocale);
  const resumed = await restartPausedRaffle(app.database, {
    guildId,
    discordChannelId: channelId,
    everyMinutes: options.every,
    cooldownMinutes: options.cooldown,
    luck: options.luck,
    announceInTwitch: options.announce_in_twitch,
    now: app.now(),
  });
  if (!resumed) await startNewRaffle(invocation, link, channelId, options);
  return {
    kind: "message",
    ephemeral: false,
    body: {
      content: translate(locale, "raffleStarted", {
        login: escapeMarkdown(link.twitchLogin),
        channel: `<#${channelId}>`,
        every: options.every,
        cooldown: options.cooldown,
      }),
    },
  };
});

async function startNewRaffle(
  invocation: Invocation,
  link: { twitchUserId: string; twitchLogin: string },
  channelId: string,
  options: { every: number; cooldown: number; luck: boolean; announce_in_twitch: boolean },
): Promise<void> {
  const { app, guildId } = invocation;
  try {
    await insertRaffle(app.database, {
      guildId,
      discordChannelId: channelId,
      twitchBroadcasterId: link.twitchUserId,
      twitchBroadcasterLogin: link.twitchLogin,
      everyMinutes: options.every,
      cooldownMinutes: options.cooldown,
      startedByDiscordUserId: invocation.userId,
      luck: options.luck,
      announceInTwitch: options.announce_in_twitch,
      now: app.now(),
    });
  } catch (error) {
    if (readDatabaseError(error)?.code === PostgresCode.uniqueViolation)
      throw new UserFacingError("raffleAlreadyActive");
    throw error;
  }
}

/** A viewer's luck multiplier: 1 + points/100, at most 5 (what make_raffle weighs by). */
function formatMultiplier(locale: Locale, points: number): string {
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(Math.min(1 + points / 100, 5))}×`;
}

const leaderboard = defineSubcommand(noOptions, async (invocation) => {
  const { app, locale, guildId } = invocation;
  const link = await findTwitchLink(app.database, guildId);
  if (!link) throw new UserFacingError("twitchNotLinked");
  const leaders = await readLeaderboard(app.database, link.twitchUserId, 10);
  const title = translate(locale, "raffleLeaderboardTitle");
  const format = new Intl.NumberFormat(locale);
  const description =
    leaders.length === 0
      ? translate(locale, "raffleLeaderboardEmpty")
      : leaders
          .map((leader, index) =>
            translate(locale, "raffleLeaderboardLine", {
              rank: index + 1,
              name: escapeMarkdown(leader.displayName),
              points: format.format(leader.points),
              multiplier: formatMultiplier(locale, leader.points),
            }),
          )
          .join("\n");
  return { kind: "message", ephemeral: false, body: { embeds: [{ title, description, color: brandColor }] } };
});

const points = defineSubcommand(pointsOptions, async (invocation, options) => {
  const { app, locale, guildId } = invocation;
  await ensureGuild(app.database, guildId, invocation.guildLocale);
  const values = await updatePointValues(app.database, guildId, {
    follow: options.follow,
    subscribe: options.subscribe,
    giftPerSub: options.gift,
    cheerPerBit: options.cheer,
    raid: options.raid,
  });
  const changed = Object.values(options).some((value) => value !== undefined);
  return {
    kind: "message",
    ephemeral: true,
    body: {
      content: [
        translate(locale, changed ? "rafflePointsUpdated" : "rafflePointsCurrent"),
        translate(locale, "rafflePointsValues", {
          follow: values.follow,
          subscribe: values.subscribe,
          gift: values.giftPerSub,
          cheer: values.cheerPerBit,
          raid: values.raid,
        }),
      ].join("\n"),
    },
  };
});

const stop = defineSubcommand(noOptions, async (invocation) => {
  const { app, locale, guildId } = invocation;
  const raffle = await stopActiveRaffle(app.database, guildId, "stopped_by_user", app.now());
  if (!raffle) throw new UserFacingError("raffleNoneActive");
  const details = await listDrawHistory(app.database, guildId, 1, 1);
  return {
    kind: "message",
    ephemeral: false,
    body: { content: translate(locale, "raffleStopped", { total: details.total }) },
  };
});

const status = defineSubcommand(noOptions, async (invocation) => {
  const raffle = await requireActiveRaffle(invocation);
  const statistics = await readRaffleStatistics(invocation.app.database, invocation.guildId, raffle.id);
  const leaders = raffle.luck ? await readLeaderboard(invocation.app.database, raffle.twitchBroadcasterId, 3) : [];
  const chatters = await readChatterCountQuietly(invocation, raffle.twitchBroadcasterId);
  return {
    kind: "message",
    ephemeral: true,
    body: { embeds: [describeRaffle(invocation.locale, raffle, { ...statistics, chatters }, leaders)] },
  };
});

/** The chat size the tick last cached (Redis is a cache: without it, the field says "—"). */
async function readChatterCountQuietly(invocation: Invocation, broadcasterId: string): Promise<number | undefined> {
  try {
    return await withTimeout(readChatterCount(invocation.app.redis, broadcasterId), 500);
  } catch {
    return undefined;
  }
}

function describeRaffle(
  locale: Locale,
  raffle: RaffleDetails,
  statistics: Awaited<ReturnType<typeof readRaffleStatistics>> & { chatters: number | undefined },
  leaders: LeaderboardEntry[],
): Embed {
  const state =
    raffle.status === "running"
      ? translate(locale, "raffleStateRunning")
      : translate(locale, "raffleStatePaused", {
          reason: translate(locale, pauseReasonMessages[raffle.statusReason ?? "stopped_by_user"]),
        });
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
      name: translate(locale, "raffleFieldNextDraw"),
      value:
        raffle.status === "running"
          ? translate(locale, raffle.isLive ? "raffleNextDrawLive" : "raffleNextDrawOffline", {
              time: discordTime(raffle.nextSlotAt),
            })
          : "—",
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

const draw = defineSubcommand(noOptions, async (invocation) => {
  const raffle = await requireActiveRaffle(invocation);
  return { kind: "deferred", ephemeral: false, complete: () => drawNow(invocation, raffle) };
});

/** /raffle draw: everyone in chat right now, one winner, announced in the raffle's channel too. */
async function drawNow(invocation: Invocation, raffle: RaffleDetails): Promise<MessageBody> {
  const { app, locale, guildId } = invocation;
  let chatters: { id: string; login: string; name: string }[];
  try {
    // The raffle's broadcaster is the linked account (a re-link retargets the raffle).
    const users = await callWithUserToken(app, guildId, (helix, link) =>
      helix.getChatters(raffle.twitchBroadcasterId, link.twitchUserId),
    );
    chatters = users.map((user) => ({ id: user.id, login: user.login, name: user.displayName }));
  } catch (error) {
    if (error instanceof TwitchNotLinkedError) throw new UserFacingError("twitchNotLinked");
    if (error instanceof TwitchNeedsReauthError) throw new UserFacingError("twitchNeedsReauthReply");
    if (error instanceof TwitchApiError && error.status === 403) throw new UserFacingError("raffleChattersForbidden");
    throw error;
  }
  const result = await drawWinner(app, { raffleId: raffle.id, slotAt: app.now(), kind: "manual", chatters });
  if (result.outcome === "no_items") {
    await stopForEmptyLoot(app, { id: raffle.id, guildId });
    return { content: translate(locale, "raffleOutOfItems") };
  }
  if (result.outcome === "no_eligible") return { content: translate(locale, "raffleNoEligible") };
  if (result.outcome === "not_running") throw new UserFacingError("raffleNoneActive");
  if (result.outcome !== "drawn" || !result.drawId || !result.winner || !result.itemName) {
    throw new UserFacingError("raffleDrawBusy");
  }
  // The reply answers the streamer; the channel post is the public announcement, through the same
  // outbox as the tick's (numbered, in the server's language, retried by the tick if it fails).
  const announced = await announcePending(app, [result.drawId]);
  const lines = [
    translate(locale, "raffleDrawnReply", {
      winner: escapeMarkdown(result.winner.name),
      item: escapeMarkdown(result.itemName),
    }),
  ];
  if (announced.delivered === 0) lines.push(translate(locale, "raffleAnnouncementDelayed"));
  return { content: lines.join("\n") };
}

const history = defineSubcommand(historyOptions, async (invocation, options) => {
  const { app, locale, guildId } = invocation;
  const { draws, total } = await listDrawHistory(app.database, guildId, options.page, historyPageSize);
  const pages = Math.max(1, Math.ceil(total / historyPageSize));
  const title = translate(locale, "raffleHistoryTitle");
  if (total === 0)
    return {
      kind: "message",
      ephemeral: true,
      body: { embeds: [{ title, description: translate(locale, "raffleHistoryEmpty"), color: brandColor }] },
    };
  if (options.page > pages) throw new UserFacingError("raffleHistoryNoPage", { pages });
  const lines = draws.map((entry) =>
    translate(locale, "raffleHistoryLine", {
      time: discordTime(entry.slotAt, "f"),
      winner: escapeMarkdown(entry.winnerDisplayName),
      item: escapeMarkdown(entry.itemName),
      marker: entry.announcementStatus === "delivered" ? "" : " ⏳",
    }),
  );
  return {
    kind: "message",
    ephemeral: true,
    body: {
      embeds: [
        {
          title,
          description: joinLinesWithin(lines, 4000, (hidden) => translate(locale, "lootTableMore", { count: hidden })),
          color: brandColor,
          footer: { text: translate(locale, "raffleHistoryFooter", { page: options.page, pages, total }) },
        },
      ],
    },
  };
});

const exclude = defineSubcommand(viewerOptions, async (invocation, options) => {
  await ensureGuild(invocation.app.database, invocation.guildId, invocation.guildLocale);
  const added = await excludeViewer(invocation.app.database, invocation.guildId, options.user, invocation.userId);
  const key = added ? "raffleExcluded" : "raffleAlreadyExcluded";
  return {
    kind: "message",
    ephemeral: true,
    body: { content: translate(invocation.locale, key, { login: options.user }) },
  };
});

const include = defineSubcommand(viewerOptions, async (invocation, options) => {
  const removed = await includeViewer(invocation.app.database, invocation.guildId, options.user);
  const key = removed ? "raffleIncluded" : "raffleNotExcluded";
  return {
    kind: "message",
    ephemeral: true,
    body: { content: translate(invocation.locale, key, { login: options.user }) },
  };
});

export const raffleCommands: CommandGroup = {
  name: "raffle",
  definition: {
    ...localizeCommandText("raffle"),
    type: 1,
    default_member_permissions: manageGuildPermission,
    contexts: [0],
    integration_types: [0],
    options: [
      subcommandOption("raffle.start", [
        commandOption(optionType.channel, "option.channel", { channel_types: announceableChannelTypes }),
        commandOption(optionType.integer, "option.every", { min_value: 1, max_value: 60 }),
        commandOption(optionType.integer, "option.cooldown", { min_value: 0, max_value: 1440 }),
        commandOption(optionType.boolean, "option.luck"),
        commandOption(optionType.boolean, "option.announce_in_twitch"),
      ]),
      subcommandOption("raffle.stop"),
      subcommandOption("raffle.status"),
      subcommandOption("raffle.draw"),
      subcommandOption("raffle.history", [commandOption(optionType.integer, "option.page", { min_value: 1 })]),
      subcommandOption("raffle.exclude", [
        commandOption(optionType.string, "option.user", { required: true, min_length: 1, max_length: 26 }),
      ]),
      subcommandOption("raffle.include", [
        commandOption(optionType.string, "option.user", { required: true, min_length: 1, max_length: 26 }),
      ]),
      subcommandOption("raffle.leaderboard"),
      subcommandOption("raffle.points", [
        commandOption(optionType.integer, "option.follow", { min_value: 0, max_value: 10_000 }),
        commandOption(optionType.integer, "option.subscribe", { min_value: 0, max_value: 10_000 }),
        commandOption(optionType.integer, "option.gift", { min_value: 0, max_value: 10_000 }),
        commandOption(optionType.integer, "option.cheer", { min_value: 0, max_value: 10_000 }),
        commandOption(optionType.integer, "option.raid", { min_value: 0, max_value: 10_000 }),
      ]),
    ],
  },
  subcommands: { start, stop, status, draw, history, exclude, include, leaderboard, points },
};

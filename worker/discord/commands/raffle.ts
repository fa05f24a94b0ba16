import { PostgresCode, readDatabaseError } from "../../db/databaseErrors";
import { listDrawHistory } from "../../db/draws";
import { excludeViewer, includeViewer } from "../../db/exclusions";
import { ensureGuild } from "../../db/guilds";
import { readRaffleStartContext, startRaffle, stopRaffleByUser } from "../../db/raffleStart";
import type { RaffleDetails } from "../../db/raffles";
import { localizeCommandText } from "../../i18n/commandTexts";
import { translate } from "../../i18n/translate";
import { announcePending } from "../../raffle/announcePending";
import { drawWinner } from "../../raffle/drawWinner";
import { stopForEmptyLoot } from "../../raffle/stopForEmptyLoot";
import { TwitchApiError } from "../../twitch/TwitchApiError";
import { callWithUserToken, TwitchNeedsReauthError, TwitchNotLinkedError } from "../../twitch/userTokens";
import { brandColor, escapeMarkdown, joinLinesWithin, type MessageBody } from "../message";
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
import { leaderboard, points } from "./raffleActivity";
import { historyOptions, startRaffleOptions, viewerOptions } from "./raffleOptions";
import { discordTime, requireActiveRaffle, status } from "./raffleStatus";

const optionType = { string: 3, integer: 4, boolean: 5, channel: 7 } as const;
/** GUILD_TEXT and GUILD_ANNOUNCEMENT: channels a bot can post embeds in. */
const announceableChannelTypes = [0, 5];
const historyPageSize = 10;

const start = defineSubcommand(startRaffleOptions, async (invocation, options) => {
  const { app, locale, guildId } = invocation;
  const { link, hasDrawableItem } = await readRaffleStartContext(app.database, guildId);
  if (!link) throw new UserFacingError("twitchNotLinked");
  if (link.status === "needs_reauth") throw new UserFacingError("twitchNeedsReauthReply");
  if (!hasDrawableItem) throw new UserFacingError("raffleNeedsLoot");
  if (options.announce_in_twitch && !link.scopes.includes("user:write:chat")) {
    throw new UserFacingError("raffleNeedsChatScope");
  }
  const channelId = options.channel ?? invocation.channelId;
  try {
    await startRaffle(app.database, {
      guildId,
      guildLocale: invocation.guildLocale,
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
    if (readDatabaseError(error)?.code === PostgresCode.uniqueViolation) {
      throw new UserFacingError("raffleAlreadyActive");
    }
    throw error;
  }
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

const stop = defineSubcommand(noOptions, async (invocation) => {
  const { app, locale, guildId } = invocation;
  const stopped = await stopRaffleByUser(app.database, guildId, app.now());
  if (!stopped) throw new UserFacingError("raffleNoneActive");
  return {
    kind: "message",
    ephemeral: false,
    body: { content: translate(locale, "raffleStopped", { total: stopped.totalDraws }) },
  };
});

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
  const announced = await announcePending(app, { drawIds: [result.drawId], includeDue: false });
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

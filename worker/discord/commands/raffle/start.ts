import { translate } from "../../../i18n/translate";
import { startRaffle } from "../../../raffle/startRaffle";
import { escapeMarkdown } from "../../message";
import { UserFacingError } from "../CommandGroup";
import { booleanOption, channelOption, integerOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";

const refusals = {
  notLinked: "twitchNotLinked",
  needsReauth: "twitchNeedsReauthReply",
  noDrawableItem: "raffleNeedsLoot",
  needsChatScope: "raffleNeedsChatScope",
  alreadyActive: "raffleAlreadyActive",
} as const;

/** /raffle start [channel] [every] [cooldown] [luck] [announce_in_twitch]: draws while the stream is live. */
export const start = defineSubcommand({
  key: "raffle.start",
  options: {
    channel: channelOption("raffleChannelInvalid").optional(),
    every: integerOption(optionLimits.everyMinutes, "raffleEveryInvalid").withDefault(
      optionLimits.everyMinutes.default,
    ),
    cooldown: integerOption(optionLimits.cooldownMinutes, "raffleCooldownInvalid").withDefault(
      optionLimits.cooldownMinutes.default,
    ),
    luck: booleanOption().withDefault(false),
    announce_in_twitch: booleanOption().withDefault(false),
  },
  async run(invocation, options) {
    const channelId = options.channel ?? invocation.channelId;
    const result = await startRaffle(invocation.app, {
      guildId: invocation.guildId,
      guildLocale: invocation.guildLocale,
      discordChannelId: channelId,
      everyMinutes: options.every,
      cooldownMinutes: options.cooldown,
      luck: options.luck,
      announceInTwitch: options.announce_in_twitch,
      startedByDiscordUserId: invocation.userId,
    });
    if (result.kind !== "started") throw new UserFacingError(refusals[result.kind]);
    return {
      kind: "message",
      ephemeral: false,
      body: {
        content: translate(invocation.locale, "raffleStarted", {
          login: escapeMarkdown(result.twitchLogin),
          channel: `<#${channelId}>`,
          every: options.every,
          cooldown: options.cooldown,
        }),
      },
    };
  },
});

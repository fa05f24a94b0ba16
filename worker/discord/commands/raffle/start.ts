import * as z from "zod/mini";
import { listGates, type RaffleGates } from "../../../domain/gates";
import { translate } from "../../../i18n/translate";
import { publishRaffleStatusToOverlay } from "../../../overlay/publishToOverlay";
import { describeGate, describeGates } from "../../../raffle/describeGates";
import { buildRafflePageUrl, startRaffle } from "../../../raffle/startRaffle";
import { chatGateScopes } from "../../../twitch/scopes";
import { createLinkButtonRow, escapeMarkdown } from "../../message";
import { UserFacingError } from "../CommandGroup";
import { booleanOption, CommandOption, channelOption, integerOption, optionType } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";
import { createTwitchLinkButton } from "../twitch/connect";

const refusals = {
  notLinked: "twitchNotLinked",
  needsReauth: "twitchNeedsReauthReply",
  noDrawableItem: "raffleNeedsLoot",
  needsChatScope: "raffleNeedsChatScope",
  alreadyActive: "raffleAlreadyActive",
} as const;

/**
 * The raffle's rules for its public page: trimmed, and nothing left means none (undefined). Discord
 * enforces max_length before sending, but a hand-made interaction can carry more: refused with
 * the limit, as the database would (raffles.rules, 0012_provable_fairness.sql).
 */
function rulesOption() {
  const limit = optionLimits.raffleRules;
  return new CommandOption(
    z.optional(
      z.pipe(
        z.string().check(z.trim(), z.maxLength(limit.maximum)),
        z.transform((rules: string) => (rules === "" ? undefined : rules)),
      ),
    ),
    { type: optionType.string, min_length: limit.minimum, max_length: limit.maximum },
    "raffleRulesInvalid",
    limit,
  );
}

/**
 * /raffle start [channel] [every] [cooldown] [luck] [announce_in_twitch] [rules] [claim] and the
 * gates [followers_only] [min_follow_minutes] [subscribers_only] [min_account_days] [active_minutes]:
 * draws while the stream is live; with `claim`, every winner must claim the prize within that many
 * minutes. A gate whose scope the link lacks is refused with the scope and a button to re-link.
 */
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
    rules: rulesOption(),
    claim: integerOption(optionLimits.claimMinutes, "raffleClaimInvalid").optional(),
    followers_only: booleanOption().withDefault(false),
    min_follow_minutes: integerOption(optionLimits.minFollowMinutes, "raffleMinFollowInvalid").withDefault(
      optionLimits.minFollowMinutes.default,
    ),
    subscribers_only: booleanOption().withDefault(false),
    min_account_days: integerOption(optionLimits.minAccountDays, "raffleMinAccountInvalid").withDefault(
      optionLimits.minAccountDays.default,
    ),
    active_minutes: integerOption(optionLimits.activeMinutes, "raffleActiveInvalid").withDefault(
      optionLimits.activeMinutes.default,
    ),
  },
  async run(invocation, options) {
    const channelId = options.channel ?? invocation.channelId;
    const gates: RaffleGates = {
      followersOnly: options.followers_only,
      minFollowMinutes: options.min_follow_minutes,
      subscribersOnly: options.subscribers_only,
      minAccountDays: options.min_account_days,
      activeMinutes: options.active_minutes,
    };
    const result = await startRaffle(invocation.app, {
      guildId: invocation.guildId,
      guildLocale: invocation.guildLocale,
      discordChannelId: channelId,
      everyMinutes: options.every,
      cooldownMinutes: options.cooldown,
      luck: options.luck,
      announceInTwitch: options.announce_in_twitch,
      rules: options.rules ?? null,
      claimMinutes: options.claim ?? null,
      gates,
      startedByDiscordUserId: invocation.userId,
    });
    if (result.kind === "needsGateScope") {
      // The exact scopes, and a button that asks for them (the chat gate's only when it is used).
      return {
        kind: "message",
        ephemeral: true,
        body: {
          content: translate(invocation.locale, "raffleNeedsGateScope", {
            gates: result.gates.map((gate) => describeGate(invocation.locale, gate, gates)).join("; "),
            scopes: result.scopes.map((scope) => `\`${scope}\``).join(", "),
          }),
          components: [
            await createTwitchLinkButton(
              invocation,
              translate(invocation.locale, "raffleRelinkButton"),
              listGates(gates).includes("active") ? chatGateScopes : [],
            ),
          ],
        },
      };
    }
    if (result.kind !== "started") throw new UserFacingError(refusals[result.kind]);
    publishRaffleStatusToOverlay(invocation.app, invocation.guildId, "running");
    const gateList = listGates(gates).length > 0 ? describeGates(invocation.locale, gates) : undefined;
    return {
      kind: "message",
      ephemeral: false,
      body: {
        content:
          translate(invocation.locale, "raffleStarted", {
            login: escapeMarkdown(result.twitchLogin),
            channel: `<#${channelId}>`,
            every: options.every,
            cooldown: options.cooldown,
          }) +
          (options.claim === undefined
            ? ""
            : ` ${translate(invocation.locale, "raffleStartedClaim", { minutes: options.claim })}`) +
          (gateList === undefined ? "" : ` ${translate(invocation.locale, "raffleStartedGates", { gates: gateList })}`),
        components: [
          createLinkButtonRow(
            translate(invocation.locale, "rafflePageButton"),
            buildRafflePageUrl(invocation.app.config.publicBaseUrl, result.publicId),
          ),
        ],
      },
    };
  },
});

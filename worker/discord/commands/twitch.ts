import * as z from "zod";
import { type ChannelLiveness, readChannelLiveness, recordPolledLiveness } from "../../db/channelLiveness";
import { listSubscriptions } from "../../db/eventSubSubscriptions";
import { ensureGuild } from "../../db/guilds";
import { insertOAuthState } from "../../db/oauthStates";
import { stopActiveRaffle } from "../../db/raffles";
import { deleteTwitchLink, findTwitchLink } from "../../db/twitchLinks";
import { localizeCommandText } from "../../i18n/commandTexts";
import { type Locale, translate } from "../../i18n/translate";
import { describeError } from "../../log";
import { describeAnswers } from "../../raffle/checkLiveness";
import { callWithUserToken } from "../../raffle/twitchAccess";
import { encodeBase64Url } from "../../security/base64";
import { getTokenCipher, tokenPurpose } from "../../security/keys";
import { deleteSubscriptions } from "../../twitch/eventSubSubscriptions";
import { linkStateLifetimeMilliseconds } from "../../twitch/handleLinkPage";
import { revokeLinkTokens, TwitchNeedsReauthError } from "../../twitch/userTokens";
import { describeSubscriptions } from "../describeSubscriptions";
import { brandColor, createLinkButtonRow, type Embed } from "../message";
import {
  type CommandGroup,
  defineSubcommand,
  type Invocation,
  manageGuildPermission,
  subcommandOption,
} from "./CommandGroup";
import { describeChannelLiveness } from "./raffleStatus";

const noOptions = z.object({});

/**
 * The reply's button opens `PUBLIC_BASE_URL/twitch/link/{linkId}`: Twitch's authorize URL with
 * its signed state is far longer than the 512 characters Discord allows a button URL, and the
 * page in between names the server being linked and who asked (handleLinkPage.ts).
 */
const connect = defineSubcommand(noOptions, async (invocation) => {
  const { app } = invocation;
  const now = app.now();
  const nonce = encodeBase64Url(crypto.getRandomValues(new Uint8Array(18)));
  const linkId = encodeBase64Url(crypto.getRandomValues(new Uint8Array(18)));
  const cipher = await getTokenCipher(app.config);
  await ensureGuild(app.database, invocation.guildId, invocation.guildLocale);
  await insertOAuthState(app.database, {
    nonce,
    linkId,
    guildId: invocation.guildId,
    discordUserId: invocation.userId,
    discordChannelId: invocation.channelId,
    discordApplicationId: invocation.applicationId,
    interactionToken: await cipher.seal(invocation.interactionToken, tokenPurpose.interactionToken(nonce)),
    requestedByName: invocation.userName.slice(0, 100),
    expiresAt: now + linkStateLifetimeMilliseconds,
    now,
  });
  return {
    kind: "message",
    ephemeral: true,
    body: {
      content: translate(invocation.locale, "twitchConnectPrompt", { minutes: linkStateLifetimeMilliseconds / 60_000 }),
      components: [
        createLinkButtonRow(
          translate(invocation.locale, "twitchConnectButton"),
          `${app.config.publicBaseUrl}/twitch/link/${linkId}`,
        ),
      ],
    },
  };
});

const status = defineSubcommand(noOptions, async (invocation) => ({
  kind: "deferred",
  ephemeral: true,
  complete: async () => ({ embeds: [await describeLink(invocation)] }),
}));

async function describeLink(invocation: Invocation): Promise<Embed> {
  const { app, locale } = invocation;
  // Two reads side by side: over HTTP, one round trip's wait.
  const [link, subscriptions] = await Promise.all([
    findTwitchLink(app.database, invocation.guildId),
    listSubscriptions(app.database, invocation.guildId),
  ]);
  if (!link) {
    return {
      title: translate(locale, "twitchStatusTitle"),
      description: translate(locale, "twitchNotLinked"),
      color: brandColor,
    };
  }
  let health = translate(locale, "twitchTokenNeedsReauth");
  let streamDetails = "";
  let channel: ChannelLiveness | undefined;
  if (link.status === "active") {
    try {
      let expiresAt = link.accessTokenExpiresAt;
      const streams = await callWithUserToken(
        app,
        invocation.guildId,
        (helix, current) => {
          expiresAt = current.accessTokenExpiresAt;
          return helix.getLiveStreams([current.twitchUserId]);
        },
        link,
      );
      // Recorded for the channel, so /raffle status and the next tick say the same.
      const states = await recordPolledLiveness(app.database, describeAnswers([link.twitchUserId], streams), app.now());
      channel = states.get(link.twitchUserId);
      const minutes = Math.max(0, Math.round((expiresAt - app.now()) / 60_000));
      health = translate(locale, "twitchTokenHealthy", { minutes });
      if (streams[0]) {
        streamDetails = translate(locale, "twitchLiveNow", {
          viewers: streams[0].viewerCount,
          title: streams[0].title,
        });
      }
    } catch (error) {
      if (!(error instanceof TwitchNeedsReauthError)) {
        app.log.warn("could not reach Twitch for /twitch status", {
          error,
          guildId: invocation.guildId,
        });
        health = translate(locale, "twitchUnreachable");
      }
    }
  }
  return {
    title: translate(locale, "twitchStatusTitle"),
    color: brandColor,
    fields: [
      {
        name: translate(locale, "twitchAccount"),
        value: `${link.twitchDisplayName} (\`${link.twitchLogin}\`)`,
        inline: true,
      },
      { name: translate(locale, "twitchTokenHealth"), value: health, inline: true },
      {
        name: translate(locale, "twitchStream"),
        value: describeStream(locale, channel ?? (await readChannelLiveness(app.database, link.twitchUserId)), streamDetails),
      },
      { name: translate(locale, "twitchScopes"), value: link.scopes.map((scope) => `\`${scope}\``).join(", ") || "—" },
      { name: translate(locale, "twitchEventSub"), value: describeSubscriptions(locale, subscriptions) },
    ],
  };
}

/** The channel's recorded liveness (as /raffle status shows it), with Get Streams' title and viewers. */
function describeStream(locale: Locale, channel: ChannelLiveness | undefined, details: string): string {
  const state = describeChannelLiveness(locale, channel);
  return channel?.isLive && details ? `${state}\n${details}` : state;
}

const disconnect = defineSubcommand(noOptions, async (invocation) => ({
  kind: "deferred",
  ephemeral: true,
  async complete() {
    const { app, locale, guildId } = invocation;
    const link = await findTwitchLink(app.database, guildId);
    if (!link) return { content: translate(locale, "twitchNotLinked") };
    // Best effort: a token Twitch will not revoke, or that no longer opens, is deleted all the same.
    const revoked = await revokeLinkTokens(app, link);
    try {
      await deleteSubscriptions(app, guildId);
    } catch (error) {
      app.log.warn("could not delete the EventSub subscriptions; unlinking anyway", {
        error: describeError(error),
        guildId,
      });
    }
    const raffle = await stopActiveRaffle(app.database, guildId, "twitch_disconnected", app.now());
    await deleteTwitchLink(app.database, guildId);
    app.log.info("Twitch link removed", { guildId, revoked, raffleStopped: Boolean(raffle) });
    const lines = [translate(locale, "twitchDisconnected", { login: link.twitchLogin })];
    if (raffle) lines.push(translate(locale, "raffleStoppedBecauseDisconnected"));
    if (!revoked) lines.push(translate(locale, "twitchRevokeFailed"));
    return { content: lines.join("\n") };
  },
}));

export const twitchCommands: CommandGroup = {
  name: "twitch",
  definition: {
    ...localizeCommandText("twitch"),
    type: 1,
    default_member_permissions: manageGuildPermission,
    contexts: [0],
    integration_types: [0],
    options: [
      subcommandOption("twitch.connect"),
      subcommandOption("twitch.status"),
      subcommandOption("twitch.disconnect"),
    ],
  },
  subcommands: { connect, status, disconnect },
};

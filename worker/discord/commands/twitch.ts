import { z } from "zod";
import { listSubscriptions, type StoredSubscription } from "../../db/eventSubSubscriptions";
import { ensureGuild } from "../../db/guilds";
import { insertOAuthState } from "../../db/oauthStates";
import { stopActiveRaffle } from "../../db/raffles";
import { deleteTwitchLink, findTwitchLink } from "../../db/twitchLinks";
import { localizeCommandText } from "../../i18n/commandTexts";
import { type Locale, translate } from "../../i18n/translate";
import { encodeBase64Url } from "../../security/base64";
import { getStateKey, getTokenCipher, tokenPurpose } from "../../security/keys";
import { signState } from "../../security/OAuthState";
import { deleteSubscriptions } from "../../twitch/eventSubSubscriptions";
import { requestedTwitchScopes } from "../../twitch/scopes";
import { revokeToken } from "../../twitch/TwitchAuthClient";
import { callWithUserToken, TwitchNeedsReauthError } from "../../twitch/userTokens";
import { brandColor, createLinkButtonRow, type Embed } from "../message";
import {
  type CommandGroup,
  defineSubcommand,
  type Invocation,
  manageGuildPermission,
  subcommandOption,
} from "./CommandGroup";

/** How long a /twitch connect link stays usable. */
const stateLifetimeMilliseconds = 10 * 60 * 1000;

const noOptions = z.object({});

const connect = defineSubcommand(noOptions, async (invocation) => {
  const { app } = invocation;
  const now = app.now();
  const nonce = encodeBase64Url(crypto.getRandomValues(new Uint8Array(18)));
  const expiresAt = now + stateLifetimeMilliseconds;
  const cipher = await getTokenCipher(app.config);
  await ensureGuild(app.database, invocation.guildId, invocation.guildLocale);
  await insertOAuthState(app.database, {
    nonce,
    guildId: invocation.guildId,
    discordUserId: invocation.userId,
    discordChannelId: invocation.channelId,
    discordApplicationId: invocation.applicationId,
    interactionToken: await cipher.seal(invocation.interactionToken, tokenPurpose.interactionToken(nonce)),
    expiresAt,
    now,
  });
  const state = await signState(
    { guildId: invocation.guildId, userId: invocation.userId, channelId: invocation.channelId, nonce, expiresAt },
    await getStateKey(app.config),
  );
  const authorizeUrl = new URL(`${app.config.twitchAuthBaseUrl}/authorize`);
  authorizeUrl.searchParams.set("client_id", app.config.twitchClientId);
  authorizeUrl.searchParams.set("redirect_uri", `${app.config.publicBaseUrl}/twitch/callback`);
  authorizeUrl.searchParams.set("response_type", "code");
  authorizeUrl.searchParams.set("scope", requestedTwitchScopes.join(" "));
  authorizeUrl.searchParams.set("state", state);
  authorizeUrl.searchParams.set("force_verify", "true");
  return {
    kind: "message",
    ephemeral: true,
    body: {
      content: translate(invocation.locale, "twitchConnectPrompt", { minutes: 10 }),
      components: [createLinkButtonRow(translate(invocation.locale, "twitchConnectButton"), authorizeUrl.toString())],
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
  const link = await findTwitchLink(app.database, invocation.guildId);
  if (!link) {
    return {
      title: translate(locale, "twitchStatusTitle"),
      description: translate(locale, "twitchNotLinked"),
      color: brandColor,
    };
  }
  const subscriptions = await listSubscriptions(app.database, invocation.guildId);
  let health = translate(locale, "twitchTokenNeedsReauth");
  let live = translate(locale, "unknown");
  if (link.status === "active") {
    try {
      const streams = await callWithUserToken(app, invocation.guildId, (helix, current) =>
        helix.getLiveStreams([current.twitchUserId]),
      );
      const refreshed = await findTwitchLink(app.database, invocation.guildId);
      const minutes = Math.max(0, Math.round(((refreshed ?? link).accessTokenExpiresAt - app.now()) / 60_000));
      health = translate(locale, "twitchTokenHealthy", { minutes });
      live = streams[0]
        ? translate(locale, "twitchLiveNow", { viewers: streams[0].viewerCount, title: streams[0].title })
        : translate(locale, "twitchOffline");
    } catch (error) {
      if (!(error instanceof TwitchNeedsReauthError)) {
        app.log.warn("could not reach Twitch for /twitch status", {
          error: String(error),
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
      { name: translate(locale, "twitchStream"), value: live },
      { name: translate(locale, "twitchScopes"), value: link.scopes.map((scope) => `\`${scope}\``).join(", ") || "—" },
      { name: translate(locale, "twitchEventSub"), value: describeSubscriptions(locale, subscriptions) },
    ],
  };
}

/** One line per EventSub subscription: ✅ enabled, ⏳ waiting for verification, ⚠️ anything else. */
function describeSubscriptions(locale: Locale, subscriptions: StoredSubscription[]): string {
  if (subscriptions.length === 0) return translate(locale, "twitchEventSubNone");
  return subscriptions
    .map((subscription) => {
      const icon = subscription.status === "enabled" ? "✅" : subscription.status.endsWith("_pending") ? "⏳" : "⚠️";
      return `${icon} \`${subscription.type}\` ${subscription.status === "enabled" ? "" : `(${subscription.status})`}`.trim();
    })
    .join("\n");
}

const disconnect = defineSubcommand(noOptions, async (invocation) => ({
  kind: "deferred",
  ephemeral: true,
  async complete() {
    const { app, locale, guildId } = invocation;
    const link = await findTwitchLink(app.database, guildId);
    if (!link) return { content: translate(locale, "twitchNotLinked") };
    const cipher = await getTokenCipher(app.config);
    const tokens = await Promise.all([
      cipher.open(link.accessToken, tokenPurpose.accessToken(guildId)),
      cipher.open(link.refreshToken, tokenPurpose.refreshToken(guildId)),
    ]);
    let revoked = true;
    for (const token of tokens) {
      try {
        await revokeToken(app.config, token);
      } catch (error) {
        revoked = false;
        app.log.warn("Twitch token revocation failed; deleting our copy anyway", { error: String(error), guildId });
      }
    }
    await deleteSubscriptions(app, guildId);
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

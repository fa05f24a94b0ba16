import { type ChannelLiveness, readChannelLiveness, recordPolledLiveness } from "../../../db/channelLiveness";
import { listSubscriptions } from "../../../db/eventSubSubscriptions";
import { findTwitchLink } from "../../../db/twitchLinks";
import { type Locale, translate } from "../../../i18n/translate";
import { describeAnswers } from "../../../raffle/checkLiveness";
import { callWithUserToken } from "../../../raffle/twitchAccess";
import { TwitchNeedsReauthError } from "../../../twitch/userTokens";
import { describeSubscriptions } from "../../describeSubscriptions";
import { brandColor, type Embed } from "../../message";
import type { Invocation } from "../CommandGroup";
import { defineSubcommand } from "../defineSubcommand";
import { describeChannelLiveness } from "../describeChannelLiveness";

/** /twitch status: the linked account, token health, liveness (asked of Twitch) and EventSub, deferred. */
export const status = defineSubcommand({
  key: "twitch.status",
  async run(invocation) {
    return {
      kind: "deferred",
      ephemeral: true,
      complete: async () => ({ embeds: [await describeLink(invocation)] }),
    };
  },
});

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
        value: describeStream(
          locale,
          channel ?? (await readChannelLiveness(app.database, link.twitchUserId)),
          streamDetails,
        ),
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

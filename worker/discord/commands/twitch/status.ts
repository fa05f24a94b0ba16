import type { ChannelLiveness } from "../../../db/channelLiveness";
import { type Locale, translate } from "../../../i18n/translate";
import { readTwitchStatus, type TokenHealth } from "../../../raffle/readTwitchStatus";
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
  const { locale } = invocation;
  const status = await readTwitchStatus(invocation.app, invocation.guildId);
  if (status.kind === "notLinked") {
    return {
      title: translate(locale, "twitchStatusTitle"),
      description: translate(locale, "twitchNotLinked"),
      color: brandColor,
    };
  }
  const { link, stream } = status;
  const details = stream
    ? translate(locale, "twitchLiveNow", { viewers: stream.viewerCount, title: stream.title })
    : "";
  return {
    title: translate(locale, "twitchStatusTitle"),
    color: brandColor,
    fields: [
      {
        name: translate(locale, "twitchAccount"),
        value: `${link.twitchDisplayName} (\`${link.twitchLogin}\`)`,
        inline: true,
      },
      { name: translate(locale, "twitchTokenHealth"), value: describeHealth(locale, status.health), inline: true },
      { name: translate(locale, "twitchStream"), value: describeStream(locale, status.channel, details) },
      { name: translate(locale, "twitchScopes"), value: link.scopes.map((scope) => `\`${scope}\``).join(", ") || "—" },
      { name: translate(locale, "twitchEventSub"), value: describeSubscriptions(locale, status.subscriptions) },
    ],
  };
}

function describeHealth(locale: Locale, health: TokenHealth): string {
  if (health.kind === "healthy") return translate(locale, "twitchTokenHealthy", { minutes: health.minutesLeft });
  return translate(locale, health.kind === "needsReauth" ? "twitchTokenNeedsReauth" : "twitchUnreachable");
}

/** The channel's recorded liveness (as /raffle status shows it), with Get Streams' title and viewers. */
function describeStream(locale: Locale, channel: ChannelLiveness | undefined, details: string): string {
  const state = describeChannelLiveness(locale, channel);
  return channel?.isLive && details ? `${state}\n${details}` : state;
}

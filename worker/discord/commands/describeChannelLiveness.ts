import type { ChannelLiveness } from "../../db/channelLiveness";
import { type Locale, translate } from "../../i18n/translate";
import { discordTime } from "../discordTime";

/**
 * The channel's liveness as every command shows it (/raffle status and /twitch status read the
 * same record): live since when, or offline, with when it was last learned.
 */
export function describeChannelLiveness(locale: Locale, channel: ChannelLiveness | undefined): string {
  if (!channel) return translate(locale, "streamNotChecked");
  const checked = discordTime(channel.observedAt);
  if (!channel.isLive) return translate(locale, "streamOfflineChecked", { checked });
  return translate(locale, "streamLiveSince", {
    since: discordTime(channel.streamStartedAt ?? channel.observedAt),
    checked,
  });
}

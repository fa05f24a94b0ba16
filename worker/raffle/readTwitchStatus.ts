import type { AppContext } from "../context";
import { type ChannelLiveness, readChannelLiveness, recordPolledLiveness } from "../db/channelLiveness";
import { listSubscriptions, type StoredSubscription } from "../db/eventSubSubscriptions";
import { findTwitchLink, type TwitchLink } from "../db/twitchLinks";
import type { LiveStream } from "../twitch/HelixClient";
import { TwitchNeedsReauthError } from "../twitch/userTokens";
import { describeAnswers } from "./checkLiveness";
import { callWithUserToken } from "./twitchAccess";

export type TokenHealth =
  | { kind: "healthy"; minutesLeft: number }
  | { kind: "needsReauth" }
  | { kind: "twitchUnreachable" };

export type TwitchStatus =
  | { kind: "notLinked" }
  | {
      kind: "linked";
      link: TwitchLink;
      health: TokenHealth;
      /** The channel's recorded liveness, as /raffle status shows it. */
      channel: ChannelLiveness | undefined;
      /** Get Streams' answer when Twitch was asked and the stream is live. */
      stream: LiveStream | undefined;
      subscriptions: StoredSubscription[];
    };

/**
 * /twitch status: the link and its subscriptions (read side by side), then Get Streams with the
 * streamer's token. What Twitch says is recorded for the channel, so /raffle status and the next
 * tick say the same.
 */
export async function readTwitchStatus(app: AppContext, guildId: string): Promise<TwitchStatus> {
  const [link, subscriptions] = await Promise.all([
    findTwitchLink(app.database, guildId),
    listSubscriptions(app.database, guildId),
  ]);
  if (!link) return { kind: "notLinked" };
  if (link.status !== "active") {
    const channel = await readChannelLiveness(app.database, link.twitchUserId);
    return { kind: "linked", link, health: { kind: "needsReauth" }, channel, stream: undefined, subscriptions };
  }
  try {
    let expiresAt = link.accessTokenExpiresAt;
    const streams = await callWithUserToken(
      app,
      guildId,
      (helix, current) => {
        expiresAt = current.accessTokenExpiresAt;
        return helix.getLiveStreams([current.twitchUserId]);
      },
      link,
    );
    const states = await recordPolledLiveness(app.database, describeAnswers([link.twitchUserId], streams), app.now());
    const minutesLeft = Math.max(0, Math.round((expiresAt - app.now()) / 60_000));
    return {
      kind: "linked",
      link,
      health: { kind: "healthy", minutesLeft },
      channel: states.get(link.twitchUserId),
      stream: streams[0],
      subscriptions,
    };
  } catch (error) {
    const health: TokenHealth =
      error instanceof TwitchNeedsReauthError ? { kind: "needsReauth" } : { kind: "twitchUnreachable" };
    if (health.kind === "twitchUnreachable") {
      app.log.warn("could not reach Twitch for /twitch status", { error, guildId });
    }
    const channel = await readChannelLiveness(app.database, link.twitchUserId);
    return { kind: "linked", link, health, channel, stream: undefined, subscriptions };
  }
}

import type { AppContext } from "../context";
import { holdChannel, releaseHold } from "../db/channelHolds";
import { channelProbeIntervalMinutes } from "./announcementRetry";

/**
 * Discord refused the guild's channel (403/404: gone, or the bot lacks permission there): the
 * channel is held (every post to it waits, the tick probes it), and the guild's raffles that post
 * there pause (`channel_unavailable`), since their winners could not be announced. Said once in
 * the log, when the hold starts; /raffle status says it while it lasts.
 */
export async function holdRaffleChannel(
  app: AppContext,
  post: { guildId: string; channelId: string; status: number | undefined; error: string },
): Promise<void> {
  const hold = await holdChannel(app.database, {
    guildId: post.guildId,
    channelId: post.channelId,
    now: app.now(),
    nextProbeAt: app.now() + channelProbeIntervalMinutes * 60_000,
    error: post.error,
  });
  for (const raffleId of hold.pausedRaffleIds) {
    app.log.warn("raffle paused", { guildId: post.guildId, raffleId, reason: "channel_unavailable" });
  }
  if (hold.started) {
    app.log.warn("Discord refused the channel: its posts wait, tried again every 10 minutes", {
      guildId: post.guildId,
      channelId: post.channelId,
      status: post.status,
    });
  }
}

/** A held channel took a post and none waits: the hold ends and the raffles it paused run again. */
export async function reopenRaffleChannel(
  app: AppContext,
  hold: { guildId: string; channelId: string; heldSince: number },
): Promise<void> {
  const resumed = await releaseHold(app.database, hold, app.now());
  app.log.info("Discord takes posts in the channel again; its waiting posts are delivered", {
    guildId: hold.guildId,
    channelId: hold.channelId,
    heldMinutes: Math.round((app.now() - hold.heldSince) / 60_000),
  });
  for (const raffleId of resumed) {
    app.log.info("raffle resumed: its channel takes posts again", { guildId: hold.guildId, raffleId });
  }
}

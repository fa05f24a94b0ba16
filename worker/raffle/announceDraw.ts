import type { AppContext } from "../context";
import { markAnnouncementFailed } from "../db/draws";
import { pauseRunningRaffle } from "../db/raffles";
import { createChannelMessage, DiscordApiError } from "../discord/DiscordRestClient";
import { brandColor, type Embed, escapeMarkdown, type MessageBody } from "../discord/message";
import { type Locale, translate } from "../i18n/translate";
import { describeError } from "../log";

export interface Announcement {
  drawId: string;
  /** The draw's own raffle: a channel found gone pauses this one, never a newer raffle. */
  raffleId: string;
  guildId: string;
  channelId: string;
  winnerDisplayName: string;
  winnerLogin: string;
  itemName: string;
  slotAt: number;
  drawNumber: number | undefined;
  attempts: number;
}

/** Retries back off 1, 2, 4 … minutes, capped; after this many attempts the draw is reported as undelivered. */
export const maximumAnnouncementAttempts = 10;

export function buildWinnerEmbed(locale: Locale, announcement: Announcement): Embed {
  return {
    title: translate(locale, "winnerTitle"),
    description: translate(locale, "winnerDescription", {
      winner: escapeMarkdown(announcement.winnerDisplayName),
      item: escapeMarkdown(announcement.itemName),
    }),
    color: brandColor,
    url: `https://www.twitch.tv/${announcement.winnerLogin}`,
    footer: {
      text:
        announcement.drawNumber === undefined
          ? "LiveLoot"
          : translate(locale, "winnerFooter", { number: announcement.drawNumber }),
    },
    timestamp: new Date(announcement.slotAt).toISOString(),
  };
}

export type AnnounceOutcome = "delivered" | "retry" | "failed" | "channel_unavailable";

export type AnnounceResult =
  | { outcome: "delivered"; messageId: string }
  | { outcome: Exclude<AnnounceOutcome, "delivered"> };

/**
 * Posts the winner embed. The draw is already committed; the message nonce makes a retried
 * post return the first message instead of posting twice. A failure is recorded on the draw
 * here; a delivery is returned, for the caller to record together with the others.
 */
export async function announceDraw(
  app: AppContext,
  announcement: Announcement,
  locale: Locale = "en-US",
): Promise<AnnounceResult> {
  const body: MessageBody = { embeds: [buildWinnerEmbed(locale, announcement)] };
  try {
    const message = await createChannelMessage(app.config, announcement.channelId, body, `draw-${announcement.drawId}`);
    return { outcome: "delivered", messageId: message.id };
  } catch (error) {
    const attempts = announcement.attempts + 1;
    // The channel is gone or closed to the bot: retrying cannot help, so the draw ends as failed.
    const unavailable = error instanceof DiscordApiError && (error.status === 403 || error.status === 404);
    const giveUp = unavailable || attempts >= maximumAnnouncementAttempts;
    const retryAfterMilliseconds =
      error instanceof DiscordApiError && error.retryAfterSeconds !== undefined
        ? Math.ceil(error.retryAfterSeconds * 1000)
        : Math.min(2 ** (attempts - 1), 30) * 60_000;
    await markAnnouncementFailed(
      app.database,
      announcement.drawId,
      unavailable ? `channel unavailable: ${describeError(error)}` : describeError(error),
      app.now() + retryAfterMilliseconds,
      giveUp,
    );
    app.log.warn("winner announcement not delivered", {
      drawId: announcement.drawId,
      guildId: announcement.guildId,
      attempts,
      status: error instanceof DiscordApiError ? error.status : undefined,
    });
    if (unavailable) {
      const paused = await pauseRunningRaffle(app.database, announcement.raffleId, "channel_unavailable");
      if (paused)
        app.log.warn("raffle paused", { raffleId: paused.id, guildId: paused.guildId, reason: "channel_unavailable" });
      return { outcome: "channel_unavailable" };
    }
    return { outcome: giveUp ? "failed" : "retry" };
  }
}

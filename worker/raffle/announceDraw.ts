import type { AppContext } from "../context";
import type { DrawVerification } from "../db/announcements";
import { markAnnouncementFailed } from "../db/draws";
import { createChannelMessage, DiscordApiError } from "../discord/DiscordRestClient";
import { brandColor, createLinkButtonRow, type Embed, escapeMarkdown, type MessageBody } from "../discord/message";
import type { Announcement } from "../domain/types";
import type { Config } from "../env";
import { type Locale, translate } from "../i18n/translate";
import { describeError } from "../log";
import { decideAnnouncementRetry } from "./announcementRetry";
import { pauseThisRaffle } from "./lifecycle";
import { buildRafflePageUrl } from "./startRaffle";

export type { Announcement };

/** An announcement and, for a liveloot/v1 draw, where its proof is (db/announcements.ts). */
export type VerifiableAnnouncement = Announcement & { verification?: DrawVerification | undefined };

export function buildWinnerEmbed(locale: Locale, announcement: VerifiableAnnouncement): Embed {
  const description = translate(locale, "winnerDescription", {
    winner: escapeMarkdown(announcement.winnerDisplayName),
    item: escapeMarkdown(announcement.itemName),
  });
  const unverifiable = announcement.verification?.publiclyVerifiable === false;
  return {
    title: translate(locale, "winnerTitle"),
    description: unverifiable ? `${description}\n\n${translate(locale, "winnerNotVerifiable")}` : description,
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

/**
 * The winner message: the embed and, for a liveloot/v1 draw, a "Verify this draw" link button to
 * the draw on its raffle's public page. A draw made before liveloot/v1 has no proof to link to.
 */
export function buildWinnerMessage(
  config: Pick<Config, "publicBaseUrl">,
  locale: Locale,
  announcement: VerifiableAnnouncement,
): MessageBody {
  const embeds = [buildWinnerEmbed(locale, announcement)];
  const { verification, drawNumber } = announcement;
  if (!verification || drawNumber === undefined) return { embeds };
  const proofUrl = buildRafflePageUrl(config.publicBaseUrl, verification.rafflePublicId, "page", drawNumber);
  return { embeds, components: [createLinkButtonRow(translate(locale, "winnerVerifyButton"), proofUrl)] };
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
  announcement: VerifiableAnnouncement,
  locale: Locale = "en-US",
): Promise<AnnounceResult> {
  const body = buildWinnerMessage(app.config, locale, announcement);
  try {
    const message = await createChannelMessage(app.config, announcement.channelId, body, `draw-${announcement.drawId}`);
    return { outcome: "delivered", messageId: message.id };
  } catch (error) {
    const attempts = announcement.attempts + 1;
    const status = error instanceof DiscordApiError ? error.status : undefined;
    const retry = decideAnnouncementRetry({
      attempts,
      status,
      retryAfterSeconds: error instanceof DiscordApiError ? error.retryAfterSeconds : undefined,
    });
    await markAnnouncementFailed(
      app.database,
      announcement.drawId,
      retry.channelUnavailable ? `channel unavailable: ${describeError(error)}` : describeError(error),
      app.now() + retry.retryInMilliseconds,
      retry.giveUp,
    );
    app.log.warn("winner announcement not delivered", {
      drawId: announcement.drawId,
      guildId: announcement.guildId,
      attempts,
      status,
    });
    if (retry.channelUnavailable) {
      // The draw's own raffle, and only while it runs: an old draw never pauses a newer raffle.
      await pauseThisRaffle(app, announcement.raffleId, "channel_unavailable");
      return { outcome: "channel_unavailable" };
    }
    return { outcome: retry.giveUp ? "failed" : "retry" };
  }
}

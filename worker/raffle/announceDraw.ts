import type { AppContext } from "../context";
import type { DrawVerification } from "../db/announcements";
import { markRedrawAnnouncementFailed, type RedrawAnnouncement } from "../db/claimLifecycle";
import { markAnnouncementFailed } from "../db/draws";
import { discordTime } from "../discord/commands/discordTime";
import { createChannelMessage, DiscordApiError } from "../discord/DiscordRestClient";
import {
  type ActionRow,
  brandColor,
  type Embed,
  escapeMarkdown,
  type LinkButton,
  type MessageBody,
} from "../discord/message";
import type { Announcement } from "../domain/types";
import type { Config } from "../env";
import { type Locale, resolveLocale, translate } from "../i18n/translate";
import { describeError } from "../log";
import { decideAnnouncementRetry } from "./announcementRetry";
import { pauseThisRaffle } from "./lifecycle";
import { buildClaimUrl, buildRafflePageUrl } from "./startRaffle";

export type { Announcement };

/**
 * An announcement and, for a liveloot/v1 draw, where its proof is (db/announcements.ts), and the
 * public id of its winner's claim when the prize must be claimed (claims n = 0).
 */
export type VerifiableAnnouncement = Announcement & {
  verification?: DrawVerification | undefined;
  claimPublicId?: string | undefined;
};

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
 * The winner message: the embed and its link buttons: "Claim your prize" when the prize must be
 * claimed, and for a liveloot/v1 draw "Verify this draw" (the draw on its raffle's public page).
 */
export function buildWinnerMessage(
  config: Pick<Config, "publicBaseUrl">,
  locale: Locale,
  announcement: VerifiableAnnouncement,
): MessageBody {
  const embeds = [buildWinnerEmbed(locale, announcement)];
  const { verification, drawNumber } = announcement;
  const components = buildPrizeButtons(config, locale, {
    claimPublicId: announcement.claimPublicId,
    rafflePublicId: verification?.rafflePublicId,
    drawNumber,
  });
  return components.length === 0 ? { embeds } : { embeds, components };
}

/** "Claim your prize" (when there is a claim) and "Verify this draw" (when there is a proof), in one row. */
function buildPrizeButtons(
  config: Pick<Config, "publicBaseUrl">,
  locale: Locale,
  target: { claimPublicId: string | undefined; rafflePublicId: string | undefined; drawNumber: number | undefined },
): ActionRow[] {
  const buttons: LinkButton[] = [];
  if (target.claimPublicId !== undefined) {
    buttons.push(
      createLinkButton(
        translate(locale, "claimPrizeButton"),
        buildClaimUrl(config.publicBaseUrl, target.claimPublicId),
      ),
    );
  }
  if (target.rafflePublicId !== undefined && target.drawNumber !== undefined) {
    const proofUrl = buildRafflePageUrl(config.publicBaseUrl, target.rafflePublicId, "page", target.drawNumber);
    buttons.push(createLinkButton(translate(locale, "winnerVerifyButton"), proofUrl));
  }
  return buttons.length === 0 ? [] : [{ type: 1, components: buttons }];
}

function createLinkButton(label: string, url: string): LinkButton {
  return { type: 2, style: 5, label: label.slice(0, 80), url };
}

/** "X did not claim in time — the new winner is Y", until when Y can claim, and its Claim and Verify buttons. */
export function buildRedrawMessage(
  config: Pick<Config, "publicBaseUrl">,
  locale: Locale,
  redraw: RedrawAnnouncement,
): MessageBody {
  const description = translate(locale, "redrawDescription", {
    previous: escapeMarkdown(redraw.previousWinnerDisplayName),
    winner: escapeMarkdown(redraw.winnerDisplayName),
    item: escapeMarkdown(redraw.itemName),
  });
  const deadline = translate(locale, "redrawClaimBefore", { time: discordTime(redraw.expiresAt) });
  const embed: Embed = {
    title: translate(locale, "redrawTitle"),
    description: redraw.publiclyVerifiable
      ? `${description}\n${deadline}`
      : `${description}\n${deadline}\n\n${translate(locale, "winnerNotVerifiable")}`,
    color: brandColor,
    url: `https://www.twitch.tv/${redraw.winnerLogin}`,
    footer: {
      text:
        redraw.drawNumber === undefined
          ? translate(locale, "redrawFooterUnnumbered", { n: redraw.n })
          : translate(locale, "redrawFooter", { number: redraw.drawNumber, n: redraw.n }),
    },
  };
  return {
    embeds: [embed],
    components: buildPrizeButtons(config, locale, {
      claimPublicId: redraw.claimPublicId,
      rafflePublicId: redraw.rafflePublicId,
      drawNumber: redraw.drawNumber,
    }),
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
  announcement: VerifiableAnnouncement,
  locale: Locale = "en-US",
): Promise<AnnounceResult> {
  return postAnnouncement(
    app,
    announcement,
    buildWinnerMessage(app.config, locale, announcement),
    `draw-${announcement.drawId}`,
    (error, retryAt, giveUp) => markAnnouncementFailed(app.database, announcement.drawId, error, retryAt, giveUp),
  );
}

/** Posts a redraw's announcement, like a draw's: its own nonce, its failures recorded on its claim. */
export async function announceRedraw(app: AppContext, redraw: RedrawAnnouncement): Promise<AnnounceResult> {
  const locale = resolveLocale(redraw.locale);
  return postAnnouncement(
    app,
    redraw,
    buildRedrawMessage(app.config, locale, redraw),
    `redraw-${redraw.claimId}`,
    (error, retryAt, giveUp) => markRedrawAnnouncementFailed(app.database, redraw.claimId, error, retryAt, giveUp),
  );
}

async function postAnnouncement(
  app: AppContext,
  target: { channelId: string; raffleId: string; guildId: string; drawId: string; attempts: number },
  body: MessageBody,
  nonce: string,
  recordFailure: (error: string, retryAt: number, giveUp: boolean) => Promise<void>,
): Promise<AnnounceResult> {
  try {
    const message = await createChannelMessage(app.config, target.channelId, body, nonce);
    return { outcome: "delivered", messageId: message.id };
  } catch (error) {
    const attempts = target.attempts + 1;
    const status = error instanceof DiscordApiError ? error.status : undefined;
    const retry = decideAnnouncementRetry({
      attempts,
      status,
      retryAfterSeconds: error instanceof DiscordApiError ? error.retryAfterSeconds : undefined,
    });
    await recordFailure(
      retry.channelUnavailable ? `channel unavailable: ${describeError(error)}` : describeError(error),
      app.now() + retry.retryInMilliseconds,
      retry.giveUp,
    );
    app.log.warn("winner announcement not delivered", {
      drawId: target.drawId,
      guildId: target.guildId,
      nonce,
      attempts,
      status,
    });
    if (retry.channelUnavailable) {
      // The draw's own raffle, and only while it runs: an old draw never pauses a newer raffle.
      await pauseThisRaffle(app, target.raffleId, "channel_unavailable");
      return { outcome: "channel_unavailable" };
    }
    return { outcome: retry.giveUp ? "failed" : "retry" };
  }
}

import type { AppContext } from "../context";
import type { DrawVerification } from "../db/announcements";
import { markRedrawAnnouncementFailed, type RedrawAnnouncement } from "../db/claimLifecycle";
import { blockDiscordPosts } from "../db/discordBlocks";
import { markAnnouncementFailed } from "../db/draws";
import { markNoticeFailed, type PendingNotice } from "../db/notices";
import { createChannelMessage, DiscordApiError } from "../discord/DiscordRestClient";
import { discordTime } from "../discord/discordTime";
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
import { describeError, type LogFields } from "../log";
import { decideAnnouncementRetry } from "./announcementRetry";
import { holdRaffleChannel } from "./channelHolds";
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
 * One pass of the outbox (a tick's, a command's): once Discord's Cloudflare refuses a post, the
 * pass's other posts wait for the same block instead of asking again.
 */
export interface OutboxPass {
  blockedUntil: number | undefined;
}

export function startOutboxPass(): OutboxPass {
  return { blockedUntil: undefined };
}

/** How a failed post is recorded on its outbox row. */
type RecordFailure = (failure: { error: string; retryAt: number; giveUp: boolean; counted: boolean }) => Promise<void>;

/**
 * Posts the winner embed. The draw is already committed; the message nonce makes a retried
 * post return the first message instead of posting twice. A failure is recorded on the draw
 * here; a delivery is returned, for the caller to record together with the others.
 */
export async function announceDraw(
  app: AppContext,
  announcement: VerifiableAnnouncement,
  locale: Locale = "en-US",
  pass: OutboxPass = startOutboxPass(),
): Promise<AnnounceResult> {
  return postAnnouncement(
    app,
    { ...announcement, logFields: { drawId: announcement.drawId } },
    buildWinnerMessage(app.config, locale, announcement),
    `draw-${announcement.drawId}`,
    (failure) =>
      markAnnouncementFailed(
        app.database,
        announcement.drawId,
        failure.error,
        failure.retryAt,
        failure.giveUp,
        failure.counted,
      ),
    pass,
  );
}

/** Posts a redraw's announcement, like a draw's: its own nonce, its failures recorded on its claim. */
export async function announceRedraw(
  app: AppContext,
  redraw: RedrawAnnouncement,
  pass: OutboxPass = startOutboxPass(),
): Promise<AnnounceResult> {
  const locale = resolveLocale(redraw.locale);
  return postAnnouncement(
    app,
    { ...redraw, logFields: { drawId: redraw.drawId, claimId: redraw.claimId } },
    buildRedrawMessage(app.config, locale, redraw),
    `redraw-${redraw.claimId}`,
    (failure) =>
      markRedrawAnnouncementFailed(
        app.database,
        redraw.claimId,
        failure.error,
        failure.retryAt,
        failure.giveUp,
        failure.counted,
      ),
    pass,
  );
}

/** Posts a notice (already rendered in the server's language), like an announcement: nonce `notice-{id}`. */
export async function announceNotice(
  app: AppContext,
  notice: PendingNotice,
  pass: OutboxPass = startOutboxPass(),
): Promise<AnnounceResult> {
  return postAnnouncement(
    app,
    { ...notice, logFields: { noticeId: notice.noticeId, messageKey: notice.messageKey } },
    { content: notice.content },
    `notice-${notice.noticeId}`,
    (failure) =>
      markNoticeFailed(app.database, notice.noticeId, failure.error, failure.retryAt, failure.giveUp, failure.counted),
    pass,
  );
}

async function postAnnouncement(
  app: AppContext,
  target: {
    channelId: string;
    /** The raffle the post belongs to; a notice about none (a link confirmation) is not held for. */
    raffleId: string | undefined;
    guildId: string;
    attempts: number;
    logFields: LogFields;
  },
  body: MessageBody,
  nonce: string,
  recordFailure: RecordFailure,
  pass: OutboxPass,
): Promise<AnnounceResult> {
  if (pass.blockedUntil !== undefined) {
    await recordFailure({
      error: "waiting: Discord's Cloudflare limits this Worker",
      retryAt: pass.blockedUntil,
      giveUp: false,
      counted: false,
    });
    return { outcome: "retry" };
  }
  try {
    const message = await createChannelMessage(app.config, target.channelId, body, nonce);
    return { outcome: "delivered", messageId: message.id };
  } catch (error) {
    const attempts = target.attempts + 1;
    const discordError = error instanceof DiscordApiError ? error : undefined;
    const status = discordError?.status;
    const retry = decideAnnouncementRetry({
      attempts,
      status,
      retryAfterSeconds: discordError?.retryAfterSeconds,
      cloudflareLimited: discordError?.cloudflareLimited,
    });
    const description = describeError(error);
    // A notice about no raffle (the link confirmation in the channel that asked) holds no channel.
    const holdsChannel = retry.channelUnavailable && target.raffleId !== undefined;
    let retryAt = app.now() + retry.retryInMilliseconds;
    if (retry.cloudflareLimited) {
      const block = await blockDiscordPosts(app.database, app.now(), description);
      // Posts of this pass in flight together are refused together: the first to return logs.
      const loggedInThisPass = pass.blockedUntil !== undefined;
      pass.blockedUntil = block.blockedUntil;
      retryAt = block.blockedUntil;
      if (block.started && !loggedInThisPass) {
        app.log.warn("Discord's Cloudflare rate-limits this Worker (HTML 429); every post waits", {
          status,
          blockedUntil: new Date(block.blockedUntil).toISOString(),
          error: description,
        });
      }
    }
    await recordFailure({
      error: retry.channelUnavailable ? `channel unavailable: ${description}` : description,
      retryAt,
      giveUp: retry.giveUp || (retry.channelUnavailable && !holdsChannel),
      counted: retry.counted || (retry.channelUnavailable && !holdsChannel),
    });
    if (!retry.cloudflareLimited) {
      app.log.warn("announcement not delivered", {
        ...target.logFields,
        guildId: target.guildId,
        nonce,
        attempts,
        status,
      });
    }
    if (holdsChannel) {
      await holdRaffleChannel(app, {
        guildId: target.guildId,
        channelId: target.channelId,
        status,
        error: description,
      });
    }
    if (retry.channelUnavailable) return { outcome: holdsChannel ? "channel_unavailable" : "failed" };
    return { outcome: retry.giveUp ? "failed" : "retry" };
  }
}

import type { AppContext } from "../context";
import { type ClaimedAnnouncement, recordTwitchAnnouncement } from "../db/announcements";
import type { RedrawAnnouncement } from "../db/claimLifecycle";
import { type Locale, resolveLocale, translate } from "../i18n/translate";
import { describeError } from "../log";
import { buildClaimUrl } from "./startRaffle";
import { callWithUserToken } from "./twitchAccess";

/** Twitch Send Chat Message refuses a message longer than this (docs/platform-limits.md, "Twitch"). */
export const twitchChatMessageLimit = 500;

/**
 * "@winner won ITEM!" or, when the prize must be claimed, "@winner won ITEM! Claim it at {url}",
 * within Twitch's 500 characters: a long item name is cut, never the login or the link.
 */
export function formatTwitchWinnerMessage(
  locale: Locale,
  winner: { login: string; itemName: string; claimUrl: string | undefined },
): string {
  const format = (item: string) =>
    winner.claimUrl === undefined
      ? translate(locale, "twitchChatWinner", { login: winner.login, item })
      : translate(locale, "twitchChatWinnerClaim", { login: winner.login, item, url: winner.claimUrl });
  const message = format(winner.itemName);
  if (message.length <= twitchChatMessageLimit) return message;
  const room = Math.max(1, winner.itemName.length - (message.length - twitchChatMessageLimit) - 1);
  return format(`${winner.itemName.slice(0, room)}…`);
}

/**
 * "@winner won ITEM!" in the broadcaster's Twitch chat, sent as the linked account
 * (user:write:chat), with the claim link when the prize must be claimed. Twitch can answer 200 and
 * still drop a message, so `is_sent` decides. Best effort, once per draw: Discord stays the
 * announcement of record.
 */
export async function announceInTwitchChat(app: AppContext, announcement: ClaimedAnnouncement): Promise<void> {
  const message = formatTwitchWinnerMessage(resolveLocale(announcement.locale), {
    login: announcement.winnerLogin,
    itemName: announcement.itemName,
    claimUrl:
      announcement.claimPublicId === undefined
        ? undefined
        : buildClaimUrl(app.config.publicBaseUrl, announcement.claimPublicId),
  });
  try {
    const sent = await callWithUserToken(app, announcement.guildId, (helix, link) =>
      helix.sendChatMessage(announcement.twitchBroadcasterId, link.twitchUserId, message),
    );
    await recordTwitchAnnouncement(
      app.database,
      announcement.drawId,
      sent.isSent
        ? { status: "sent", messageId: sent.messageId }
        : { status: "dropped", error: sent.dropReason ?? "dropped by Twitch" },
    );
  } catch (error) {
    app.log.warn("winner not announced in Twitch chat", { drawId: announcement.drawId, error: describeError(error) });
    await recordTwitchAnnouncement(app.database, announcement.drawId, {
      status: "failed",
      error: describeError(error),
    });
  }
}

/**
 * A redraw's new winner in Twitch chat ("@winner won ITEM! Claim it at {url}"), sent once, when its
 * Discord announcement is delivered. Best effort: a failure is logged, never retried.
 */
export async function announceRedrawInTwitchChat(app: AppContext, redraw: RedrawAnnouncement): Promise<void> {
  const message = formatTwitchWinnerMessage(resolveLocale(redraw.locale), {
    login: redraw.winnerLogin,
    itemName: redraw.itemName,
    claimUrl: buildClaimUrl(app.config.publicBaseUrl, redraw.claimPublicId),
  });
  try {
    const sent = await callWithUserToken(app, redraw.guildId, (helix, link) =>
      helix.sendChatMessage(redraw.twitchBroadcasterId, link.twitchUserId, message),
    );
    if (!sent.isSent)
      app.log.warn("redraw dropped by Twitch chat", { claimId: redraw.claimId, reason: sent.dropReason });
  } catch (error) {
    app.log.warn("redraw not announced in Twitch chat", { claimId: redraw.claimId, error: describeError(error) });
  }
}

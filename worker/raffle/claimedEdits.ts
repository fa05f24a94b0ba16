import type { AppContext } from "../context";
import { type ClaimAnnouncementTarget, listPendingClaimedEdits, markClaimedEdit } from "../db/claims";
import { DiscordApiError, editChannelMessage } from "../discord/DiscordRestClient";
import { escapeMarkdown } from "../discord/message";
import { resolveLocale, translate } from "../i18n/translate";

/** Claimed edits the tick finishes at most per minute (each is one Discord request). */
const editsPerTick = 10;

/**
 * Adds "✅ Claimed by X" to the announcement that carried the claim's button. Done: recorded.
 * Discord refusing for good (4xx but 429: the message or channel is gone, no access): recorded as
 * failed. Anything else (5xx, 429, network) stays pending for the next tick.
 */
export async function editClaimedAnnouncement(app: AppContext, target: ClaimAnnouncementTarget): Promise<void> {
  const content = translate(resolveLocale(target.locale), "claimAnnouncementClaimed", {
    winner: escapeMarkdown(target.winnerDisplayName),
  });
  try {
    await editChannelMessage(app.config, target.channelId, target.messageId, { content });
    await markClaimedEdit(app.database, target.claimId, "done");
  } catch (error) {
    const permanent =
      error instanceof DiscordApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
    app.log.warn("claimed edit of the announcement failed", { error, claimId: target.claimId, permanent });
    if (permanent) await markClaimedEdit(app.database, target.claimId, "failed");
  }
}

/**
 * The tick's share: claimed edits still pending, because Discord failed for a moment or the claim
 * was taken before its announcement was posted (the edit then waits for the message id).
 */
export async function finishClaimedEdits(app: AppContext): Promise<number> {
  const pending = await listPendingClaimedEdits(app.database, editsPerTick);
  for (const target of pending) await editClaimedAnnouncement(app, target);
  return pending.length;
}

import type { AppContext } from "../context";
import { type ClaimAnnouncementTarget, listPendingClaimedEdits, markClaimedEdit } from "../db/claims";
import { blockDiscordPosts, clearDiscordBlock, readDiscordBlock } from "../db/discordBlocks";
import { DiscordApiError, editChannelMessage } from "../discord/DiscordRestClient";
import { escapeMarkdown } from "../discord/message";
import { resolveLocale, translate } from "../i18n/translate";
import { describeError } from "../log";

/** Claimed edits the tick finishes at most per minute (each is one Discord request). */
const editsPerTick = 10;

/**
 * Adds "✅ Claimed by X" to the announcement that carried the claim's button. Done: recorded.
 * Discord refusing for good (4xx but 429: the message or channel is gone, no access): recorded as
 * failed. Anything else (5xx, 429, network) stays pending for the next tick. False when Discord's
 * Cloudflare refused it (error 1015): the other edits wait for the block too.
 */
export async function editClaimedAnnouncement(app: AppContext, target: ClaimAnnouncementTarget): Promise<boolean> {
  const content = translate(resolveLocale(target.locale), "claimAnnouncementClaimed", {
    winner: escapeMarkdown(target.winnerDisplayName),
  });
  try {
    await editChannelMessage(app.config, target.channelId, target.messageId, { content });
    await markClaimedEdit(app.database, target.claimId, "done");
  } catch (error) {
    if (error instanceof DiscordApiError && error.cloudflareLimited) {
      // Discord's Cloudflare refuses every call for minutes: the outbox's block covers the edits too.
      const block = await blockDiscordPosts(app.database, app.now(), describeError(error));
      if (block.started) {
        app.log.warn("Discord's Cloudflare rate-limits this Worker (HTML 429); every post waits", {
          status: error.status,
          blockedUntil: new Date(block.blockedUntil).toISOString(),
          error,
        });
      }
      return false;
    }
    const permanent =
      error instanceof DiscordApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
    app.log.warn("claimed edit of the announcement failed", { error, claimId: target.claimId, permanent });
    if (permanent) await markClaimedEdit(app.database, target.claimId, "failed");
  }
  return true;
}

/**
 * The tick's share: claimed edits still pending, because Discord failed for a moment or the claim
 * was taken before its announcement was posted (the edit then waits for the message id).
 */
export async function finishClaimedEdits(app: AppContext): Promise<number> {
  const pending = await listPendingClaimedEdits(app.database, editsPerTick);
  if (pending.length === 0) return 0;
  // While Discord's Cloudflare blocks the Worker (db/discordBlocks.ts), the edits wait with the posts.
  const block = await readDiscordBlock(app.database);
  if (block && block.blockedUntil > app.now()) return 0;
  let reached = false;
  for (const target of pending) {
    if (!(await editClaimedAnnouncement(app, target))) break;
    reached = true;
  }
  // An edit Discord answered ends a block that is over, as a delivered post does.
  if (block && reached) await clearDiscordBlock(app.database);
  return pending.length;
}

import type { AppContext } from "../context";
import { type ClaimedAnnouncement, recordTwitchAnnouncement } from "../db/announcements";
import { describeError } from "../log";
import { callWithUserToken } from "./twitchAccess";

/**
 * "@winner won ITEM!" in the broadcaster's Twitch chat, sent as the linked account
 * (user:write:chat). Twitch can answer 200 and still drop a message, so `is_sent` decides.
 * Best effort, once per draw: Discord stays the announcement of record.
 */
export async function announceInTwitchChat(app: AppContext, announcement: ClaimedAnnouncement): Promise<void> {
  try {
    const sent = await callWithUserToken(app, announcement.guildId, (helix, link) =>
      helix.sendChatMessage(
        announcement.twitchBroadcasterId,
        link.twitchUserId,
        `@${announcement.winnerLogin} won ${announcement.itemName}!`,
      ),
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

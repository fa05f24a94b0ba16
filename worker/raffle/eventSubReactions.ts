import type { EventSubListener } from "../twitch/handleEventSub";
import { notifyRaffleChannel } from "./lifecycle";

/** What EventSub's reports mean for the raffles (twitch/handleEventSub.ts reports, this decides). */
export const eventSubReactions: EventSubListener = {
  async livenessRevoked(app, revocation) {
    // One subscription serves every guild linking the channel: each running raffle's channel is
    // told, once per revocation (the notice's key names the subscription).
    for (const guildId of revocation.guildIds) {
      await notifyRaffleChannel(
        app,
        guildId,
        "eventSubRevokedNotice",
        { reason: revocation.reason },
        `revoked-${revocation.subscriptionId}`,
      );
    }
  },
};

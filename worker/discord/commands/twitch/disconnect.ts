import { deleteTwitchLink, findTwitchLink } from "../../../db/twitchLinks";
import { translate } from "../../../i18n/translate";
import { describeError } from "../../../log";
import { stopRaffle } from "../../../raffle/lifecycle";
import { deleteSubscriptions } from "../../../twitch/eventSubSubscriptions";
import { revokeLinkTokens } from "../../../twitch/userTokens";
import { defineSubcommand } from "../defineSubcommand";

/** /twitch disconnect: revokes the tokens at Twitch, deletes them and stops the raffle (deferred). */
export const disconnect = defineSubcommand({
  key: "twitch.disconnect",
  async run(invocation) {
    return {
      kind: "deferred",
      ephemeral: true,
      async complete() {
        const { app, locale, guildId } = invocation;
        const link = await findTwitchLink(app.database, guildId);
        if (!link) return { content: translate(locale, "twitchNotLinked") };
        // Best effort: a token Twitch will not revoke, or that no longer opens, is deleted all the same.
        const revoked = await revokeLinkTokens(app, link);
        try {
          await deleteSubscriptions(app, guildId);
        } catch (error) {
          app.log.warn("could not delete the EventSub subscriptions; unlinking anyway", {
            error: describeError(error),
            guildId,
          });
        }
        const raffle = await stopRaffle(app, guildId, "twitch_disconnected");
        await deleteTwitchLink(app.database, guildId);
        app.log.info("Twitch link removed", { guildId, revoked, raffleStopped: Boolean(raffle) });
        const lines = [translate(locale, "twitchDisconnected", { login: link.twitchLogin })];
        if (raffle) lines.push(translate(locale, "raffleStoppedBecauseDisconnected"));
        if (!revoked) lines.push(translate(locale, "twitchRevokeFailed"));
        return { content: lines.join("\n") };
      },
    };
  },
});

import { translate } from "../../../i18n/translate";
import { unlinkTwitch } from "../../../raffle/unlinkTwitch";
import { defineSubcommand } from "../defineSubcommand";

/** /twitch disconnect: revokes the tokens at Twitch, deletes them and stops the raffle (deferred). */
export const disconnect = defineSubcommand({
  key: "twitch.disconnect",
  async run(invocation) {
    return {
      kind: "deferred",
      ephemeral: true,
      async complete() {
        const { locale } = invocation;
        const result = await unlinkTwitch(invocation.app, invocation.guildId);
        if (result.kind === "notLinked") return { content: translate(locale, "twitchNotLinked") };
        const lines = [translate(locale, "twitchDisconnected", { login: result.twitchLogin })];
        if (result.raffleStopped) lines.push(translate(locale, "raffleStoppedBecauseDisconnected"));
        if (!result.tokensRevoked) lines.push(translate(locale, "twitchRevokeFailed"));
        return { content: lines.join("\n") };
      },
    };
  },
});

import { translate } from "../../../i18n/translate";
import { publishRaffleStatusToOverlay } from "../../../overlay/publishToOverlay";
import { stopRaffle } from "../../../raffle/lifecycle";
import { UserFacingError } from "../CommandGroup";
import { defineSubcommand } from "../defineSubcommand";

/** /raffle stop: stops the guild's raffle and says how many winners it had. */
export const stop = defineSubcommand({
  key: "raffle.stop",
  async run(invocation) {
    const { app, locale, guildId } = invocation;
    const stopped = await stopRaffle(app, guildId, "stopped_by_user");
    if (!stopped) throw new UserFacingError("raffleNoneActive");
    publishRaffleStatusToOverlay(app, guildId, "stopped");
    return {
      kind: "message",
      ephemeral: false,
      body: { content: translate(locale, "raffleStopped", { total: stopped.totalDraws ?? 0 }) },
    };
  },
});

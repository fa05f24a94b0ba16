import { excludeViewer } from "../../../db/exclusions";
import { ensureGuild } from "../../../db/guilds";
import { translate } from "../../../i18n/translate";
import { formatServerLimit, readServerLimitRefusal } from "../../../raffle/serverLimits";
import { UserFacingError } from "../CommandGroup";
import { twitchLoginOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";

/** /raffle exclude user: a Twitch login that can never win in this server (at most serverLimits.exclusions). */
export const exclude = defineSubcommand({
  key: "raffle.exclude",
  options: { user: twitchLoginOption("raffleUserInvalid") },
  async run(invocation, options) {
    await ensureGuild(invocation.app.database, invocation.guildId, invocation.guildLocale);
    const added = await excludeViewer(
      invocation.app.database,
      invocation.guildId,
      options.user,
      invocation.userId,
    ).catch((error: unknown) => {
      if (readServerLimitRefusal(error) !== "exclusions") throw error;
      throw new UserFacingError("raffleExclusionsLimitReached", {
        maximum: formatServerLimit("exclusions", invocation.locale),
        login: options.user,
      });
    });
    const key = added ? "raffleExcluded" : "raffleAlreadyExcluded";
    return {
      kind: "message",
      ephemeral: true,
      body: { content: translate(invocation.locale, key, { login: options.user }) },
    };
  },
});

import { includeViewer } from "../../../db/exclusions";
import { translate } from "../../../i18n/translate";
import { twitchLoginOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";

/** /raffle include user: an excluded Twitch login can win again. */
export const include = defineSubcommand({
  key: "raffle.include",
  options: { user: twitchLoginOption("raffleUserInvalid") },
  async run(invocation, options) {
    const removed = await includeViewer(invocation.app.database, invocation.guildId, options.user);
    const key = removed ? "raffleIncluded" : "raffleNotExcluded";
    return {
      kind: "message",
      ephemeral: true,
      body: { content: translate(invocation.locale, key, { login: options.user }) },
    };
  },
});

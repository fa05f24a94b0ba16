import { findTwitchLink } from "../../../db/twitchLinks";
import { readLeaderboard } from "../../../db/viewerPoints";
import { translate } from "../../../i18n/translate";
import { brandColor, escapeMarkdown } from "../../message";
import { UserFacingError } from "../CommandGroup";
import { defineSubcommand } from "../defineSubcommand";
import { formatMultiplier } from "./formatMultiplier";

/** /raffle leaderboard: the most active viewers by activity points (from EventSub), with their luck. */
export const leaderboard = defineSubcommand({
  key: "raffle.leaderboard",
  async run(invocation) {
    const { app, locale, guildId } = invocation;
    const link = await findTwitchLink(app.database, guildId);
    if (!link) throw new UserFacingError("twitchNotLinked");
    const leaders = await readLeaderboard(app.database, { guildId, broadcasterId: link.twitchUserId }, 10);
    const title = translate(locale, "raffleLeaderboardTitle");
    const format = new Intl.NumberFormat(locale);
    const description =
      leaders.length === 0
        ? translate(locale, "raffleLeaderboardEmpty")
        : leaders
            .map((leader, index) =>
              translate(locale, "raffleLeaderboardLine", {
                rank: index + 1,
                name: escapeMarkdown(leader.displayName),
                points: format.format(leader.points),
                multiplier: formatMultiplier(locale, leader.points),
              }),
            )
            .join("\n");
    return { kind: "message", ephemeral: false, body: { embeds: [{ title, description, color: brandColor }] } };
  },
});

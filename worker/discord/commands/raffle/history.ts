import { type DrawClaimState, listDrawHistory } from "../../../db/draws";
import { type Locale, type MessageKey, translate } from "../../../i18n/translate";
import { discordTime } from "../../discordTime";
import { brandColor, escapeMarkdown, joinLinesWithin } from "../../message";
import { UserFacingError } from "../CommandGroup";
import { integerOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";

const historyPageSize = 10;

/** /raffle history [page]: the server's past winners, newest first. */
export const history = defineSubcommand({
  key: "raffle.history",
  options: {
    page: integerOption(optionLimits.historyPage, "rafflePageInvalid").withDefault(optionLimits.historyPage.default),
  },
  async run(invocation, options) {
    const { app, locale, guildId } = invocation;
    const { draws, total } = await listDrawHistory(app.database, guildId, options.page, historyPageSize);
    const pages = Math.max(1, Math.ceil(total / historyPageSize));
    const title = translate(locale, "raffleHistoryTitle");
    if (total === 0)
      return {
        kind: "message",
        ephemeral: true,
        body: { embeds: [{ title, description: translate(locale, "raffleHistoryEmpty"), color: brandColor }] },
      };
    if (options.page > pages) throw new UserFacingError("raffleHistoryNoPage", { pages });
    const lines = draws.map((entry) =>
      translate(locale, "raffleHistoryLine", {
        time: discordTime(entry.slotAt, "f"),
        winner: escapeMarkdown(entry.winnerDisplayName),
        item: escapeMarkdown(entry.itemName),
        marker: (entry.announcementStatus === "delivered" ? "" : " ⏳") + describeClaim(locale, entry.claim),
      }),
    );
    return {
      kind: "message",
      ephemeral: true,
      body: {
        embeds: [
          {
            title,
            description: joinLinesWithin(lines, 4000, (hidden) =>
              translate(locale, "lootTableMore", { count: hidden }),
            ),
            color: brandColor,
            footer: { text: translate(locale, "raffleHistoryFooter", { page: options.page, pages, total }) },
          },
        ],
      },
    };
  },
});

const claimStatusMarkers: Record<DrawClaimState["status"], MessageKey> = {
  open: "raffleHistoryClaimOpen",
  claimed: "raffleHistoryClaimClaimed",
  expired: "raffleHistoryClaimExpired",
};

/** A prize that had to be claimed: redrawn (to whom), and whether its last winner claimed it, may still, or never did. */
function describeClaim(locale: Locale, claim: DrawClaimState | undefined): string {
  if (claim === undefined) return "";
  const redrawn =
    claim.n > 0
      ? translate(locale, "raffleHistoryRedrawn", { count: claim.n, winner: escapeMarkdown(claim.winnerDisplayName) })
      : "";
  return redrawn + translate(locale, claimStatusMarkers[claim.status]);
}

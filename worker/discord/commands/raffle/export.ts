import { findExportableRaffle } from "../../../db/raffleStart";
import { translate } from "../../../i18n/translate";
import { buildRafflePageUrl } from "../../../raffle/startRaffle";
import { escapeMarkdown } from "../../message";
import { UserFacingError } from "../CommandGroup";
import { defineSubcommand } from "../defineSubcommand";

/**
 * /raffle export: where the public record of the server's raffle lives (its page, `.json` and
 * `.csv`), as text and as link buttons. The running or paused raffle, else the latest one.
 */
export const exportRaffle = defineSubcommand({
  key: "raffle.export",
  async run(invocation) {
    const { app, locale } = invocation;
    const raffle = await findExportableRaffle(app.database, invocation.guildId);
    if (!raffle) throw new UserFacingError("raffleExportNone");
    const urls = {
      page: buildRafflePageUrl(app.config.publicBaseUrl, raffle.publicId, "page"),
      json: buildRafflePageUrl(app.config.publicBaseUrl, raffle.publicId, "json"),
      csv: buildRafflePageUrl(app.config.publicBaseUrl, raffle.publicId, "csv"),
    };
    const buttons = [
      { label: translate(locale, "raffleExportPageButton"), url: urls.page },
      { label: translate(locale, "raffleExportJsonButton"), url: urls.json },
      { label: translate(locale, "raffleExportCsvButton"), url: urls.csv },
    ];
    return {
      kind: "message",
      ephemeral: true,
      body: {
        content: translate(locale, raffle.state === "current" ? "raffleExportCurrent" : "raffleExportLatest", {
          login: escapeMarkdown(raffle.twitchBroadcasterLogin),
          ...urls,
        }),
        components: [
          {
            type: 1,
            components: buttons.map((button) => ({
              type: 2,
              style: 5,
              label: button.label.slice(0, 80),
              url: button.url,
            })),
          },
        ],
      },
    };
  },
});

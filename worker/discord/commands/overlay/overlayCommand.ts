import { ensureGuild } from "../../../db/guilds";
import { translate } from "../../../i18n/translate";
import { withTimeout } from "../../../lib/withTimeout";
import { obtainOverlayLink } from "../../../overlay/overlayLinks";
import { buildOverlayUrl } from "../../../overlay/overlayUrl";
import { defineSingleCommand } from "../CommandGroup";
import { booleanOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";

/** How long /overlay waits for the overlay object to close sockets of a replaced link. */
const replaceTimeoutMilliseconds = 1_500;

/**
 * /overlay: the server's secret overlay URL for an OBS Browser Source, the same one each time;
 * `new_link:true` replaces it. The old URL's routes answer 404 from the moment the new digest is
 * stored, and its open sockets are closed by the server's overlay object.
 */
const showOverlayLink = defineSubcommand({
  key: "overlay.link",
  options: { new_link: booleanOption().withDefault(false) },
  async run(invocation, options) {
    const { app, locale, guildId } = invocation;
    await ensureGuild(app.database, guildId, invocation.guildLocale);
    const link = await obtainOverlayLink(app.database, app.config, app.log, guildId, options.new_link);
    if (link.created && app.overlays) {
      try {
        const closed = await withTimeout(
          app.overlays.getByName(guildId).replaceToken(link.digest),
          replaceTimeoutMilliseconds,
        );
        app.log.info("overlay link made", { guildId, replaced: options.new_link, socketsClosed: closed });
      } catch (error) {
        // The old URL is already refused (its digest is gone); its open sockets close when the new URL first connects.
        app.log.warn("overlay object did not take the new link", { guildId, error });
      }
    }
    const url = buildOverlayUrl(app.config.publicBaseUrl, link.token);
    return {
      kind: "message",
      ephemeral: true,
      body: {
        content: translate(locale, options.new_link ? "overlayLinkReplaced" : "overlayLinkReply", { url }),
        components: [
          {
            type: 1,
            components: [{ type: 2, style: 5, label: translate(locale, "overlayLinkButton").slice(0, 80), url }],
          },
        ],
      },
    };
  },
});

export const overlayCommand = defineSingleCommand("overlay", showOverlayLink);

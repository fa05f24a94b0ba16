import { ensureGuild } from "../../../db/guilds";
import { updatePointValues } from "../../../db/viewerPoints";
import { translate } from "../../../i18n/translate";
import { integerOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";

const pointValue = () => integerOption(optionLimits.pointValue, "rafflePointsInvalid").optional();

/** /raffle points [follow] [subscribe] [gift] [cheer] [raid]: each value given replaces the server's; none shows them. */
export const points = defineSubcommand({
  key: "raffle.points",
  options: {
    follow: pointValue(),
    subscribe: pointValue(),
    gift: pointValue(),
    cheer: pointValue(),
    raid: pointValue(),
  },
  async run(invocation, options) {
    const { app, locale, guildId } = invocation;
    await ensureGuild(app.database, guildId, invocation.guildLocale);
    const values = await updatePointValues(app.database, guildId, {
      follow: options.follow,
      subscribe: options.subscribe,
      giftPerSub: options.gift,
      cheerPerBit: options.cheer,
      raid: options.raid,
    });
    const changed = Object.values(options).some((value) => value !== undefined);
    return {
      kind: "message",
      ephemeral: true,
      body: {
        content: [
          translate(locale, changed ? "rafflePointsUpdated" : "rafflePointsCurrent"),
          translate(locale, "rafflePointsValues", {
            follow: values.follow,
            subscribe: values.subscribe,
            gift: values.giftPerSub,
            cheer: values.cheerPerBit,
            raid: values.raid,
          }),
        ].join("\n"),
      },
    };
  },
});

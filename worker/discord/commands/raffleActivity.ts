import { ensureGuild } from "../../db/guilds";
import { findTwitchLink } from "../../db/twitchLinks";
import { readLeaderboard, updatePointValues } from "../../db/viewerPoints";
import { type Locale, translate } from "../../i18n/translate";
import { brandColor, escapeMarkdown } from "../message";
import { defineSubcommand, UserFacingError } from "./CommandGroup";
import { noOptions } from "./lootOptions";
import { pointsOptions } from "./raffleOptions";

// /raffle leaderboard and /raffle points: activity points from EventSub, and their luck.

/** A viewer's luck multiplier: 1 + points/100, at most 5 (what make_raffle weighs by). */
export function formatMultiplier(locale: Locale, points: number): string {
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(Math.min(1 + points / 100, 5))}×`;
}

export const leaderboard = defineSubcommand(noOptions, async (invocation) => {
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
});

export const points = defineSubcommand(pointsOptions, async (invocation, options) => {
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
});

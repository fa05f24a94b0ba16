import type { AppContext } from "../context";
import { readGuildLocale } from "../db/guilds";
import { stopActiveRaffle } from "../db/raffles";
import { createChannelMessage } from "../discord/DiscordRestClient";
import { resolveLocale, translate } from "../i18n/translate";

/**
 * The loot ran out: stop the raffle and say so in its channel, in the server's language. The
 * nonce makes a retried post return the first message instead of posting twice.
 */
export async function stopForEmptyLoot(app: AppContext, raffle: { id: string; guildId: string }): Promise<void> {
  const stopped = await stopActiveRaffle(app.database, raffle.guildId, "no_items", app.now());
  if (!stopped) return;
  try {
    const locale = resolveLocale(await readGuildLocale(app.database, raffle.guildId));
    await createChannelMessage(
      app.config,
      stopped.discordChannelId,
      { content: translate(locale, "raffleOutOfItems") },
      `noitems-${raffle.id}`.slice(0, 25),
    );
  } catch (error) {
    app.log.warn("could not announce the end of the loot", { error, raffleId: raffle.id });
  }
}

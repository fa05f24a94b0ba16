import type { AppContext } from "../context";
import { stopActiveRaffle } from "../db/raffles";
import { notifyRaffleChannel } from "./lifecycle";

/**
 * The loot ran out: stop the raffle and say so in its channel, in the server's language, once
 * (the nonce names the raffle, so a replayed slot posts nothing new).
 */
export async function stopForEmptyLoot(app: AppContext, raffle: { id: string; guildId: string }): Promise<void> {
  const stopped = await stopActiveRaffle(app.database, raffle.guildId, "no_items", app.now());
  if (!stopped) return;
  app.log.info("raffle stopped: the loot ran out", { raffleId: stopped.id, guildId: stopped.guildId });
  await notifyRaffleChannel(
    app,
    raffle.guildId,
    "raffleOutOfItems",
    {},
    `noitems-${raffle.id}`,
    stopped.discordChannelId,
  );
}

import type { AppContext } from "../context";
import { getGuild } from "./DiscordRestClient";

/** The server's name as Discord gives it; its id when Discord cannot say (the page still works). */
export async function readServerName(app: AppContext, guildId: string): Promise<string> {
  try {
    return (await getGuild(app.config, guildId)).name;
  } catch (error) {
    app.log.warn("could not read the server's name from Discord", { error, guildId });
    return guildId;
  }
}

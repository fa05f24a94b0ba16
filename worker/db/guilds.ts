import type { Queryable } from "./Database";

/** Makes sure the guild row exists (every guild-owned row references it). */
export async function ensureGuild(database: Queryable, guildId: string): Promise<void> {
  await database.query("insert into guilds (id) values ($1) on conflict (id) do nothing", [guildId]);
}

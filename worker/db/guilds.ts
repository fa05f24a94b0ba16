import type { Queryable } from "./Database";

/**
 * Makes sure the guild row exists (every guild-owned row references it) and keeps its language,
 * which public posts (winner announcements, notices from the tick) are written in.
 */
export async function ensureGuild(database: Queryable, guildId: string, locale?: string): Promise<void> {
  await database.query(
    `insert into guilds (id, locale) values ($1, coalesce($2, 'en-US'))
     on conflict (id) do update set locale = coalesce($2, guilds.locale)
     where guilds.locale is distinct from coalesce($2, guilds.locale)`,
    [guildId, locale ?? null],
  );
}

/** The guild's language for public posts. */
export async function readGuildLocale(database: Queryable, guildId: string): Promise<string> {
  const rows = await database.query<{ locale: string }>("select locale from guilds where id = $1", [guildId]);
  return rows[0]?.locale ?? "en-US";
}

import type { Queryable } from "./Database";

/**
 * Returns false when the login was already excluded. A server at its exclusion limit is refused
 * by the database (0017_server_limits.sql, `excluded_viewers_per_guild`), thrown for the caller.
 */
export async function excludeViewer(
  database: Queryable,
  guildId: string,
  login: string,
  byUserId: string,
): Promise<boolean> {
  const rows = await database.query(
    `insert into excluded_viewers (guild_id, twitch_login, excluded_by_discord_user_id) values ($1, $2, $3)
     on conflict do nothing returning twitch_login`,
    [guildId, login, byUserId],
  );
  return rows.length === 1;
}

/** Returns false when the login was not excluded. */
export async function includeViewer(database: Queryable, guildId: string, login: string): Promise<boolean> {
  const rows = await database.query(
    "delete from excluded_viewers where guild_id = $1 and twitch_login = $2 returning twitch_login",
    [guildId, login],
  );
  return rows.length === 1;
}

import type { Queryable, Statement } from "./Database";

/** Points per kind of activity, configurable per guild (columns on guilds). */
export interface PointValues {
  follow: number;
  subscribe: number;
  giftPerSub: number;
  cheerPerBit: number;
  raid: number;
}

export const defaultPointValues: PointValues = { follow: 10, subscribe: 50, giftPerSub: 60, cheerPerBit: 1, raid: 30 };

interface PointValuesRow {
  follow_points: number;
  subscribe_points: number;
  gift_points_per_sub: number;
  cheer_points_per_bit: number;
  raid_points: number;
}

const pointColumns = "follow_points, subscribe_points, gift_points_per_sub, cheer_points_per_bit, raid_points";

function mapPointValues(row: PointValuesRow | undefined): PointValues {
  if (!row) return defaultPointValues;
  return {
    follow: row.follow_points,
    subscribe: row.subscribe_points,
    giftPerSub: row.gift_points_per_sub,
    cheerPerBit: row.cheer_points_per_bit,
    raid: row.raid_points,
  };
}

/** Which of a guild's point values an EventSub activity earns (award_points multiplies it out). */
export type Activity = "follow" | "subscribe" | "gift" | "cheer" | "raid";

export interface PointAward {
  messageId: string;
  messageType: string;
  subscriptionType: string;
  broadcasterId: string;
  viewer: { id: string; login: string; displayName: string };
  activity: Activity;
  /** Gifted subs or bits; 1 for a follow, a subscription or a raid. */
  quantity: number;
}

/**
 * Adds points once per EventSub message id (award_points records the id in the same call), in
 * every guild linking the channel, each by its own point values.
 */
export async function awardPoints(
  database: Queryable,
  award: PointAward,
): Promise<{ isNew: boolean; guildCount: number }> {
  const rows = await database.query<{ is_new: boolean; guild_count: number }>(
    "select is_new, guild_count from award_points($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    [
      award.messageId,
      award.messageType,
      award.subscriptionType,
      award.broadcasterId,
      award.viewer.id,
      award.viewer.login,
      award.viewer.displayName,
      award.activity,
      award.quantity,
    ],
  );
  return { isNew: Boolean(rows[0]?.is_new), guildCount: Number(rows[0]?.guild_count ?? 0) };
}

export interface LeaderboardEntry {
  login: string;
  displayName: string;
  points: number;
}

/** The guild's most active viewers in its linked channel (points are per guild and channel). */
export async function readLeaderboard(
  database: Queryable,
  channel: { guildId: string; broadcasterId: string },
  limit: number,
): Promise<LeaderboardEntry[]> {
  const rows = await database.query<{ viewer_login: string; viewer_display_name: string; points: string }>(
    `select viewer_login, viewer_display_name, points from viewer_points
     where guild_id = $1 and broadcaster_id = $2 and points > 0 order by points desc, viewer_user_id limit $3`,
    [channel.guildId, channel.broadcasterId, limit],
  );
  return rows.map((row) => ({
    login: row.viewer_login,
    displayName: row.viewer_display_name,
    points: Number(row.points),
  }));
}

/** The top of the leaderboard of the guild's raffle's channel when it runs with luck (a statement for batches). */
export function activeRaffleLeadersStatement(guildId: string, limit: number): Statement {
  return {
    text: `select vp.viewer_login, vp.viewer_display_name, vp.points from raffles r
     join viewer_points vp on vp.guild_id = r.guild_id and vp.broadcaster_id = r.twitch_broadcaster_id
     where r.guild_id = $1 and r.status in ('running', 'paused') and r.luck and vp.points > 0
     order by vp.points desc, vp.viewer_user_id limit $2`,
    values: [guildId, limit],
  };
}

export function mapLeaderboard(rows: object[]): LeaderboardEntry[] {
  return (rows as { viewer_login: string; viewer_display_name: string; points: string }[]).map((row) => ({
    login: row.viewer_login,
    displayName: row.viewer_display_name,
    points: Number(row.points),
  }));
}

/** The guild's point values, after applying the ones given (the others stay as they are). */
export async function updatePointValues(
  database: Queryable,
  guildId: string,
  changes: Partial<PointValues>,
): Promise<PointValues> {
  const rows = await database.query<PointValuesRow>(
    `update guilds set follow_points = coalesce($2, follow_points), subscribe_points = coalesce($3, subscribe_points),
       gift_points_per_sub = coalesce($4, gift_points_per_sub), cheer_points_per_bit = coalesce($5, cheer_points_per_bit),
       raid_points = coalesce($6, raid_points)
     where id = $1
     returning ${pointColumns}`,
    [
      guildId,
      changes.follow ?? null,
      changes.subscribe ?? null,
      changes.giftPerSub ?? null,
      changes.cheerPerBit ?? null,
      changes.raid ?? null,
    ],
  );
  return mapPointValues(rows[0]);
}

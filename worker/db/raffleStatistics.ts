import type { Queryable } from "./Database";

export interface RaffleStatistics {
  drawableItems: number;
  stockLeft: number | null;
  pendingAnnouncements: number;
  failedAnnouncements: number;
}

/** Figures for /raffle status, in one round trip. */
export async function readRaffleStatistics(
  database: Queryable,
  guildId: string,
  raffleId: string,
): Promise<RaffleStatistics> {
  const rows = await database.query<{
    drawable_items: string;
    unlimited_items: string;
    stock_left: string | null;
    pending: string;
    failed: string;
  }>(
    `select
       (select count(*) from loot_items where guild_id = $1 and enabled and (stock is null or stock > 0)) as drawable_items,
       (select count(*) from loot_items where guild_id = $1 and enabled and stock is null) as unlimited_items,
       (select sum(stock) from loot_items where guild_id = $1 and enabled) as stock_left,
       (select count(*) from draws where raffle_id = $2 and announcement_status = 'pending') as pending,
       (select count(*) from draws where raffle_id = $2 and announcement_status = 'failed') as failed`,
    [guildId, raffleId],
  );
  const row = rows[0];
  return {
    drawableItems: Number(row?.drawable_items ?? 0),
    stockLeft: Number(row?.unlimited_items ?? 0) > 0 ? null : Number(row?.stock_left ?? 0),
    pendingAnnouncements: Number(row?.pending ?? 0),
    failedAnnouncements: Number(row?.failed ?? 0),
  };
}

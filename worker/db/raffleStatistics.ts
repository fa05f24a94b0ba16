import type { GateName } from "../domain/gates";
import type { Statement } from "./Database";
import type { IneligibleCounts } from "./draws";

/** The raffle's current run of live slots that drew nothing (record_draw records it). */
export interface EmptySlotRun {
  /** Live minutes since the run began; it ends with the next draw. */
  minutes: number;
  lastSlotAt: number;
  /** Why the last of them drew nothing. */
  ineligible: IneligibleCounts;
}

export interface RaffleStatistics {
  drawableItems: number;
  stockLeft: number | null;
  pendingAnnouncements: number;
  failedAnnouncements: number;
  /** Undefined when the last live slot drew a winner (or there was none yet). */
  emptySlots: EmptySlotRun | undefined;
  /** The server's prizes waiting for their winner, soonest to close first (at most `openClaimsShown`). */
  openClaims: OpenClaim[];
  /** All of them, shown or not. */
  openClaimCount: number;
}

/** A prize waiting for its winner to claim it. */
export interface OpenClaim {
  winnerDisplayName: string;
  itemName: string;
  expiresAt: number;
}

/** Open claims /raffle status lists; the rest are counted. */
export const openClaimsShown = 5;

type RaffleStatisticsRow = {
  drawable_items: string;
  unlimited_items: string;
  stock_left: string | null;
  pending: string;
  failed: string;
  empty_minutes: number | null;
  last_empty_slot_at: Date | null;
  last_empty_candidates: number | null;
  last_empty_excluded: number | null;
  last_empty_cooling_down: number | null;
  last_empty_gate: GateName | null;
  cooldown_minutes: number | null;
  open_claims: { winner: string; item: string; expires_at: string }[] | null;
  open_claim_count: string;
};

/** Figures for /raffle status about the guild's running or paused raffle, as one statement. */
export function raffleStatisticsStatement(guildId: string): Statement {
  return {
    text: `with raffle as (select * from raffles where guild_id = $1 and status in ('running', 'paused'))
     select
       (select count(*) from loot_items where guild_id = $1 and enabled and (stock is null or stock > 0)) as drawable_items,
       (select count(*) from loot_items where guild_id = $1 and enabled and stock is null) as unlimited_items,
       (select sum(stock) from loot_items where guild_id = $1 and enabled) as stock_left,
       (select count(*) from draws where raffle_id = r.id and announcement_status = 'pending') as pending,
       (select count(*) from draws where raffle_id = r.id and announcement_status = 'failed') as failed,
       r.empty_minutes, r.last_empty_slot_at, r.last_empty_candidates, r.last_empty_excluded,
       r.last_empty_cooling_down, r.last_empty_gate, r.cooldown_minutes,
       (select json_agg(json_build_object('winner', o.winner_twitch_display_name, 'item', o.item_name,
          'expires_at', o.expires_at) order by o.expires_at, o.id)
        from (select c.id, c.winner_twitch_display_name, d.item_name, c.expires_at
              from claims c join draws d on d.id = c.draw_id
              where d.guild_id = $1 and c.status = 'open'
              order by c.expires_at, c.id limit ${openClaimsShown}) o) as open_claims,
       (select count(*) from claims c join draws d on d.id = c.draw_id
        where d.guild_id = $1 and c.status = 'open') as open_claim_count
     from (select) as one_row
     left join raffle r on true`,
    values: [guildId],
  };
}

export function mapRaffleStatistics(rows: object[]): RaffleStatistics {
  const row = rows[0] as RaffleStatisticsRow | undefined;
  const emptySlots: EmptySlotRun | undefined =
    row?.empty_minutes && row.last_empty_slot_at
      ? {
          minutes: row.empty_minutes,
          lastSlotAt: row.last_empty_slot_at.getTime(),
          ineligible: {
            chatters: row.last_empty_candidates ?? 0,
            excluded: row.last_empty_excluded ?? 0,
            coolingDown: row.last_empty_cooling_down ?? 0,
            cooldownMinutes: row.cooldown_minutes ?? 0,
            ...(row.last_empty_gate ? { gate: row.last_empty_gate } : {}),
          },
        }
      : undefined;
  return {
    emptySlots,
    drawableItems: Number(row?.drawable_items ?? 0),
    stockLeft: Number(row?.unlimited_items ?? 0) > 0 ? null : Number(row?.stock_left ?? 0),
    pendingAnnouncements: Number(row?.pending ?? 0),
    failedAnnouncements: Number(row?.failed ?? 0),
    openClaims: (row?.open_claims ?? []).map((claim) => ({
      winnerDisplayName: claim.winner,
      itemName: claim.item,
      expiresAt: Date.parse(claim.expires_at),
    })),
    openClaimCount: Number(row?.open_claim_count ?? 0),
  };
}

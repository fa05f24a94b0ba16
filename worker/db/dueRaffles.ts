import type { Queryable } from "./Database";
import { mapLink, selectLinkColumns, type TwitchLink, type TwitchLinkRow } from "./twitchLinks";

/** A raffle whose slot has come, with what the tick needs to draw for it. */
export interface DueRaffle {
  id: string;
  guildId: string;
  discordChannelId: string;
  twitchBroadcasterId: string;
  isLive: boolean;
  /** stream.online and stream.offline subscriptions are both enabled: `isLive` is kept by EventSub. */
  liveFromEventSub: boolean;
  /** The guild's Twitch link, read in the same query so a slot needs no second look-up. */
  link: TwitchLink;
}

interface DueRaffleRow extends TwitchLinkRow {
  id: string;
  guild_id: string;
  discord_channel_id: string;
  twitch_broadcaster_id: string;
  is_live: boolean;
  live_from_eventsub: boolean;
}

// Both stream subscriptions enabled: the raffle's is_live is pushed by EventSub, no need to poll.
const liveFromEventSubColumn = `(select count(*) = 2 from twitch_eventsub_subscriptions s
   where s.guild_id = r.guild_id and s.type in ('stream.online', 'stream.offline') and s.status = 'enabled')
   as live_from_eventsub`;

function mapDueRaffle(row: DueRaffleRow): DueRaffle {
  return {
    id: String(row.id),
    guildId: row.guild_id,
    discordChannelId: row.discord_channel_id,
    twitchBroadcasterId: row.twitch_broadcaster_id,
    isLive: row.is_live,
    liveFromEventSub: row.live_from_eventsub,
    link: mapLink(row),
  };
}

/**
 * Running raffles whose next slot is at or before `slotAt` and whose guild has an active Twitch
 * link: one indexed query (raffles_due) per tick.
 */
export async function findDueRaffles(database: Queryable, slotAt: number, limit: number): Promise<DueRaffle[]> {
  const rows = await database.query<DueRaffleRow>(
    `select r.id, r.guild_id, r.discord_channel_id, r.twitch_broadcaster_id, r.is_live, ${liveFromEventSubColumn}, ${selectLinkColumns("l")}
     from raffles r
     join twitch_links l on l.guild_id = r.guild_id and l.status = 'active'
     where r.status = 'running' and r.next_slot_at <= $1
     order by r.next_slot_at, r.id
     limit $2`,
    [new Date(slotAt), limit],
  );
  return rows.map(mapDueRaffle);
}

/** Running raffles by id, with their links (the queue consumer's slots). */
export async function findDueRafflesByIds(database: Queryable, raffleIds: string[]): Promise<DueRaffle[]> {
  if (raffleIds.length === 0) return [];
  const rows = await database.query<DueRaffleRow>(
    `select r.id, r.guild_id, r.discord_channel_id, r.twitch_broadcaster_id, r.is_live, ${liveFromEventSubColumn}, ${selectLinkColumns("l")}
     from raffles r join twitch_links l on l.guild_id = r.guild_id and l.status = 'active'
     where r.id = any($1::bigint[]) and r.status = 'running'`,
    [raffleIds],
  );
  return rows.map(mapDueRaffle);
}

/** Records Get Streams' answer for many broadcasters in one statement. */
export async function recordLiveness(
  database: Queryable,
  raffleIds: string[],
  liveRaffleIds: string[],
  checkedAt: number,
): Promise<void> {
  if (raffleIds.length === 0) return;
  await database.query(
    `update raffles set is_live = (id = any($2::bigint[])), live_checked_at = $3 where id = any($1::bigint[])`,
    [raffleIds, liveRaffleIds, new Date(checkedAt)],
  );
}

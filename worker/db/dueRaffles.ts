import type { RaffleGates } from "../domain/gates";
import {
  type ChannelLiveness,
  type ChannelLivenessRow,
  mapChannelLiveness,
  selectChannelLivenessColumns,
} from "./channelLiveness";
import type { Queryable } from "./Database";
import { type GateColumnsRow, mapGates, selectChatPushed, selectGateColumns } from "./gateColumns";
import { selectTermsVersion } from "./raffleTerms";
import { mapLink, selectLinkColumns, type TwitchLink, type TwitchLinkRow } from "./twitchLinks";

/** A raffle whose slot has come, with what the tick needs to draw for it. */
export interface DueRaffle {
  id: string;
  guildId: string;
  discordChannelId: string;
  twitchBroadcasterId: string;
  /** What is known about the channel being live; undefined when nothing is yet. */
  channel: ChannelLiveness | undefined;
  /** stream.online and stream.offline subscriptions for the channel are both enabled (any guild). */
  livenessPushed: boolean;
  /** The guild's Twitch link, read in the same query so a slot needs no second look-up. */
  link: TwitchLink;
  /** Who may win besides being in chat. */
  gates: RaffleGates;
  /** The channel's `channel.chat.message` subscription is enabled (any guild). */
  chatPushed: boolean;
  /** The raffle's terms as read (db/raffleTerms.ts): a draw recorded under newer ones is stale. */
  termsVersion: number;
}

interface DueRaffleRow extends TwitchLinkRow, ChannelLivenessRow, GateColumnsRow {
  id: string;
  guild_id: string;
  discord_channel_id: string;
  twitch_broadcaster_id: string;
  liveness_pushed: boolean;
  chat_pushed: boolean;
  terms_version: number;
}

// Both stream subscriptions of the channel enabled (they belong to the channel, whichever guilds
// need them): EventSub pushes the channel's liveness (index twitch_eventsub_subscriptions_by_broadcaster).
const dueRaffleColumns = `r.id, r.guild_id, r.discord_channel_id, r.twitch_broadcaster_id,
  (select count(distinct s.type) = 2 from twitch_eventsub_subscriptions s
   where s.broadcaster_id = r.twitch_broadcaster_id
     and s.type in ('stream.online', 'stream.offline') and s.status = 'enabled') as liveness_pushed,
  ${selectChannelLivenessColumns("c")}, ${selectLinkColumns("l")}, ${selectGateColumns("r")},
  ${selectChatPushed("r")}, ${selectTermsVersion("r")}`;

function mapDueRaffle(row: DueRaffleRow): DueRaffle {
  return {
    id: String(row.id),
    guildId: row.guild_id,
    discordChannelId: row.discord_channel_id,
    twitchBroadcasterId: row.twitch_broadcaster_id,
    channel: mapChannelLiveness(row),
    livenessPushed: row.liveness_pushed,
    link: mapLink(row),
    gates: mapGates(row),
    chatPushed: row.chat_pushed,
    termsVersion: row.terms_version,
  };
}

/**
 * Running raffles whose next slot is at or before `slotAt` and whose guild has an active Twitch
 * link, at most `limit`: those whose channel is known live first, then the rest, each by
 * next_slot_at. A raffle draws only while live, so an offline channel's raffle keeps its old
 * next_slot_at; ordered by next_slot_at alone, enough of them would fill every tick and live
 * raffles behind them would never draw. Each half is an indexed walk that stops at `limit`:
 * live channels by twitch_channel_liveness_live, then their raffles by
 * raffles_active_by_broadcaster; the rest along raffles_due.
 */
export async function findDueRaffles(database: Queryable, slotAt: number, limit: number): Promise<DueRaffle[]> {
  const rows = await database.query<DueRaffleRow>(
    `with due as (
       (select r.id, r.next_slot_at, 0 as rank
        from twitch_channel_liveness live
        join raffles r on r.twitch_broadcaster_id = live.broadcaster_id and r.status = 'running'
        join twitch_links l on l.guild_id = r.guild_id and l.status = 'active'
        where live.is_live and r.next_slot_at <= $1
        order by r.next_slot_at, r.id
        limit $2)
       union all
       (select r.id, r.next_slot_at, 1 as rank
        from raffles r
        join twitch_links l on l.guild_id = r.guild_id and l.status = 'active'
        left join twitch_channel_liveness known on known.broadcaster_id = r.twitch_broadcaster_id
        where r.status = 'running' and r.next_slot_at <= $1 and known.is_live is not true
        order by r.next_slot_at, r.id
        limit $2)
       order by rank, next_slot_at, id
       limit $2
     )
     select ${dueRaffleColumns}
     from due
     join raffles r on r.id = due.id
     join twitch_links l on l.guild_id = r.guild_id
     left join twitch_channel_liveness c on c.broadcaster_id = r.twitch_broadcaster_id
     order by due.rank, due.next_slot_at, due.id`,
    [new Date(slotAt), limit],
  );
  return rows.map(mapDueRaffle);
}

/** Running raffles by id, with their links (the queue consumer's slots). */
export async function findDueRafflesByIds(database: Queryable, raffleIds: string[]): Promise<DueRaffle[]> {
  if (raffleIds.length === 0) return [];
  const rows = await database.query<DueRaffleRow>(
    `select ${dueRaffleColumns}
     from raffles r join twitch_links l on l.guild_id = r.guild_id and l.status = 'active'
     left join twitch_channel_liveness c on c.broadcaster_id = r.twitch_broadcaster_id
     where r.id = any($1::bigint[]) and r.status = 'running'`,
    [raffleIds],
  );
  return rows.map(mapDueRaffle);
}

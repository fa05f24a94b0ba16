import type { Queryable, Statement } from "./Database";

// A channel Discord refused (403/404), held until a post goes through (0021, README "Discord
// refusing a channel"): the outboxes skip its posts, the tick probes it with the oldest.

/** A hold the tick probes now, leased so an overlapping tick leaves it alone. */
export interface ChannelHold {
  guildId: string;
  channelId: string;
  heldSince: number;
  probes: number;
}

/** One of a held channel's waiting posts, in the order they were recorded. */
export interface WaitingPost {
  kind: "draw" | "redraw" | "notice";
  id: string;
}

/**
 * Holds the guild's channel (`started` when it was not held yet) and pauses the guild's running
 * raffles that post there (their ids), in one statement: a raffle never draws into a channel that
 * refuses its announcements.
 */
export async function holdChannel(
  database: Queryable,
  hold: { guildId: string; channelId: string; now: number; nextProbeAt: number; error: string },
): Promise<{ started: boolean; pausedRaffleIds: string[] }> {
  const rows = await database.query<{ started: boolean | null; paused_raffle_ids: string[] }>(
    `with hold as (
       insert into discord_channel_holds as h (guild_id, discord_channel_id, held_since, next_probe_at, last_error)
       values ($1, $2, $3, $4, left($5, 1000))
       on conflict (guild_id, discord_channel_id) do update set last_error = excluded.last_error
       returning (xmax = 0) as started
     ), paused as (
       update raffles set status = 'paused', status_reason = 'channel_unavailable'
       where guild_id = $1 and discord_channel_id = $2 and status = 'running'
       returning id
     )
     select (select started from hold) as started, array(select id::text from paused) as paused_raffle_ids`,
    [hold.guildId, hold.channelId, new Date(hold.now), new Date(hold.nextProbeAt), hold.error],
  );
  return { started: rows[0]?.started === true, pausedRaffleIds: rows[0]?.paused_raffle_ids ?? [] };
}

/** Up to `limit` holds whose probe is due at `now`, their next probe pushed to `leaseUntil`. */
export async function leaseDueHolds(
  database: Queryable,
  options: { now: number; leaseUntil: number; limit: number },
): Promise<ChannelHold[]> {
  const rows = await database.query<{
    guild_id: string;
    discord_channel_id: string;
    held_since: Date;
    probes: number;
  }>(
    `update discord_channel_holds set next_probe_at = $2, probes = probes + 1
     where (guild_id, discord_channel_id) in (
       select guild_id, discord_channel_id from discord_channel_holds
       where next_probe_at <= $1
       order by next_probe_at
       limit $3
       for update skip locked
     )
     returning guild_id, discord_channel_id, held_since, probes`,
    [new Date(options.now), new Date(options.leaseUntil), options.limit],
  );
  return rows.map((row) => ({
    guildId: row.guild_id,
    channelId: row.discord_channel_id,
    heldSince: row.held_since.getTime(),
    probes: row.probes,
  }));
}

/**
 * The held channel's waiting posts, oldest first (by when each was recorded): its draws' winners,
 * its redraws' new winners and its notices, whichever raffle of the guild they belong to.
 */
export async function listWaitingPosts(
  database: Queryable,
  hold: { guildId: string; channelId: string },
  limit: number,
): Promise<WaitingPost[]> {
  const rows = await database.query<{ kind: WaitingPost["kind"]; id: string }>(
    `select kind, id::text from (
       select 'draw' as kind, d.id, d.created_at from draws d join raffles r on r.id = d.raffle_id
       where d.guild_id = $1 and r.discord_channel_id = $2 and d.announcement_status = 'pending'
       union all
       select 'redraw', c.id, c.created_at from claims c join draws d on d.id = c.draw_id
         join raffles r on r.id = d.raffle_id
       where d.guild_id = $1 and r.discord_channel_id = $2 and c.announcement_status = 'pending'
       union all
       select 'notice', n.id, n.created_at from discord_notices n
       where n.guild_id = $1 and n.discord_channel_id = $2 and n.announcement_status = 'pending'
     ) waiting
     order by created_at, kind, id
     limit $3`,
    [hold.guildId, hold.channelId, limit],
  );
  return rows.map((row) => ({ kind: row.kind, id: String(row.id) }));
}

/** The probe did not get through (or more posts wait): try again at `nextProbeAt`. */
export async function postponeHold(
  database: Queryable,
  hold: { guildId: string; channelId: string },
  nextProbeAt: number,
): Promise<void> {
  await database.query(
    `update discord_channel_holds set next_probe_at = $3 where guild_id = $1 and discord_channel_id = $2`,
    [hold.guildId, hold.channelId, new Date(nextProbeAt)],
  );
}

/**
 * The channel takes posts again and none waits: the hold ends and the guild's raffles it paused
 * run again (their ids), from the current minute, so no missed slot is drawn in a burst.
 */
export async function releaseHold(
  database: Queryable,
  hold: { guildId: string; channelId: string },
  now: number,
): Promise<string[]> {
  const rows = await database.query<{ id: string }>(
    `with released as (
       delete from discord_channel_holds where guild_id = $1 and discord_channel_id = $2 returning guild_id
     )
     update raffles set status = 'running', status_reason = null,
       next_slot_at = greatest(next_slot_at, date_trunc('minute', $3::timestamptz))
     where guild_id = $1 and discord_channel_id = $2 and status = 'paused' and status_reason = 'channel_unavailable'
       and exists (select 1 from released)
     returning id::text`,
    [hold.guildId, hold.channelId, new Date(now)],
  );
  return rows.map((row) => String(row.id));
}

/** The hold on the channel of the guild's running or paused raffle, if any (a statement for /raffle status's batch). */
export function activeRaffleChannelHoldStatement(guildId: string): Statement {
  return {
    text: `select h.next_probe_at, h.held_since from discord_channel_holds h
     join raffles r on r.guild_id = h.guild_id and r.discord_channel_id = h.discord_channel_id
     where r.guild_id = $1 and r.status in ('running', 'paused')`,
    values: [guildId],
  };
}

/** When the held channel is tried next, and since when it is held. */
export interface ChannelHoldState {
  nextProbeAt: number;
  heldSince: number;
}

export function mapChannelHold(rows: object[]): ChannelHoldState | undefined {
  const row = rows[0] as { next_probe_at: Date; held_since: Date } | undefined;
  return row ? { nextProbeAt: row.next_probe_at.getTime(), heldSince: row.held_since.getTime() } : undefined;
}

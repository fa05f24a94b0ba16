import type { GateFailureReason, GateName, RaffleGates } from "../domain/gates";
import {
  type ChannelLiveness,
  type ChannelLivenessRow,
  mapChannelLiveness,
  selectChannelLivenessColumns,
} from "./channelLiveness";
import type { Queryable, Statement } from "./Database";
import { type GateColumnsRow, mapGates, selectChatPushed, selectGateColumns } from "./gateColumns";
import { selectTermsVersion } from "./raffleTerms";

export type RaffleStatus = "running" | "paused" | "stopped";
export type RaffleStatusReason =
  | "stopped_by_user"
  | "no_items"
  | "twitch_disconnected"
  | "twitch_needs_reauth"
  | "channel_unavailable"
  | "chatters_forbidden";

export interface RaffleSummary {
  id: string;
  guildId: string;
  discordChannelId: string;
  status: RaffleStatus;
  statusReason: RaffleStatusReason | undefined;
}

interface RaffleSummaryRow {
  id: string;
  guild_id: string;
  discord_channel_id: string;
  status: RaffleStatus;
  status_reason: RaffleStatusReason | null;
}

function mapSummary(row: RaffleSummaryRow): RaffleSummary {
  return {
    id: String(row.id),
    guildId: row.guild_id,
    discordChannelId: row.discord_channel_id,
    status: row.status,
    statusReason: row.status_reason ?? undefined,
  };
}

/** The guild's running or paused raffle, if any (there is at most one). */
export async function findActiveRaffle(database: Queryable, guildId: string): Promise<RaffleSummary | undefined> {
  const rows = await database.query<RaffleSummaryRow>(
    `select id, guild_id, discord_channel_id, status, status_reason from raffles
     where guild_id = $1 and status in ('running', 'paused')`,
    [guildId],
  );
  return rows[0] ? mapSummary(rows[0]) : undefined;
}

export async function pauseActiveRaffle(
  database: Queryable,
  guildId: string,
  reason: RaffleStatusReason,
): Promise<RaffleSummary | undefined> {
  const rows = await database.query<RaffleSummaryRow>(
    `update raffles set status = 'paused', status_reason = $2
     where guild_id = $1 and status in ('running', 'paused')
     returning id, guild_id, discord_channel_id, status, status_reason`,
    [guildId, reason],
  );
  return rows[0] ? mapSummary(rows[0]) : undefined;
}

/**
 * Pauses this raffle, and only while it is running: a late result about an older raffle (an
 * announcement retried after a stop and a start) never pauses the guild's newer one.
 */
export async function pauseRunningRaffle(
  database: Queryable,
  raffleId: string,
  reason: RaffleStatusReason,
): Promise<RaffleSummary | undefined> {
  const rows = await database.query<RaffleSummaryRow>(
    `update raffles set status = 'paused', status_reason = $2
     where id = $1 and status = 'running'
     returning id, guild_id, discord_channel_id, status, status_reason`,
    [raffleId, reason],
  );
  return rows[0] ? mapSummary(rows[0]) : undefined;
}

export async function stopActiveRaffle(
  database: Queryable,
  guildId: string,
  reason: RaffleStatusReason,
  now: number,
): Promise<RaffleSummary | undefined> {
  const rows = await database.query<RaffleSummaryRow>(
    `update raffles set status = 'stopped', status_reason = $2, stopped_at = $3
     where guild_id = $1 and status in ('running', 'paused')
     returning id, guild_id, discord_channel_id, status, status_reason`,
    [guildId, reason, new Date(now)],
  );
  return rows[0] ? mapSummary(rows[0]) : undefined;
}

export interface RaffleDetails extends RaffleSummary {
  twitchBroadcasterId: string;
  twitchBroadcasterLogin: string;
  everyMinutes: number;
  cooldownMinutes: number;
  nextSlotAt: number;
  /** What is known about the raffle's Twitch channel being live (shared with every raffle of it). */
  channel: ChannelLiveness | undefined;
  drawCount: number;
  luck: boolean;
  announceInTwitch: boolean;
  gates: RaffleGates;
  /** The last slot skipped because a gate could not be checked, if no slot was recorded since. */
  gateFailure: { gate: GateName; reason: GateFailureReason; status: number | null; at: number } | undefined;
  /** The channel's `channel.chat.message` subscription is enabled (what the chat gate reads). */
  chatPushed: boolean;
  /** The raffle's terms as read (db/raffleTerms.ts): a draw recorded under newer ones is stale. */
  termsVersion: number;
}

interface RaffleDetailsRow extends RaffleSummaryRow, ChannelLivenessRow, GateColumnsRow {
  gate_failure: GateName | null;
  gate_failure_reason: GateFailureReason | null;
  chat_pushed: boolean;
  gate_failure_status: number | null;
  gate_failure_at: Date | null;
  last_slot_at: Date | null;
  twitch_broadcaster_id: string;
  twitch_broadcaster_login: string;
  every_minutes: number;
  cooldown_minutes: number;
  next_slot_at: Date;
  draw_count: number;
  luck: boolean;
  announce_in_twitch: boolean;
  terms_version: number;
}

const detailColumns = `id, guild_id, discord_channel_id, status, status_reason, twitch_broadcaster_id,
  twitch_broadcaster_login, every_minutes, cooldown_minutes, next_slot_at, draw_count, luck, announce_in_twitch,
  ${selectGateColumns("r")}, gate_failure, gate_failure_reason, gate_failure_status, gate_failure_at, last_slot_at,
  ${selectChatPushed("r")}, ${selectTermsVersion("r")}`;

function mapDetails(row: RaffleDetailsRow): RaffleDetails {
  return {
    ...mapSummary(row),
    twitchBroadcasterId: row.twitch_broadcaster_id,
    twitchBroadcasterLogin: row.twitch_broadcaster_login,
    everyMinutes: row.every_minutes,
    cooldownMinutes: row.cooldown_minutes,
    nextSlotAt: row.next_slot_at.getTime(),
    channel: mapChannelLiveness(row),
    drawCount: row.draw_count,
    luck: row.luck,
    announceInTwitch: row.announce_in_twitch,
    gates: mapGates(row),
    gateFailure:
      row.gate_failure &&
      row.gate_failure_reason &&
      row.gate_failure_at &&
      (!row.last_slot_at || row.gate_failure_at >= row.last_slot_at)
        ? {
            gate: row.gate_failure,
            reason: row.gate_failure_reason,
            status: row.gate_failure_status,
            at: row.gate_failure_at.getTime(),
          }
        : undefined,
    chatPushed: row.chat_pushed,
    termsVersion: row.terms_version,
  };
}

/** The guild's running or paused raffle, with its channel's liveness (a statement for batches). */
export function activeRaffleDetailsStatement(guildId: string): Statement {
  return {
    text: `select ${detailColumns}, ${selectChannelLivenessColumns("c")}
     from raffles r left join twitch_channel_liveness c on c.broadcaster_id = r.twitch_broadcaster_id
     where r.guild_id = $1 and r.status in ('running', 'paused')`,
    values: [guildId],
  };
}

export function mapActiveRaffleDetails(rows: object[]): RaffleDetails | undefined {
  const row = rows[0] as RaffleDetailsRow | undefined;
  return row ? mapDetails(row) : undefined;
}

export async function findActiveRaffleDetails(
  database: Queryable,
  guildId: string,
): Promise<RaffleDetails | undefined> {
  const statement = activeRaffleDetailsStatement(guildId);
  return mapActiveRaffleDetails(await database.query(statement.text, statement.values));
}

/**
 * Sets a paused raffle running again when the reason it paused for is gone (e.g. Twitch was
 * re-linked). Its next slot is the current minute, so it draws at the next tick.
 */
export async function resumePausedRaffle(
  database: Queryable,
  guildId: string,
  reasons: RaffleStatusReason[],
  now: number,
): Promise<RaffleSummary | undefined> {
  const rows = await database.query<RaffleSummaryRow>(
    `update raffles set status = 'running', status_reason = null,
       next_slot_at = greatest(next_slot_at, date_trunc('minute', $3::timestamptz))
     where guild_id = $1 and status = 'paused' and status_reason = any($2::text[])
     returning id, guild_id, discord_channel_id, status, status_reason`,
    [guildId, reasons, new Date(now)],
  );
  return rows[0] ? mapSummary(rows[0]) : undefined;
}

/**
 * The raffle follows the guild's Twitch link: after a re-link to another account it draws from
 * that account's chat, and that account's broadcaster is the one who can never win.
 */
export async function retargetActiveRaffle(
  database: Queryable,
  guildId: string,
  broadcaster: { id: string; login: string },
): Promise<boolean> {
  const rows = await database.query(
    `update raffles set twitch_broadcaster_id = $2, twitch_broadcaster_login = $3
     where guild_id = $1 and status in ('running', 'paused') and twitch_broadcaster_id <> $2
     returning id`,
    [guildId, broadcaster.id, broadcaster.login.toLowerCase()],
  );
  return rows.length === 1;
}

/**
 * A slot skipped because a gate could not be checked (raffle/applyGates.ts): /raffle status shows
 * it until a later slot is recorded.
 */
export async function recordGateFailure(
  database: Queryable,
  raffleId: string,
  failure: { gate: GateName; reason: GateFailureReason; status: number | null },
  at: number,
): Promise<void> {
  await database.query(
    `update raffles set gate_failure = $2, gate_failure_reason = $3, gate_failure_status = $4, gate_failure_at = $5
     where id = $1`,
    [raffleId, failure.gate, failure.reason, failure.status, new Date(at)],
  );
}

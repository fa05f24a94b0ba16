import type { RaffleGates } from "../domain/gates";
import type { Queryable } from "./Database";
import { mapLink, selectLinkColumns, type TwitchLink, type TwitchLinkRow } from "./twitchLinks";

// /raffle start, /raffle stop and /raffle export in one database round trip each for what they
// read, and one for what they write: commands query over HTTP, where every statement is a request.

/** What /raffle start checks before starting: the guild's link and whether any item can be drawn. */
export async function readRaffleStartContext(
  database: Queryable,
  guildId: string,
): Promise<{ link: TwitchLink | undefined; hasDrawableItem: boolean }> {
  const rows = await database.query<Partial<TwitchLinkRow> & { guild_id: string | null; has_drawable_item: boolean }>(
    `select ${selectLinkColumns("l")},
       exists (select 1 from loot_items i where i.guild_id = $1 and i.enabled and (i.stock is null or i.stock > 0))
         as has_drawable_item
     from (select 1) as one left join twitch_links l on l.guild_id = $1`,
    [guildId],
  );
  const row = rows[0];
  return {
    link: row?.guild_id ? mapLink(row as TwitchLinkRow) : undefined,
    hasDrawableItem: Boolean(row?.has_drawable_item),
  };
}

export interface RaffleStart {
  guildId: string;
  guildLocale: string;
  discordChannelId: string;
  twitchBroadcasterId: string;
  twitchBroadcasterLogin: string;
  everyMinutes: number;
  cooldownMinutes: number;
  startedByDiscordUserId: string;
  luck: boolean;
  announceInTwitch: boolean;
  /** Shown on the public raffle page; null for none. */
  rules: string | null;
  /** `raffles.claim_minutes`: null unless `/raffle start claim:` was given. */
  claimMinutes: number | null;
  gates: RaffleGates;
  now: number;
}

/**
 * Starts the guild's raffle in one statement: records the guild, runs a paused raffle again with
 * the new settings (its rules too), or else inserts a new one whose first slot is the current
 * minute. A running raffle makes the insert fail with 23505 (one running-or-paused raffle per
 * guild). Returns the raffle's public id, for the link to its public page.
 */
export async function startRaffle(
  database: Queryable,
  start: RaffleStart,
): Promise<{ outcome: "restarted" | "started"; publicId: string }> {
  const rows = await database.query<{ restarted: boolean; public_id: string }>(
    `with guild as (
       insert into guilds (id, locale) values ($1, $2)
       on conflict (id) do update set locale = excluded.locale where guilds.locale is distinct from excluded.locale
     ), restarted as (
       update raffles set status = 'running', status_reason = null, discord_channel_id = $3, every_minutes = $6,
         cooldown_minutes = $7, next_slot_at = greatest(next_slot_at, date_trunc('minute', $9::timestamptz)),
         luck = $10, announce_in_twitch = $11, rules = $12, claim_minutes = $13,
         followers_only = $14, min_follow_minutes = $15, subscribers_only = $16, min_account_days = $17,
         active_minutes = $18, gate_failure = null, gate_failure_status = null, gate_failure_at = null
       where guild_id = $1 and status = 'paused'
       returning id, public_id
     ), started as (
       insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
         every_minutes, cooldown_minutes, started_by_discord_user_id, started_at, next_slot_at, luck, announce_in_twitch,
         rules, claim_minutes, followers_only, min_follow_minutes, subscribers_only, min_account_days, active_minutes)
       select $1, $3, $4, $5, $6, $7, $8, $9, date_trunc('minute', $9::timestamptz), $10, $11, $12, $13,
         $14, $15, $16, $17, $18
       where not exists (select 1 from restarted)
       returning id, public_id
     )
     select exists (select 1 from restarted) as restarted,
       coalesce((select public_id from restarted), (select public_id from started)) as public_id`,
    [
      start.guildId,
      start.guildLocale,
      start.discordChannelId,
      start.twitchBroadcasterId,
      start.twitchBroadcasterLogin.toLowerCase(),
      start.everyMinutes,
      start.cooldownMinutes,
      start.startedByDiscordUserId,
      new Date(start.now),
      start.luck,
      start.announceInTwitch,
      start.rules,
      start.claimMinutes,
      start.gates.followersOnly,
      start.gates.minFollowMinutes,
      start.gates.subscribersOnly,
      start.gates.minAccountDays,
      start.gates.activeMinutes,
    ],
  );
  const row = rows[0];
  if (!row?.public_id) throw new Error("starting the raffle returned no public id");
  return { outcome: row.restarted ? "restarted" : "started", publicId: row.public_id };
}

/** The raffle /raffle export links to: `current` is running or paused, else `latest` has stopped. */
export interface ExportableRaffle {
  publicId: string;
  twitchBroadcasterLogin: string;
  state: "current" | "latest";
}

/** The guild's running or paused raffle, else its most recently started one; undefined if it never had one. */
export async function findExportableRaffle(
  database: Queryable,
  guildId: string,
): Promise<ExportableRaffle | undefined> {
  const rows = await database.query<{ public_id: string; twitch_broadcaster_login: string; active: boolean }>(
    `select public_id, twitch_broadcaster_login, status in ('running', 'paused') as active
     from raffles where guild_id = $1
     order by status in ('running', 'paused') desc, id desc
     limit 1`,
    [guildId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    publicId: row.public_id,
    twitchBroadcasterLogin: row.twitch_broadcaster_login,
    state: row.active ? "current" : "latest",
  };
}

/** /raffle stop: stops the guild's raffle and counts the guild's winners so far, in one statement. */
export async function stopRaffleByUser(
  database: Queryable,
  guildId: string,
  now: number,
): Promise<{ totalDraws: number } | undefined> {
  const rows = await database.query<{ total_draws: string }>(
    `with stopped as (
       update raffles set status = 'stopped', status_reason = 'stopped_by_user', stopped_at = $2
       where guild_id = $1 and status in ('running', 'paused')
       returning id
     )
     select (select count(*) from draws where guild_id = $1) as total_draws from stopped`,
    [guildId, new Date(now)],
  );
  return rows[0] ? { totalDraws: Number(rows[0].total_draws) } : undefined;
}

import type { Queryable } from "./Database";

// Discord's Cloudflare limiting the Worker's shared address (a 429 with its HTML page, error 1015,
// no retry_after): every outbox post waits until `blockedUntil` (0021, README "Discord refusing").

/** The first block lasts this long; each further refusal right after it doubles it, up to the cap. */
export const firstBlockMinutes = 5;
export const maximumBlockMinutes = 60;

export interface DiscordBlock {
  since: number;
  blockedUntil: number;
  strikes: number;
}

export async function readDiscordBlock(database: Queryable): Promise<DiscordBlock | undefined> {
  const rows = await database.query<{ since: Date; blocked_until: Date; strikes: number }>(
    "select since, blocked_until, strikes from discord_rate_limit_blocks where scope = 'discord'",
  );
  const row = rows[0];
  return row
    ? { since: row.since.getTime(), blockedUntil: row.blocked_until.getTime(), strikes: row.strikes }
    : undefined;
}

/**
 * Blocks outbox posts after a refusal at `now`: a new block lasts 5 minutes; a refusal once the
 * last block is over (no delivery in between) doubles it; one during a block changes nothing, so
 * the posts of one batch refused together count once. A refusal more than an hour after the last
 * block ended starts afresh. `started`: this refusal began a block (the one to log).
 */
export async function blockDiscordPosts(
  database: Queryable,
  now: number,
  error: string,
): Promise<DiscordBlock & { started: boolean }> {
  const rows = await database.query<{ since: Date; blocked_until: Date; strikes: number; started: boolean }>(
    `insert into discord_rate_limit_blocks as b (scope, since, blocked_until, strikes, last_error)
     values ('discord', $1, $1::timestamptz + make_interval(mins => $3::integer), 1, left($2, 1000))
     on conflict (scope) do update set
       since = case when b.blocked_until < $1::timestamptz - interval '1 hour' then $1 else b.since end,
       strikes = case
         when b.blocked_until < $1::timestamptz - interval '1 hour' then 1
         when b.blocked_until <= $1 then b.strikes + 1
         else b.strikes end,
       blocked_until = case
         when b.blocked_until < $1::timestamptz - interval '1 hour' then $1::timestamptz + make_interval(mins => $3::integer)
         when b.blocked_until <= $1
           then $1::timestamptz + make_interval(mins => least($3::integer * 2 ^ b.strikes, $4::integer)::integer)
         else b.blocked_until end,
       last_error = excluded.last_error
     returning since, blocked_until, strikes, since = $1 as started`,
    [new Date(now), error, firstBlockMinutes, maximumBlockMinutes],
  );
  const row = rows[0];
  if (!row) throw new Error("the Discord block was not recorded");
  return {
    since: row.since.getTime(),
    blockedUntil: row.blocked_until.getTime(),
    strikes: row.strikes,
    started: row.started,
  };
}

/** A post went through: the block (if any) is over. True when there was one. */
export async function clearDiscordBlock(database: Queryable): Promise<boolean> {
  const rows = await database.query("delete from discord_rate_limit_blocks where scope = 'discord' returning scope");
  return rows.length > 0;
}

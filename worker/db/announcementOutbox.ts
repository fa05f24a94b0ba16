/**
 * The announcement outboxes share their columns and their rules: a draw's winner (`draws`), a
 * redraw's new winner (`claims`) and a notice (`discord_notices`) are each `announcement_status`
 * 'pending' until delivered, leased by pushing `announcement_next_attempt_at`, and retried after a
 * failure until given up. While Discord's Cloudflare blocks the Worker (error 1015) nothing is
 * leased, and a post to a held channel (Discord refused it: 403/404) waits for the channel's probe
 * (db/channelHolds.ts).
 */
export type OutboxTable = "draws" | "claims" | "discord_notices";

/** Whether a pending row `o` of `table` goes to a channel Discord refused (a hold of its guild). */
const heldChannelCondition: Record<OutboxTable, string> = {
  draws: `exists (select 1 from raffles r join discord_channel_holds h
      on h.guild_id = r.guild_id and h.discord_channel_id = r.discord_channel_id where r.id = o.raffle_id)`,
  claims: `exists (select 1 from draws d join raffles r on r.id = d.raffle_id join discord_channel_holds h
      on h.guild_id = r.guild_id and h.discord_channel_id = r.discord_channel_id where d.id = o.draw_id)`,
  discord_notices: `exists (select 1 from discord_channel_holds h
      where h.guild_id = o.guild_id and h.discord_channel_id = o.discord_channel_id)`,
};

/**
 * A `leased` CTE: up to `$3` pending rows of `table`, the ids in `$4` first, then (with `$5`) those
 * whose retry is due at `$1`, their next attempt pushed to `$2` so a concurrent tick skips them;
 * `for update skip locked`, so two ticks never lease the same row. The ids in `$4` must be due
 * too (but for a held channel's probe): a row just recorded is due at its slot or its caller's now (record_draw, expire_claim,
 * notices.ts), and one an overlapping tick has leased is not, so that tick's post is the only one.
 * Nothing while Discord's Cloudflare block lasts; no row of a held channel unless `includeHeld`
 * (the channel's probe).
 */
export function leasePendingAnnouncementsCte(table: OutboxTable, options: { includeHeld?: boolean } = {}): string {
  const held = options.includeHeld ? "" : `and not ${heldChannelCondition[table]}`;
  // A held channel's probe names its waiting posts, whenever they were last tried: the hold's own
  // lease (db/channelHolds.ts) keeps a second tick from probing it.
  const due = options.includeHeld ? "" : "and o.announcement_next_attempt_at <= $1";
  return `leased as (
       update ${table} set announcement_next_attempt_at = $2
       where id in (
         select o.id from ${table} o
         where o.announcement_status = 'pending'
           ${due}
           and (o.id = any($4::bigint[]) or $5)
           and not exists (select 1 from discord_rate_limit_blocks b where b.blocked_until > $1)
           ${held}
         order by o.id = any($4::bigint[]) desc, o.announcement_next_attempt_at
         limit $3
         for update of o skip locked
       )
       returning *
     )`;
}

/**
 * Records a delivery that failed (`$1` the row, `$2` the error, `$3` the retry, `$4` give up, `$5`
 * whether it counts as an attempt: a rate limit or a refused channel says nothing about the post).
 */
export function markAnnouncementFailedSql(table: OutboxTable): string {
  return `update ${table} set announcement_attempts = announcement_attempts + case when $5 then 1 else 0 end,
       announcement_last_error = left($2, 1000),
       announcement_next_attempt_at = $3, announcement_status = case when $4 then 'failed' else announcement_status end
     where id = $1 and announcement_status = 'pending'`;
}

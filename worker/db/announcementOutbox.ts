/**
 * The two announcement outboxes share their columns and their rules: a draw's winner (`draws`)
 * and a redraw's new winner (`claims`) are each `announcement_status` 'pending' until delivered,
 * leased by pushing `announcement_next_attempt_at`, and retried after a failure until given up.
 */
export type OutboxTable = "draws" | "claims";

/**
 * A `leased` CTE: up to `$3` pending rows of `table`, the ids in `$4` first, then (with `$5`) those
 * whose retry is due at `$1`, their next attempt pushed to `$2` so a concurrent tick skips them;
 * `for update skip locked`, so two ticks never lease the same row. The ids in `$4` must be due
 * too: a row just recorded is due at its slot (make_raffle, expire_claim), and one an overlapping
 * tick has leased is not, so that tick's post is the only one.
 */
export function leasePendingAnnouncementsCte(table: OutboxTable): string {
  return `leased as (
       update ${table} set announcement_next_attempt_at = $2
       where id in (
         select id from ${table}
         where announcement_status = 'pending'
           and announcement_next_attempt_at <= $1
           and (id = any($4::bigint[]) or $5)
         order by id = any($4::bigint[]) desc, announcement_next_attempt_at
         limit $3
         for update skip locked
       )
       returning *
     )`;
}

/** Records a delivery that failed (`$1` the row, `$2` the error, `$3` the retry, `$4` give up). */
export function markAnnouncementFailedSql(table: OutboxTable): string {
  return `update ${table} set announcement_attempts = announcement_attempts + 1, announcement_last_error = left($2, 1000),
       announcement_next_attempt_at = $3, announcement_status = case when $4 then 'failed' else announcement_status end
     where id = $1 and announcement_status = 'pending'`;
}

/**
 * `terms_version`: the newest version of a raffle's public terms (raffle_terms, 0020), for a select
 * list (`prefix` is the raffles alias). A draw carries the version its raffle was read at, and
 * record_draw refuses it as stale when the terms changed before it was recorded, so a draw is never
 * published under terms (a channel, gates, a cooldown) its entrants were not read under.
 */
export function selectTermsVersion(prefix: string): string {
  return `(select max(t.version) from raffle_terms t where t.raffle_id = ${prefix}.id) as terms_version`;
}

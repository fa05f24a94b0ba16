import { leasePendingAnnouncementsCte, markAnnouncementFailedSql } from "./announcementOutbox";
import type { Queryable } from "./Database";

// The tick's side of prize claims (docs/contract.md "Claims"): open claims past their window,
// the SQL function that expires one and records its redraw (sql/functions/expire_claim.sql), and
// the outbox of redraw announcements (claims.announcement_*, shaped like draws').

/** An open claim whose window has passed, with what its redraw is computed from (the draw's public record). */
export interface ExpiredClaim {
  claimId: string;
  n: number;
  drawId: string;
  /** The raffle's public id: the `{raffle}` of the word messages. */
  rafflePublicId: string;
  slotLabel: string;
  /** Hex of the draw's 32 randomness bytes. */
  randomness: string;
  /** The slot's published entrants `[user_id, login, weight]`. */
  entrants: [string, string, number][];
  /** The draw's winners so far: claim 0's, then each redraw's, up to this claim's. */
  earlierWinners: string[];
}

interface ExpiredClaimRow {
  id: string;
  n: number;
  draw_id: string;
  public_id: string;
  slot_label: string;
  randomness: string;
  entrants: unknown;
  earlier_winners: string[];
}

/** Open claims whose window ended at `now`, oldest first: each one's redraw is decided from its draw's record. */
export async function listExpiredClaims(database: Queryable, now: number, limit: number): Promise<ExpiredClaim[]> {
  const rows = await database.query<ExpiredClaimRow>(
    `select c.id, c.n, c.draw_id, r.public_id, d.slot_label, d.randomness, d.entrants,
       (select json_agg(e.winner_twitch_user_id order by e.n) from claims e where e.draw_id = c.draw_id and e.n <= c.n)
         as earlier_winners
     from claims c
     join draws d on d.id = c.draw_id
     join raffles r on r.id = d.raffle_id
     where c.status = 'open' and c.expires_at <= $1 and d.algorithm = 'liveloot/v1'
     order by c.expires_at, c.id
     limit $2`,
    [new Date(now), limit],
  );
  return rows.map((row) => ({
    claimId: String(row.id),
    n: row.n,
    drawId: String(row.draw_id),
    rafflePublicId: row.public_id,
    slotLabel: row.slot_label,
    randomness: row.randomness,
    entrants: Array.isArray(row.entrants)
      ? row.entrants.map((line: unknown) => {
          const [id, login, weight] = Array.isArray(line) ? line : [];
          return [String(id), String(login), Number(weight)] as [string, string, number];
        })
      : [],
    earlierWinners: row.earlier_winners.map(String),
  }));
}

export type ClaimExpiry =
  | { outcome: "redrawn"; newClaimId: string }
  | { outcome: "returned"; codeReturned: boolean }
  | { outcome: "not_due" };

/** expire_claim: expires the claim and opens the next winner's (or returns the code to stock), atomically. */
export async function expireClaim(
  database: Queryable,
  claimId: string,
  now: number,
  nextWinnerUserId: string | null,
): Promise<ClaimExpiry> {
  const rows = await database.query<{ outcome: string; new_claim_id: string | null; code_returned: boolean }>(
    "select outcome, new_claim_id, code_returned from expire_claim($1, $2, $3)",
    [claimId, new Date(now), nextWinnerUserId],
  );
  const row = rows[0];
  if (row?.outcome === "redrawn" && row.new_claim_id !== null) {
    return { outcome: "redrawn", newClaimId: String(row.new_claim_id) };
  }
  if (row?.outcome === "returned") return { outcome: "returned", codeReturned: row.code_returned };
  return { outcome: "not_due" };
}

/** A redraw to announce: "X did not claim in time — the new winner is Y", with its own Claim and Verify buttons. */
export interface RedrawAnnouncement {
  claimId: string;
  claimPublicId: string;
  n: number;
  drawId: string;
  raffleId: string;
  rafflePublicId: string;
  guildId: string;
  channelId: string;
  locale: string;
  drawNumber: number | undefined;
  itemName: string;
  previousWinnerDisplayName: string;
  winnerDisplayName: string;
  winnerLogin: string;
  expiresAt: number;
  attempts: number;
  publiclyVerifiable: boolean;
  /** The raffle also announces in Twitch chat. */
  announceInTwitch: boolean;
  twitchBroadcasterId: string;
}

interface RedrawAnnouncementRow {
  id: string;
  public_id: string;
  n: number;
  draw_id: string;
  raffle_id: string;
  raffle_public_id: string;
  guild_id: string;
  discord_channel_id: string;
  locale: string;
  draw_number: number | null;
  item_name: string;
  previous_winner: string;
  winner_twitch_display_name: string;
  winner_twitch_login: string;
  expires_at: Date;
  announcement_attempts: number;
  beacon_round: string | null;
  announce_in_twitch: boolean;
  twitch_broadcaster_id: string;
}

/**
 * Claims pending redraw announcements with a lease (like claimAnnouncements for draws): the
 * `claimIds` just recorded first, then (with `includeDue`) those whose retry is due.
 */
export async function claimRedrawAnnouncements(
  database: Queryable,
  options: {
    now: number;
    leaseUntil: number;
    limit: number;
    claimIds: string[];
    includeDue: boolean;
    /** The channel's probe: its posts are leased although the channel is held. */
    includeHeld?: boolean;
  },
): Promise<RedrawAnnouncement[]> {
  if (options.limit === 0) return [];
  const rows = await database.query<RedrawAnnouncementRow>(
    `with ${leasePendingAnnouncementsCte("claims", { includeHeld: options.includeHeld })}
     select c.id, c.public_id, c.n, c.draw_id, d.raffle_id, r.public_id as raffle_public_id, d.guild_id,
       r.discord_channel_id, g.locale, d.draw_number, d.item_name, p.winner_twitch_display_name as previous_winner,
       c.winner_twitch_display_name, c.winner_twitch_login, c.expires_at, c.announcement_attempts,
       d.beacon_round::text as beacon_round, r.announce_in_twitch, r.twitch_broadcaster_id
     from leased c
     join draws d on d.id = c.draw_id
     join raffles r on r.id = d.raffle_id
     join guilds g on g.id = d.guild_id
     join claims p on p.draw_id = c.draw_id and p.n = c.n - 1
     order by c.id`,
    [new Date(options.now), new Date(options.leaseUntil), options.limit, options.claimIds, options.includeDue],
  );
  return rows.map((row) => ({
    claimId: String(row.id),
    claimPublicId: row.public_id,
    n: row.n,
    drawId: String(row.draw_id),
    raffleId: String(row.raffle_id),
    rafflePublicId: row.raffle_public_id,
    guildId: row.guild_id,
    channelId: row.discord_channel_id,
    locale: row.locale,
    drawNumber: row.draw_number ?? undefined,
    itemName: row.item_name,
    previousWinnerDisplayName: row.previous_winner,
    winnerDisplayName: row.winner_twitch_display_name,
    winnerLogin: row.winner_twitch_login,
    expiresAt: row.expires_at.getTime(),
    attempts: row.announcement_attempts,
    publiclyVerifiable: row.beacon_round !== null,
    announceInTwitch: row.announce_in_twitch,
    twitchBroadcasterId: row.twitch_broadcaster_id,
  }));
}

/** Records the redraw announcements Discord took, in one round trip. */
export async function markRedrawsAnnounced(
  database: Queryable,
  deliveries: { claimId: string; messageId: string }[],
): Promise<void> {
  if (deliveries.length === 0) return;
  await database.query(
    `update claims c set announcement_status = 'delivered', announcement_message_id = delivered.message_id,
       announcement_attempts = c.announcement_attempts + 1, announcement_last_error = null
     from unnest($1::bigint[], $2::text[]) as delivered (claim_id, message_id)
     where c.id = delivered.claim_id and c.announcement_status <> 'delivered'`,
    [deliveries.map((entry) => entry.claimId), deliveries.map((entry) => entry.messageId)],
  );
}

/** Records a redraw announcement Discord did not take; the tick retries after `retryAt` until it gives up. */
export async function markRedrawAnnouncementFailed(
  database: Queryable,
  claimId: string,
  error: string,
  retryAt: number,
  giveUp: boolean,
  counted = true,
): Promise<void> {
  await database.query(markAnnouncementFailedSql("claims"), [claimId, error, new Date(retryAt), giveUp, counted]);
}

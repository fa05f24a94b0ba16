import type { Announcement } from "../domain/types";
import { leasePendingAnnouncementsCte } from "./announcementOutbox";
import type { Queryable } from "./Database";

interface AnnouncementRow {
  id: string;
  raffle_id: string;
  guild_id: string;
  discord_channel_id: string;
  winner_twitch_display_name: string;
  winner_twitch_login: string;
  item_name: string;
  slot_at: Date;
  draw_number: number | null;
  announcement_attempts: number;
  locale: string;
  announce_in_twitch: boolean;
  twitch_announcement_status: string;
  twitch_broadcaster_id: string;
  public_id: string;
  algorithm: string | null;
  beacon_round: string | null;
  claim_public_id: string | null;
}

/**
 * What the announcement says about checking the draw: where its proof is (its raffle's public id
 * and the draw's number), and whether the drand beacon gave its randomness. Draws made before
 * liveloot/v1 have no proof to check (`verification` undefined).
 */
export interface DrawVerification {
  rafflePublicId: string;
  /** False when the beacon could not be reached and the Worker's own randomness was used. */
  publiclyVerifiable: boolean;
}

export interface ClaimedAnnouncement extends Announcement {
  locale: string;
  /** The raffle also announces in Twitch chat, and this draw has not been sent there yet. */
  needsTwitchMessage: boolean;
  twitchBroadcasterId: string;
  verification: DrawVerification | undefined;
  /** The winner's claim (claims n = 0), when the prize must be claimed: the announcement links to it. */
  claimPublicId: string | undefined;
}

const claimColumns = `d.id, d.raffle_id, d.guild_id, r.discord_channel_id, d.winner_twitch_display_name, d.winner_twitch_login,
  d.item_name, d.slot_at, d.announcement_attempts, g.locale, r.announce_in_twitch, d.twitch_announcement_status,
  r.twitch_broadcaster_id,
  d.draw_number, r.public_id, d.algorithm, d.beacon_round,
  (select c.public_id from claims c where c.draw_id = d.id and c.n = 0) as claim_public_id`;

function mapAnnouncement(row: AnnouncementRow): ClaimedAnnouncement {
  return {
    drawId: String(row.id),
    raffleId: String(row.raffle_id),
    guildId: row.guild_id,
    channelId: row.discord_channel_id,
    winnerDisplayName: row.winner_twitch_display_name,
    winnerLogin: row.winner_twitch_login,
    itemName: row.item_name,
    slotAt: row.slot_at.getTime(),
    drawNumber: row.draw_number ?? undefined,
    attempts: row.announcement_attempts,
    locale: row.locale,
    // record_draw marks the draw 'pending' for Twitch when its raffle announces there.
    needsTwitchMessage:
      row.announce_in_twitch &&
      (row.twitch_announcement_status === "pending" || row.twitch_announcement_status === "none"),
    twitchBroadcasterId: row.twitch_broadcaster_id,
    verification:
      row.algorithm === "liveloot/v1"
        ? { rafflePublicId: row.public_id, publiclyVerifiable: row.beacon_round !== null }
        : undefined,
    claimPublicId: row.claim_public_id ?? undefined,
  };
}

/**
 * Claims pending announcements, pushing their next attempt past `leaseUntil` so a concurrent
 * tick skips them: the just-committed `drawIds` first, then (with `includeDue`) those whose
 * retry is due.
 */
export async function claimAnnouncements(
  database: Queryable,
  options: {
    now: number;
    leaseUntil: number;
    limit: number;
    drawIds: string[];
    includeDue: boolean;
    /** The channel's probe: its posts are leased although the channel is held. */
    includeHeld?: boolean;
  },
): Promise<ClaimedAnnouncement[]> {
  if (options.limit === 0) return [];
  const rows = await database.query<AnnouncementRow>(
    `with ${leasePendingAnnouncementsCte("draws", { includeHeld: options.includeHeld })}
     select ${claimColumns}
     from leased d
     join raffles r on r.id = d.raffle_id
     join guilds g on g.id = d.guild_id
     order by d.id`,
    [new Date(options.now), new Date(options.leaseUntil), options.limit, options.drawIds, options.includeDue],
  );
  return rows.map(mapAnnouncement);
}

/** Records the outcome of the winner's Twitch chat message (sent, dropped by Twitch, or failed). */
export async function recordTwitchAnnouncement(
  database: Queryable,
  drawId: string,
  outcome: { status: "sent" | "dropped" | "failed"; messageId?: string; error?: string },
): Promise<void> {
  await database.query(
    `update draws set twitch_announcement_status = $2, twitch_message_id = $3, twitch_announcement_error = left($4, 1000),
       twitch_announcement_attempts = twitch_announcement_attempts + 1
     where id = $1`,
    [drawId, outcome.status, outcome.messageId ?? null, outcome.error ?? null],
  );
}

import { leasePendingAnnouncementsCte, markAnnouncementFailedSql } from "./announcementOutbox";
import type { Queryable } from "./Database";

/** A notice in a Discord channel, rendered when recorded, waiting in the outbox until delivered. */
export interface PendingNotice {
  noticeId: string;
  guildId: string;
  /** The raffle it is about, if any: a channel that refuses it pauses that raffle. */
  raffleId: string | undefined;
  channelId: string;
  messageKey: string;
  content: string;
  attempts: number;
}

interface NoticeRow {
  id: string;
  guild_id: string;
  raffle_id: string | null;
  discord_channel_id: string;
  message_key: string;
  content: string;
  announcement_attempts: number;
}

function mapNotice(row: NoticeRow): PendingNotice {
  return {
    noticeId: String(row.id),
    guildId: row.guild_id,
    raffleId: row.raffle_id === null ? undefined : String(row.raffle_id),
    channelId: row.discord_channel_id,
    messageKey: row.message_key,
    content: row.content,
    attempts: row.announcement_attempts,
  };
}

/**
 * Records a notice once per (guild, `dedupeKey`): its id when recorded now, undefined when it
 * already was (a replayed slot, a second tick, a redelivered event).
 */
export async function recordNotice(
  database: Queryable,
  notice: {
    guildId: string;
    raffleId: string | undefined;
    channelId: string;
    dedupeKey: string;
    messageKey: string;
    content: string;
  },
  /** The caller's "now": the notice is due at once on that clock (a tick's minute, not the database's). */
  now: number,
): Promise<string | undefined> {
  const rows = await database.query<{ id: string }>(
    `insert into discord_notices (guild_id, raffle_id, discord_channel_id, dedupe_key, message_key, content,
       announcement_next_attempt_at)
     values ($1, $2, $3, left($4, 200), $5, left($6, 2000), $7)
     on conflict (guild_id, dedupe_key) do nothing
     returning id::text`,
    [
      notice.guildId,
      notice.raffleId ?? null,
      notice.channelId,
      notice.dedupeKey,
      notice.messageKey,
      notice.content,
      new Date(now),
    ],
  );
  return rows[0]?.id;
}

/** Leases pending notices like draws' announcements (db/announcementOutbox.ts): `noticeIds` first, then those due. */
export async function claimNotices(
  database: Queryable,
  options: {
    now: number;
    leaseUntil: number;
    limit: number;
    noticeIds: string[];
    includeDue: boolean;
    includeHeld?: boolean;
  },
): Promise<PendingNotice[]> {
  if (options.limit === 0) return [];
  const rows = await database.query<NoticeRow>(
    `with ${leasePendingAnnouncementsCte("discord_notices", { includeHeld: options.includeHeld })}
     select id, guild_id, raffle_id, discord_channel_id, message_key, content, announcement_attempts
     from leased order by created_at, id`,
    [new Date(options.now), new Date(options.leaseUntil), options.limit, options.noticeIds, options.includeDue],
  );
  return rows.map(mapNotice);
}

export async function markNoticesAnnounced(
  database: Queryable,
  deliveries: { noticeId: string; messageId: string }[],
  now: number,
): Promise<void> {
  if (deliveries.length === 0) return;
  await database.query(
    `update discord_notices n set announcement_status = 'delivered', announcement_message_id = delivered.message_id,
       announced_at = $3, announcement_attempts = n.announcement_attempts + 1, announcement_last_error = null
     from unnest($1::bigint[], $2::text[]) as delivered (notice_id, message_id)
     where n.id = delivered.notice_id and n.announcement_status <> 'delivered'`,
    [deliveries.map((entry) => entry.noticeId), deliveries.map((entry) => entry.messageId), new Date(now)],
  );
}

export async function markNoticeFailed(
  database: Queryable,
  noticeId: string,
  error: string,
  retryAt: number,
  giveUp: boolean,
  counted: boolean,
): Promise<void> {
  await database.query(markAnnouncementFailedSql("discord_notices"), [
    noticeId,
    error,
    new Date(retryAt),
    giveUp,
    counted,
  ]);
}

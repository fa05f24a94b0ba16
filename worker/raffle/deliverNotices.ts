import type { AppContext } from "../context";
import { claimNotices, markNoticesAnnounced } from "../db/notices";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import { type AnnounceResult, announceNotice, type OutboxPass } from "./announceDraw";

/** A claimed announcement is left alone by other ticks for this long. */
export const announcementLeaseMilliseconds = 2 * 60 * 1000;
/** Posts one tick takes of each kind (winners, redraws, notices) beyond those just recorded. */
export const announcementsPerTick = 50;

/** Which notices one delivery takes: ids just recorded, and (the tick) every one due. */
export interface NoticeSelection {
  /** Notices just recorded. */
  noticeIds?: string[];
  includeDue: boolean;
  /** Posts to a held channel too: only its probe (retryHeldChannels.ts) asks for them. */
  includeHeld?: boolean;
}

/**
 * Posts the notices `options` selects, leased at once. Its own module, apart from the winners'
 * delivery, so that lifecycle.ts can post a notice at once without reaching the Twitch chat
 * announcements (which call Twitch through twitchAccess.ts, which pauses through lifecycle.ts).
 */
export async function deliverNotices(
  app: AppContext,
  options: NoticeSelection,
  pass: OutboxPass,
): Promise<AnnounceResult[]> {
  const noticeIds = options.noticeIds ?? [];
  const notices = await claimNotices(app.database, {
    now: app.now(),
    leaseUntil: app.now() + announcementLeaseMilliseconds,
    limit: noticeIds.length + (options.includeDue ? announcementsPerTick : 0),
    noticeIds,
    includeDue: options.includeDue,
    includeHeld: options.includeHeld,
  });
  const results = await mapWithConcurrency(notices, outsideCallConcurrency, async (notice) => ({
    noticeId: notice.noticeId,
    result: await announceNotice(app, notice, pass),
  }));
  await markNoticesAnnounced(
    app.database,
    results.flatMap(({ noticeId, result }) =>
      result.outcome === "delivered" ? [{ noticeId, messageId: result.messageId }] : [],
    ),
    app.now(),
  );
  return results.map(({ result }) => result);
}

import type { AppContext } from "../context";
import { claimAnnouncements } from "../db/announcements";
import { markAnnounced } from "../db/draws";
import { resolveLocale } from "../i18n/translate";
import { type AnnounceOutcome, announceDraw } from "./announceDraw";
import { announceInTwitchChat } from "./announceInTwitchChat";
import { mapWithConcurrency } from "./mapWithConcurrency";

/** A claimed announcement is left alone by other ticks for this long. */
const announcementLeaseMilliseconds = 2 * 60 * 1000;
const announcementsPerTick = 50;

/**
 * The outbox: posts winners whose draw is committed but not yet announced — the draws this
 * tick just made (`drawIds`), or every pending one that is due for a retry.
 */
export async function announcePending(app: AppContext, drawIds?: string[]): Promise<Record<AnnounceOutcome, number>> {
  const claimed = await claimAnnouncements(app.database, {
    now: app.now(),
    leaseUntil: app.now() + announcementLeaseMilliseconds,
    limit: drawIds ? drawIds.length : announcementsPerTick,
    ...(drawIds ? { drawIds } : {}),
  });
  const results = await mapWithConcurrency(claimed, 4, async (announcement) => {
    const result = await announceDraw(app, announcement, resolveLocale(announcement.locale));
    if (announcement.needsTwitchMessage) await announceInTwitchChat(app, announcement);
    return { drawId: announcement.drawId, result };
  });
  const deliveries = results.flatMap(({ drawId, result }) =>
    result.outcome === "delivered" ? [{ drawId, messageId: result.messageId }] : [],
  );
  await markAnnounced(app.database, deliveries, app.now());
  const counts: Record<AnnounceOutcome, number> = { delivered: 0, retry: 0, failed: 0, channel_unavailable: 0 };
  for (const { result } of results) counts[result.outcome] += 1;
  return counts;
}

import type { AppContext } from "../context";
import { claimAnnouncements } from "../db/announcements";
import { markAnnounced } from "../db/draws";
import { resolveLocale } from "../i18n/translate";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import { type AnnounceOutcome, announceDraw } from "./announceDraw";
import { announceInTwitchChat } from "./announceInTwitchChat";

/** A claimed announcement is left alone by other ticks for this long. */
const announcementLeaseMilliseconds = 2 * 60 * 1000;
const announcementsPerTick = 50;

/**
 * The outbox: posts winners whose draw is committed but not yet announced — the draws just made
 * (`drawIds`) and, for the tick (`includeDue`), every pending one whose retry is due — in one
 * claim and one delivery update.
 */
export async function announcePending(
  app: AppContext,
  options: { drawIds: string[]; includeDue: boolean },
): Promise<Record<AnnounceOutcome, number>> {
  const claimed = await claimAnnouncements(app.database, {
    now: app.now(),
    leaseUntil: app.now() + announcementLeaseMilliseconds,
    limit: options.drawIds.length + (options.includeDue ? announcementsPerTick : 0),
    drawIds: options.drawIds,
    includeDue: options.includeDue,
  });
  const results = await mapWithConcurrency(claimed, outsideCallConcurrency, async (announcement) => {
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

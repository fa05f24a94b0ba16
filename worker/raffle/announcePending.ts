import type { AppContext } from "../context";
import { claimAnnouncements } from "../db/announcements";
import { claimRedrawAnnouncements, markRedrawsAnnounced } from "../db/claimLifecycle";
import { markAnnounced } from "../db/draws";
import { resolveLocale } from "../i18n/translate";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import { type AnnounceOutcome, announceDraw, announceRedraw } from "./announceDraw";
import { announceInTwitchChat, announceRedrawInTwitchChat } from "./announceInTwitchChat";

/** A claimed announcement is left alone by other ticks for this long. */
const announcementLeaseMilliseconds = 2 * 60 * 1000;
const announcementsPerTick = 50;

/**
 * The outbox: posts winners whose draw is committed but not yet announced — the draws just made
 * (`drawIds`) and, for the tick (`includeDue`), every pending one whose retry is due — in one
 * claim and one delivery update. Redraws after an unclaimed prize ride the same way (`claimIds`
 * just recorded, then those due), from the claims' own outbox.
 */
export async function announcePending(
  app: AppContext,
  options: { drawIds: string[]; includeDue: boolean; claimIds?: string[] },
): Promise<Record<AnnounceOutcome, number>> {
  const claimIds = options.claimIds ?? [];
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
  const redrawResults = await announcePendingRedraws(app, claimIds, options.includeDue);
  const counts: Record<AnnounceOutcome, number> = { delivered: 0, retry: 0, failed: 0, channel_unavailable: 0 };
  for (const { result } of [...results, ...redrawResults]) counts[result.outcome] += 1;
  return counts;
}

async function announcePendingRedraws(app: AppContext, claimIds: string[], includeDue: boolean) {
  const redraws = await claimRedrawAnnouncements(app.database, {
    now: app.now(),
    leaseUntil: app.now() + announcementLeaseMilliseconds,
    limit: claimIds.length + (includeDue ? announcementsPerTick : 0),
    claimIds,
    includeDue,
  });
  const results = await mapWithConcurrency(redraws, outsideCallConcurrency, async (redraw) => {
    const result = await announceRedraw(app, redraw);
    // Once, with the Discord post that delivers it: a failed post is retried, the chat line waits for it.
    if (result.outcome === "delivered" && redraw.announceInTwitch) await announceRedrawInTwitchChat(app, redraw);
    return { claimId: redraw.claimId, result };
  });
  await markRedrawsAnnounced(
    app.database,
    results.flatMap(({ claimId, result }) =>
      result.outcome === "delivered" ? [{ claimId, messageId: result.messageId }] : [],
    ),
  );
  return results;
}

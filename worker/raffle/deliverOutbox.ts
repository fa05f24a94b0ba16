import type { AppContext } from "../context";
import { claimAnnouncements } from "../db/announcements";
import { claimRedrawAnnouncements, markRedrawsAnnounced } from "../db/claimLifecycle";
import { markAnnounced } from "../db/draws";
import { resolveLocale } from "../i18n/translate";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import { type AnnounceResult, announceDraw, announceRedraw, type OutboxPass } from "./announceDraw";
import { announceInTwitchChat, announceRedrawInTwitchChat } from "./announceInTwitchChat";
import { announcementLeaseMilliseconds, announcementsPerTick, deliverNotices } from "./deliverNotices";

/** Which posts one delivery takes: ids just recorded, and (the tick) every one due. */
export interface OutboxSelection {
  drawIds: string[];
  /** Redraws just recorded (claims' ids). */
  claimIds?: string[];
  /** Notices just recorded. */
  noticeIds?: string[];
  includeDue: boolean;
  /** Posts to a held channel too: only its probe (retryHeldChannels.ts) asks for them. */
  includeHeld?: boolean;
}

/** Posts what `options` selects: draws, then redraws, then notices, each batch leased at once. */
export async function deliverSelection(
  app: AppContext,
  options: OutboxSelection,
  pass: OutboxPass,
): Promise<AnnounceResult[]> {
  const draws = await announceDraws(app, options, pass);
  const redraws = await announceRedraws(app, options, pass);
  const notices = await deliverNotices(app, options, pass);
  return [...draws, ...redraws, ...notices];
}

async function announceDraws(app: AppContext, options: OutboxSelection, pass: OutboxPass): Promise<AnnounceResult[]> {
  const claimed = await claimAnnouncements(app.database, {
    now: app.now(),
    leaseUntil: app.now() + announcementLeaseMilliseconds,
    limit: options.drawIds.length + (options.includeDue ? announcementsPerTick : 0),
    drawIds: options.drawIds,
    includeDue: options.includeDue,
    includeHeld: options.includeHeld,
  });
  const results = await mapWithConcurrency(claimed, outsideCallConcurrency, async (announcement) => {
    const result = await announceDraw(app, announcement, resolveLocale(announcement.locale), pass);
    if (announcement.needsTwitchMessage) await announceInTwitchChat(app, announcement);
    return { drawId: announcement.drawId, result };
  });
  const deliveries = results.flatMap(({ drawId, result }) =>
    result.outcome === "delivered" ? [{ drawId, messageId: result.messageId }] : [],
  );
  await markAnnounced(app.database, deliveries, app.now());
  return results.map(({ result }) => result);
}

async function announceRedraws(app: AppContext, options: OutboxSelection, pass: OutboxPass): Promise<AnnounceResult[]> {
  const claimIds = options.claimIds ?? [];
  const redraws = await claimRedrawAnnouncements(app.database, {
    now: app.now(),
    leaseUntil: app.now() + announcementLeaseMilliseconds,
    limit: claimIds.length + (options.includeDue ? announcementsPerTick : 0),
    claimIds,
    includeDue: options.includeDue,
    includeHeld: options.includeHeld,
  });
  const results = await mapWithConcurrency(redraws, outsideCallConcurrency, async (redraw) => {
    const result = await announceRedraw(app, redraw, pass);
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
  return results.map(({ result }) => result);
}

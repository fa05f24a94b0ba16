import type { AppContext } from "../context";
import { claimAnnouncements } from "../db/announcements";
import { claimRedrawAnnouncements, markRedrawsAnnounced } from "../db/claimLifecycle";
import { clearDiscordBlock, readDiscordBlock } from "../db/discordBlocks";
import { markAnnounced } from "../db/draws";
import { claimNotices, markNoticesAnnounced } from "../db/notices";
import { resolveLocale } from "../i18n/translate";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import {
  type AnnounceOutcome,
  type AnnounceResult,
  announceDraw,
  announceNotice,
  announceRedraw,
  type OutboxPass,
  startOutboxPass,
} from "./announceDraw";
import { announceInTwitchChat, announceRedrawInTwitchChat } from "./announceInTwitchChat";
import { retryHeldChannels } from "./retryHeldChannels";

/** A claimed announcement is left alone by other ticks for this long. */
export const announcementLeaseMilliseconds = 2 * 60 * 1000;
const announcementsPerTick = 50;

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

/**
 * The outbox: posts winners whose draw is committed but not yet announced — the draws just made
 * (`drawIds`) and, for the tick (`includeDue`), every pending one whose retry is due — in one
 * claim and one delivery update. Redraws after an unclaimed prize ride the same way (`claimIds`
 * just recorded, then those due), from the claims' own outbox, and so do notices (`noticeIds`).
 * The tick also probes channels Discord refused, and waits out a Cloudflare block without asking.
 */
export async function announcePending(
  app: AppContext,
  options: OutboxSelection,
): Promise<Record<AnnounceOutcome, number>> {
  const counts: Record<AnnounceOutcome, number> = { delivered: 0, retry: 0, failed: 0, channel_unavailable: 0 };
  const pass = startOutboxPass();
  // The tick reads the block once: while it lasts nothing is asked of Discord (nor logged again).
  const block = options.includeDue ? await readDiscordBlock(app.database) : undefined;
  if (block && block.blockedUntil > app.now()) return counts;
  if (options.includeDue) {
    for (const result of await retryHeldChannels(app, pass)) counts[result.outcome] += 1;
  }
  for (const result of await deliverSelection(app, options, pass)) counts[result.outcome] += 1;
  if (block && counts.delivered > 0 && pass.blockedUntil === undefined && (await clearDiscordBlock(app.database))) {
    app.log.info("Discord takes posts again after its Cloudflare rate limit", {
      blockedMinutes: Math.round((app.now() - block.since) / 60_000),
    });
  }
  return counts;
}

/** Posts what `options` selects: draws, then redraws, then notices, each batch leased at once. */
export async function deliverSelection(
  app: AppContext,
  options: OutboxSelection,
  pass: OutboxPass,
): Promise<AnnounceResult[]> {
  const draws = await announceDraws(app, options, pass);
  const redraws = await announceRedraws(app, options, pass);
  const notices = await announceNotices(app, options, pass);
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

async function announceNotices(app: AppContext, options: OutboxSelection, pass: OutboxPass): Promise<AnnounceResult[]> {
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

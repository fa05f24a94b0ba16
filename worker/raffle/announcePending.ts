import type { AppContext } from "../context";
import { clearDiscordBlock, readDiscordBlock } from "../db/discordBlocks";
import { type AnnounceOutcome, startOutboxPass } from "./announceDraw";
import { deliverSelection, type OutboxSelection } from "./deliverOutbox";
import { retryHeldChannels } from "./retryHeldChannels";

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
